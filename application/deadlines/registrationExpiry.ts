import type { RegistrationCommands } from '../commands/partnerCommands.js';
import { aggregateIdOf, type DeadlineKind } from './deadlineWatcher.js';

export const REGISTRATION_EXPIRY = 'registration-expiry';

/** Once a deal registration's expiresAt has come, expire it; its own rules refuse it if it was rejected or expired already. */
export const registrationExpiry = (registrations: RegistrationCommands): DeadlineKind => ({
  kind: REGISTRATION_EXPIRY,
  issue: (deadline, envelope) => registrations.expire(aggregateIdOf(deadline), envelope),
});
