import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteReadStore } from '../../infrastructure/readstore/sqlite/sqliteReadStore.js';
import { leaseContract } from '../contracts/leaseContract.js';
import { readStoreContract } from '../contracts/readStoreContract.js';

const dir = mkdtempSync(join(tmpdir(), 'readstore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

readStoreContract('SQLite', async () => {
  const store = SqliteReadStore.open(join(dir, 'contract.sqlite'));
  return { store, dispose: () => store.close() };
});

leaseContract('SQLite', async () => {
  const store = SqliteReadStore.open(join(dir, 'leases.sqlite'));
  return { store, dispose: () => store.close() };
});

describe('SQLite read store', () => {
  it('keeps documents, checkpoints, meta and declarations across a reopen', async () => {
    const file = join(dir, 'reopen.sqlite');
    const first = SqliteReadStore.open(file);
    await first.ensureCollections([{ name: 'deals', indexes: ['stage', 'amount'] }]);
    await first.commit({
      writes: [
        { collection: 'deals', op: 'put', doc: { id: 'a', stage: 'won', amount: 30 } },
        { collection: 'deals', op: 'put', doc: { id: 'b', stage: 'won', amount: 10 } },
        { collection: 'deals', op: 'put', doc: { id: 'c', stage: 'lost', amount: 20 } },
      ],
      checkpoint: { name: 'deals@g1', position: 42 },
    });
    await first.setMeta('projection:deals', { active: { version: 1, generation: 1 } });
    await first.close();

    // No ensureCollections: the declaration itself must have survived.
    const second = SqliteReadStore.open(file);
    try {
      expect(await second.get('deals', 'c')).toEqual({ id: 'c', stage: 'lost', amount: 20 });
      const won = await second.find('deals', { where: { stage: 'won' }, orderBy: { field: 'amount', direction: 'asc' }, limit: 10 });
      expect(won.items.map((d) => d.id)).toEqual(['b', 'a']);
      expect(await second.getCheckpoint('deals@g1')).toBe(42);
      expect(await second.getMeta('projection:deals')).toEqual({ active: { version: 1, generation: 1 } });
    } finally {
      await second.close();
    }
  });
});
