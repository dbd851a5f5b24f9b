import type { PromiseCommands } from '../commands/promiseCommands.js';
import { aggregateIdOf, type DeadlineKind } from './deadlineWatcher.js';

export const PROMISE_OVERDUE = 'promise-overdue';

const DAY_MS = 86_400_000;

/** A promise is due on a calendar day (UTC); it is overdue from the first instant of the day after. */
export const overdueFrom = (dueDate: string) => new Date(Date.parse(`${dueDate}T00:00:00.000Z`) + DAY_MS).toISOString();

/**
 * Once a promise's due date has passed, mark it overdue, which raises its CMP-09 finding; the
 * compliance subscriber raises it too, should the deadline already read as done.
 */
export const promiseOverdue = (promises: PromiseCommands): DeadlineKind => ({
  kind: PROMISE_OVERDUE,
  issue: (deadline, envelope) => promises.markOverdue(aggregateIdOf(deadline), envelope),
});
