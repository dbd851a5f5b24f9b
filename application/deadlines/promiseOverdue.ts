import { PROMISE_CATEGORY, promiseDecider, type CustomerPromise, type PromiseCommand, type PromiseContext, type PromiseEvent } from '../../domain/promise/promise.js';
import type { ComplianceChecks } from '../compliance/complianceChecks.js';
import { deadlineKind, type DeadlineKind } from './deadlineWatcher.js';

export const PROMISE_OVERDUE = 'promise-overdue';

const DAY_MS = 86_400_000;

/** A promise is due on a calendar day (UTC); it is overdue from the first instant of the day after. */
export const overdueFrom = (dueDate: string) => new Date(Date.parse(`${dueDate}T00:00:00.000Z`) + DAY_MS).toISOString();

/** `promise-<id>` back to the id. */
const promiseIdOf = (streamId: string) => streamId.slice(PROMISE_CATEGORY.length + 1);

/**
 * Once a promise's due date has passed, MarkPromiseOverdue, then raise its CMP-09 finding on the
 * PromiseWentOverdue. Both ids are derived (the watcher's command id, the finding's from the
 * event), so a tick after a crash between the two replays the first and raises the second once;
 * the compliance subscriber raises it too, should the deadline already read as done.
 */
export const promiseOverdue = (checks: ComplianceChecks): DeadlineKind => {
  const mark = deadlineKind<CustomerPromise, PromiseCommand, PromiseEvent, PromiseContext>(PROMISE_OVERDUE, (deadline) => ({
    streamId: deadline.streamId,
    aggregate: 'Promise',
    aggregateId: promiseIdOf(deadline.streamId),
    decider: promiseDecider,
    command: { type: 'MarkPromiseOverdue' },
    expects: 'existing',
    metadata: (state) => (state.status === 'none' ? {} : { customerId: state.customerId }),
  }));
  return {
    kind: PROMISE_OVERDUE,
    async issue(pipeline, deadline, envelope) {
      const result = await mark.issue(pipeline, deadline, envelope);
      await checks.afterCommand(result);
      return result;
    },
  };
};
