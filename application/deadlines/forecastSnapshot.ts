import { FORECAST_CATEGORY, forecastStreamId } from '../../domain/forecast/forecast.js';
import { periodOf } from '../../domain/shared/periods.js';
import type { ForecastCommands } from '../commands/forecastCommands.js';
import type { EventStore } from '../ports/eventStore.js';
import { aggregateIdOf, type DeadlineKind, type DueDeadlines } from './deadlineWatcher.js';

export const FORECAST_SNAPSHOT = 'forecast-snapshot';

/** As a month begins, take its forecast snapshot. */
export const forecastSnapshot = (forecasts: ForecastCommands): DeadlineKind => ({
  kind: FORECAST_SNAPSHOT,
  issue: (deadline, envelope) => forecasts.take(aggregateIdOf(deadline), envelope),
});

/**
 * A deadline no event opens: the calendar does. The month the clock is in is due from its first
 * instant until its snapshot stream holds the snapshot; a month the system was down through is not
 * taken afterwards, since its forecast would be no forecast.
 */
export const forecastSnapshotsDue = (eventStore: EventStore): DueDeadlines => ({
  async due(now) {
    const month = periodOf('month', now);
    const streamId = forecastStreamId(month.key);
    const taken = await eventStore.readStream(streamId, { maxCount: 1 });
    const items = taken.length > 0 ? [] : [{ id: `${FORECAST_SNAPSHOT}|${FORECAST_CATEGORY}-${month.key}`, kind: FORECAST_SNAPSHOT, streamId, dueAt: month.start }];
    return { items, nextCursor: null };
  },
});
