import { ViewBehind } from '../../application/errors.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import type { IncentivePlanDirectory } from '../../application/ports/incentivePlans.js';
import type { ProjectionProgress } from '../projectionProgress.js';
import type { ViewReader } from '../viewReader.js';
import { INCENTIVES, PLAN_DOCS, type PlanView } from './incentivesProjection.js';

/** Every plan created, from the incentives view once it has applied everything in the log when asked. */
export const planDirectoryFromView = (deps: { eventStore: EventStore; progress: Pick<ProjectionProgress, 'waitFor'>; views: ViewReader; waitMs: number }): IncentivePlanDirectory => ({
  async all() {
    const head = await deps.eventStore.headPosition();
    if (head !== null && !(await deps.progress.waitFor([INCENTIVES], head, deps.waitMs))) throw new ViewBehind([INCENTIVES], head);
    const plans = (await deps.views.all(INCENTIVES, PLAN_DOCS)) as PlanView[];
    return plans.map(({ id, appliesTo, window }) => ({ planId: id, appliesTo, window }));
  },
});
