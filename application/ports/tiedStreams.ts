/** The streams tied to a customer: each stream one of whose events named it (its deals, quotes, orders, the leads converted into it). */
export interface TiedStreams {
  /** Their ids, as of everything in the log when asked. */
  of(customerId: string): Promise<string[]>;
}
