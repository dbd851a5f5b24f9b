import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { EventMetadata, RecordedEvent } from './ports/eventStore.js';

/** The hash of the revision before the first one: a stream's chain starts here. */
export const GENESIS_HASH = '0'.repeat(64);

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

/** Recomputes a stream's chain from its first event and reports the first place it breaks. */
export const verifyChain = (events: RecordedEvent[]): ChainVerdict => {
  let previous = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const at = (reason: ChainBreak['reason'], expected: string, found: string): ChainVerdict => ({
      intact: false,
      events: events.length,
      breaksAt: { revision: event.revision, eventId: event.eventId, reason, expected, found },
    });
    if (event.revision !== index) return at('revision_gap', String(index), String(event.revision));
    const prevHash = String(event.metadata.prevHash ?? '');
    if (prevHash !== previous) return at('prev_hash_mismatch', previous, prevHash);
    const recomputed = hashEvent(event);
    const stored = String(event.metadata.hash ?? '');
    if (recomputed !== stored) return at('hash_mismatch', recomputed, stored);
    previous = stored;
  }
  return { intact: true, events: events.length, lastHash: previous };
};
