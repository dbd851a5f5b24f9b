import type { ReplayedViews } from '../projections/pointInTime.js';
import { HttpProblem } from './problems.js';
import type { ApiServices } from './services.js';

/**
 * The named views as they stood at `asOf` (`?asOf=`), replayed from the log. A moment in the
 * future or before the log's first event has no such views: 400, naming the moments there are.
 */
export const viewsAsOf = async (services: ApiServices, asOf: string, projections: readonly string[]): Promise<ReplayedViews> => {
  const now = services.clock.now();
  const first = await services.pointInTime.firstEventAt();
  const allowed = { from: first, to: now };
  const refuse = (why: string) =>
    new HttpProblem(400, 'invalid-input', 'The request is not valid', `asOf ${why}; ask for a moment from the log's first event to now`, {
      errors: [{ in: 'querystring', field: 'asOf', message: why }],
      allowed,
    });
  if (Date.parse(asOf) > Date.parse(now)) throw refuse(`${asOf} is in the future`);
  if (first === null || Date.parse(asOf) < Date.parse(first)) throw refuse(first === null ? 'cannot be answered: the log is empty' : `${asOf} is before the first event, at ${first}`);
  return services.pointInTime.at(asOf, projections);
};
