import type { ComplaintCommands } from '../commands/complaintCommands.js';
import { aggregateIdOf, type DeadlineKind } from './deadlineWatcher.js';

export const COMPLAINT_FIRST_RESPONSE = 'complaint-first-response';
export const COMPLAINT_RESOLUTION = 'complaint-resolution';

/**
 * Once a complaint's clock has run out, record the breach and take the complaint up the ladder; the
 * complaint's own rules refuse it if the clock stopped or stood meanwhile, and the follow-up
 * subscriber escalates too, should the deadline already read as done.
 */
export const complaintClocks = (complaints: ComplaintCommands): DeadlineKind[] => [
  { kind: COMPLAINT_FIRST_RESPONSE, issue: (deadline, envelope) => complaints.markResponseOverdue(aggregateIdOf(deadline), envelope) },
  { kind: COMPLAINT_RESOLUTION, issue: (deadline, envelope) => complaints.markResolutionOverdue(aggregateIdOf(deadline), envelope) },
];
