import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { GENESIS_HASH } from '../domain/shared/hashChain.js';
import type { EventMetadata, RecordedEvent } from './ports/eventStore.js';

export { GENESIS_HASH };

type HashedContent = {
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
};

/**
 * sha256 over the RFC 8785 canonical JSON of everything the event says, its own hash
 * left out; metadata.prevHash is inside, which chains each event to the one before.
 */
export const hashEvent = (event: HashedContent): string => {
  const { hash: _ignored, ...metadata } = event.metadata;
  const canonical = canonicalize({
    streamId: event.streamId,
    revision: event.revision,
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata,
  });
  if (canonical === undefined) throw new Error(`Event ${event.eventId} cannot be canonicalised`);
  return createHash('sha256').update(canonical).digest('hex');
};

export type ChainBreak = {
  revision: number;
  eventId: string;
  reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'revision_gap';
  expected: string;
  found: string;
};

export type ChainVerdict = { intact: true; events: number; lastHash: string } | { intact: false; events: number; breaksAt: ChainBreak };

/** The last link of a chain so far: a revision and its hash. */
export type ChainLink = { revision: number; hash: string };

/** Where every stream's chain starts: before revision 0. */
export const CHAIN_START: ChainLink = { revision: -1, hash: GENESIS_HASH };

/** Whether `event` is the next link after `previous`: null when it is, else how it breaks the chain. */
export const checkLink = (previous: ChainLink, event: RecordedEvent): ChainBreak | null => {
  const at = (reason: ChainBreak['reason'], expected: string, found: string): ChainBreak => ({ revision: event.revision, eventId: event.eventId, reason, expected, found });
  if (event.revision !== previous.revision + 1) return at('revision_gap', String(previous.revision + 1), String(event.revision));
  const prevHash = String(event.metadata.prevHash ?? '');
  if (prevHash !== previous.hash) return at('prev_hash_mismatch', previous.hash, prevHash);
  const recomputed = hashEvent(event);
  const stored = String(event.metadata.hash ?? '');
  if (recomputed !== stored) return at('hash_mismatch', recomputed, stored);
  return null;
};

/** Recomputes a stream's chain from its first event and reports the first place it breaks. */
export const verifyChain = (events: RecordedEvent[]): ChainVerdict => {
  let previous = CHAIN_START;
  for (const event of events) {
    const breaksAt = checkLink(previous, event);
    if (breaksAt) return { intact: false, events: events.length, breaksAt };
    previous = { revision: event.revision, hash: String(event.metadata.hash) };
  }
  return { intact: true, events: events.length, lastHash: previous.hash };
};
