import { addDays, startOfCompanyDay } from '../../domain/shared/calendar.js';
import type { PromiseCommands } from '../commands/promiseCommands.js';
import { aggregateIdOf, type DeadlineKind } from './deadlineWatcher.js';

export const PROMISE_OVERDUE = 'promise-overdue';

/** A promise is due on a day of the company calendar; it is overdue from the first instant of the day after there. */
export const overdueFrom = (dueDate: string) => startOfCompanyDay(addDays(dueDate, 1));

/**
 * Once a promise's due date has passed, mark it overdue, which raises its CMP-09 finding; the
 * compliance subscriber raises it too, should the deadline already read as done.
 */
export const promiseOverdue = (promises: PromiseCommands): DeadlineKind => ({
  kind: PROMISE_OVERDUE,
  issue: (deadline, envelope) => promises.markOverdue(aggregateIdOf(deadline), envelope),
});
