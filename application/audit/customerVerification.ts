import { verifyChain, type ChainBreak } from '../eventIntegrity.js';
import type { EventStore } from '../ports/eventStore.js';
import { readCustomerStreams } from './customerHistory.js';

export type StreamBreak = { streamId: string; breaksAt: ChainBreak };

export type CustomerVerification =
  | { customerId: string; intact: true; streams: number; events: number }
  | {
      customerId: string;
      intact: false;
      streams: number;
      events: number;
      /** The first stream, in the customer's order, whose chain breaks, and where. */
      brokenStream: string;
      breaksAt: ChainBreak;
      /** Every broken stream, the first one included. */
      broken: StreamBreak[];
    };

/**
 * Recomputes the hash chain of every stream tied to the customer from its first event.
 * A changed, removed or reordered event breaks the chain at its revision; what the chain
 * alone cannot show is events cut from the end of a stream.
 */
export const verifyCustomer = async (eventStore: EventStore, customerId: string, tiedStreams: readonly string[]): Promise<CustomerVerification> => {
  const streams = (await readCustomerStreams(eventStore, customerId, tiedStreams)).filter((s) => s.events.length > 0);
  const events = streams.reduce((n, s) => n + s.events.length, 0);
  const broken: StreamBreak[] = [];
  for (const { streamId, events: stored } of streams) {
    const verdict = verifyChain(stored);
    if (!verdict.intact) broken.push({ streamId, breaksAt: verdict.breaksAt });
  }
  const [first] = broken;
  if (!first) return { customerId, intact: true, streams: streams.length, events };
  return { customerId, intact: false, streams: streams.length, events, brokenStream: first.streamId, breaksAt: first.breaksAt, broken };
};
