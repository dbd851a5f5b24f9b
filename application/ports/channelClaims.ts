import type { ChannelClaim } from '../../domain/partner/registration.js';

/** The approved deal registrations on a customer, for the channel-conflict rule (REG-06). */
export interface ChannelClaims {
  /**
   * Every registration approved and not yet expired or rejected on this customer (by its
   * registration key), as of everything in the log when asked.
   */
  approvedClaims(customerKey: string): Promise<ChannelClaim[]>;
}
