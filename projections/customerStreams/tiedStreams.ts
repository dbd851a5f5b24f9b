import { ViewBehind } from '../../application/errors.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import type { TiedStreams } from '../../application/ports/tiedStreams.js';
import type { ProjectionProgress } from '../projectionProgress.js';
import type { ViewReader } from '../viewReader.js';
import { CUSTOMER_STREAMS, tiedStreamsOf } from './customerStreamsProjection.js';

/** The streams tied to a customer, from the customer_streams view once it has applied everything in the log when asked. */
export const tiedStreamsFromView = (deps: { eventStore: EventStore; progress: Pick<ProjectionProgress, 'waitFor'>; views: ViewReader; waitMs: number }): TiedStreams => ({
  async of(customerId) {
    const head = await deps.eventStore.headPosition();
    if (head !== null && !(await deps.progress.waitFor([CUSTOMER_STREAMS], head, deps.waitMs))) throw new ViewBehind([CUSTOMER_STREAMS], head);
    return tiedStreamsOf(deps.views, customerId);
  },
});
