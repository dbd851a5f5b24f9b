import { ViewBehind } from '../../application/errors.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import type { SalesTeams } from '../../application/ports/salesTeams.js';
import { SALES_ROLES } from '../../domain/team/ownership.js';
import type { ProjectionProgress } from '../projectionProgress.js';
import type { ViewReader } from '../viewReader.js';
import { REP_DOCS, REPS } from './repsProjection.js';

/** The teams with sellers on the roster, from the reps view once it has applied everything in the log when asked. */
export const salesTeamsFromView = (deps: { eventStore: EventStore; progress: Pick<ProjectionProgress, 'waitFor'>; views: ViewReader; waitMs: number }): SalesTeams => ({
  async has(team) {
    const head = await deps.eventStore.headPosition();
    if (head !== null && !(await deps.progress.waitFor([REPS], head, deps.waitMs))) throw new ViewBehind([REPS], head);
    return (await deps.views.find(REPS, REP_DOCS, { where: { team, role: { in: [...SALES_ROLES] } }, limit: 1 })).items.length > 0;
  },
});
