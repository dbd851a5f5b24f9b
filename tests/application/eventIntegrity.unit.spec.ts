import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashEvent, verifyChain } from '../../application/eventIntegrity.js';
import type { RecordedEvent } from '../../application/ports/eventStore.js';

const chain = (count: number): RecordedEvent[] => {
  const events: RecordedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let revision = 0; revision < count; revision++) {
    const base = {
      streamId: 'customer-c1',
      revision,
      position: revision + 10,
      eventId: `e${revision}`,
      type: 'InteractionRecorded',
      data: { note: `note ${revision}`, amount: { minor: revision, currency: 'CNY' } },
      metadata: { actor: { id: 'rep', role: 'sales_rep' }, prevHash } as Record<string, unknown>,
    };
    const hash = hashEvent(base);
    events.push({ ...base, metadata: { ...base.metadata, hash } });
    prevHash = hash;
  }
  return events;
};

describe('the hash chain', () => {
  it('is intact as written, whatever the key order of the stored JSON', () => {
    const events = chain(4);
    const reordered = events.map((e) => ({ ...e, data: Object.fromEntries(Object.entries(e.data as object).reverse()) }));
    expect(verifyChain(reordered)).toMatchObject({ intact: true, events: 4, lastHash: events[3]!.metadata.hash });
  });

  it('breaks at the event whose data was altered', () => {
    const events = chain(4);
    events[2] = { ...events[2]!, data: { note: 'rewritten', amount: { minor: 2, currency: 'CNY' } } };
    expect(verifyChain(events)).toMatchObject({ intact: false, breaksAt: { revision: 2, reason: 'hash_mismatch' } });
  });

  it('breaks where an event was re-hashed to hide an edit, at the next link', () => {
    const events = chain(4);
    const forged = { ...events[1]!, data: { note: 'forged', amount: { minor: 1, currency: 'CNY' } } };
    events[1] = { ...forged, metadata: { ...forged.metadata, hash: hashEvent(forged) } };
    expect(verifyChain(events)).toMatchObject({ intact: false, breaksAt: { revision: 2, reason: 'prev_hash_mismatch' } });
  });

  it('breaks where an event was removed', () => {
    const events = chain(4);
    events.splice(1, 1);
    expect(verifyChain(events)).toMatchObject({ intact: false, breaksAt: { revision: 2, reason: 'revision_gap' } });
  });
});
