import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredEventType } from '../../domain/aggregates.js';
import { SqliteReadStore } from '../../infrastructure/readstore/sqlite/sqliteReadStore.js';
import { DocumentCache } from '../../projections/documentCache.js';
import { physicalCollection } from '../../projections/generations.js';
import { projectionOf, type RecordedEventOf } from '../../projections/projection.js';

/** Counts each customer's interactions, and all of them in a total kept whole. */
const interactions = projectionOf({
  name: 'interactions',
  version: 1,
  collections: [
    { name: 'per_customer', indexes: {} },
    { name: 'totals', indexes: {}, loadWhole: true },
  ],
  handles: ['InteractionRecorded'],
  documentsFor: (event) => [{ collection: 'per_customer', id: event.data.customerId }],
  apply(event, view) {
    const counted = view.get('per_customer', event.data.customerId);
    view.put('per_customer', { id: event.data.customerId, count: Number(counted?.count ?? 0) + 1 });
    const total = view.get('totals', 'all');
    view.put('totals', { id: 'all', count: Number(total?.count ?? 0) + 1 });
  },
});

let position = 0;
const interaction = (customerId: string) =>
  ({
    streamId: `customer-${customerId}`,
    revision: position,
    position: ++position,
    eventId: `event-${position}`,
    type: 'InteractionRecorded',
    data: { customerId, interactionId: `interaction-${position}`, kind: 'call', note: 'called' },
    metadata: {},
  }) as RecordedEventOf<StoredEventType>;

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const openStore = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'document-cache-'));
  dirs.push(dir);
  const store = SqliteReadStore.open(join(dir, 'views.sqlite'));
  await store.ensureCollections(interactions.collections.map((c) => ({ name: physicalCollection(c.name, 1), indexes: {} })));
  return store;
};

/** What the runner does with a batch: load, apply, commit, then let the cache trim itself. */
const applyBatch = async (store: SqliteReadStore, cache: DocumentCache, customers: string[]) => {
  const events = customers.map(interaction);
  await cache.prefetch(events);
  for (const event of events) interactions.apply(event, cache.writer);
  await store.commit({ writes: cache.takeWrites(), checkpoint: { name: 'interactions', position } });
  cache.committed();
};

describe('the documents a projection keeps between batches', () => {
  it('are at most the bound, the least recently used going first, and what went is read back as committed', async () => {
    const store = await openStore();
    const cache = new DocumentCache(store, interactions, 1, 2);
    const reads = vi.spyOn(store, 'getMany');

    await applyBatch(store, cache, ['a', 'b']);
    await applyBatch(store, cache, ['a', 'c']);
    // a was used after b, so b went when c came.
    reads.mockClear();
    await applyBatch(store, cache, ['a', 'c']);
    expect(reads).not.toHaveBeenCalled();
    await applyBatch(store, cache, ['b']);
    expect(reads).toHaveBeenCalledWith(physicalCollection('per_customer', 1), ['b']);

    // A batch naming more documents than the bound still has them all while it applies.
    await applyBatch(store, cache, ['d', 'e', 'f', 'a']);
    const counts = await store.getMany(physicalCollection('per_customer', 1), ['a', 'b', 'c', 'd', 'e', 'f']);
    expect(Object.fromEntries(counts.map((doc) => [doc.id, doc.count]))).toEqual({ a: 4, b: 2, c: 2, d: 1, e: 1, f: 1 });
    // The collection loaded whole is never trimmed: its total stays right without a read.
    expect(await store.get(physicalCollection('totals', 1), 'all')).toMatchObject({ count: 11 });
  });
});
