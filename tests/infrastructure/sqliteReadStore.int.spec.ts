import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { UnknownField } from '../../application/ports/readStore.js';
import { OffThreadWriter } from '../../infrastructure/readstore/sqlite/offThreadWriter.js';
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
    await first.ensureCollections([{ name: 'deals', indexes: { stage: 'string', amount: 'number' } }]);
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

  it('serves a collection declared before fields had types once it is declared again with them, after checking its documents', async () => {
    const file = join(dir, 'untyped.sqlite');
    // Tables as an earlier version wrote them: the declaration lists field names alone.
    const earlier = new Database(file);
    earlier.exec(`
      CREATE TABLE collections (name TEXT PRIMARY KEY, indexes TEXT NOT NULL);
      CREATE TABLE "view_deals" (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      INSERT INTO collections VALUES ('deals', '["stage"]');
      INSERT INTO "view_deals" VALUES ('a', '{"id":"a","stage":"won"}'), ('b', '{"id":"b","stage":"lost"}'), ('c', '{"id":"c","stage":3}');
    `);
    earlier.close();

    const store = SqliteReadStore.open(file);
    try {
      await expect(store.find('deals', { where: { stage: 'won' }, limit: 10 })).rejects.toBeInstanceOf(UnknownField);
      await expect(store.ensureCollections([{ name: 'deals', indexes: { stage: 'string' } }])).rejects.toThrow('Field "stage" of "deals/c" is declared string but holds a number');
      await store.commit({ writes: [{ collection: 'deals', op: 'delete', id: 'c' }], checkpoint: { name: 'deals@g1', position: 1 } });
      await store.ensureCollections([{ name: 'deals', indexes: { stage: 'string' } }]);
      expect((await store.find('deals', { where: { stage: 'won' }, limit: 10 })).items).toEqual([{ id: 'a', stage: 'won' }]);
    } finally {
      await store.close();
    }
  });

  describe('a collection of thousands of documents', () => {
    const DOCUMENTS = 5_000;
    const filled = async (file: string, stray?: { id: string; stage: unknown }) => {
      const store = SqliteReadStore.open(file);
      await store.ensureCollections([{ name: 'deals', indexes: {} }]);
      const writes = Array.from({ length: DOCUMENTS }, (_, i) => ({ collection: 'deals', op: 'put' as const, doc: { id: `d${i}`, stage: `s${i % 7}`, amount: i } }));
      if (stray) writes.push({ collection: 'deals', op: 'put', doc: { id: stray.id, stage: stray.stage as string, amount: 0 } });
      await store.commit({ writes, checkpoint: { name: 'deals@g1', position: 1 } });
      return store;
    };

    it('gets its indexes built on the writer thread, a commit asked for meanwhile landing after them, and serves queries through them', async () => {
      const file = join(dir, 'large.sqlite');
      const store = await filled(file);
      const offThread = vi.spyOn(OffThreadWriter.prototype, 'run');
      try {
        const spec = { name: 'deals', indexes: { stage: 'string', amount: 'number' }, compoundIndexes: [['stage', 'amount']] } as const;
        const declaring = store.ensureCollections([spec]);
        const committing = store.commit({ writes: [{ collection: 'deals', op: 'put', doc: { id: 'late', stage: 's1', amount: -1 } }], checkpoint: { name: 'deals@g1', position: 2 } });
        await Promise.all([declaring, committing]);
        expect(offThread).toHaveBeenCalledOnce();
        expect(await store.getCheckpoint('deals@g1')).toBe(2);
        // Declared again, as at every start: nothing to build or check, so nothing for the writer thread.
        await store.ensureCollections([spec]);
        expect(offThread).toHaveBeenCalledOnce();
        const query = { where: { stage: 's1' }, orderBy: { field: 'amount', direction: 'asc' as const }, limit: 3 };
        expect((await store.find('deals', query)).items.map((d) => d.id)).toEqual(['late', 'd1', 'd8']);
        const plans = await store.explainFind('deals', query);
        expect(plans.flatMap((p) => p.plan).join(' ')).toContain('deals:stage+amount');

        // Another connection sees the declaration: it was committed, not just kept in this process.
        const other = SqliteReadStore.open(file);
        try {
          expect((await other.find('deals', { where: { amount: 4_999 }, limit: 1 })).items).toEqual([{ id: 'd4999', stage: 's1', amount: 4_999 }]);
        } finally {
          await other.close();
        }
      } finally {
        offThread.mockRestore();
        await store.close();
      }
    });

    it('refuses a declaration its documents do not fit, as for a small one, and declares nothing', async () => {
      const store = await filled(join(dir, 'large-stray.sqlite'), { id: 'odd', stage: 3 });
      try {
        await expect(store.ensureCollections([{ name: 'deals', indexes: { stage: 'string' } }])).rejects.toThrow('Field "stage" of "deals/odd" is declared string but holds a number');
        await expect(store.find('deals', { where: { stage: 's1' }, limit: 1 })).rejects.toBeInstanceOf(UnknownField);
        await store.commit({ writes: [{ collection: 'deals', op: 'delete', id: 'odd' }], checkpoint: { name: 'deals@g1', position: 2 } });
        await store.ensureCollections([{ name: 'deals', indexes: { stage: 'string' } }]);
        expect((await store.find('deals', { where: { stage: 's6' }, limit: 1 })).items).toHaveLength(1);
      } finally {
        await store.close();
      }
    });
  });

  describe('space', () => {
    const pagesOf = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return { pages: db.pragma('page_count', { simple: true }) as number, free: db.pragma('freelist_count', { simple: true }) as number };
      } finally {
        db.close();
      }
    };
    const fill = async (store: SqliteReadStore, collection: string, count: number) => {
      const writes = Array.from({ length: count }, (_, i) => ({ collection, op: 'put' as const, doc: { id: `d${i}`, n: i, text: 'x'.repeat(1000) } }));
      await store.commit({ writes, checkpoint: { name: `${collection}@g1`, position: count } });
    };

    it('gives the pages of a dropped collection back to the file system, as a rebuilt view drops its last generation', async () => {
      const file = join(dir, 'reclaim.sqlite');
      const store = SqliteReadStore.open(file);
      try {
        await store.ensureCollections([{ name: 'kept', indexes: { n: 'number' } }, { name: 'dropped', indexes: { n: 'number' } }]);
        await fill(store, 'kept', 100);
        await fill(store, 'dropped', 3000);
        const full = pagesOf(file);
        await store.dropCollection('dropped');
        const after = pagesOf(file);
        expect(after.free).toBe(0);
        expect(after.pages).toBeLessThan(full.pages / 10);
        expect((await store.find('kept', { where: { n: 99 }, limit: 1 })).items).toHaveLength(1);
      } finally {
        await store.close();
      }
    });

    it('drops a collection of a file an earlier version created, which keeps its free pages for later writes', async () => {
      const file = join(dir, 'earlier.sqlite');
      new Database(file).exec('CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)').close();
      const store = SqliteReadStore.open(file);
      try {
        await store.ensureCollections([{ name: 'dropped', indexes: {} }]);
        await fill(store, 'dropped', 1000);
        await store.dropCollection('dropped');
        expect(pagesOf(file).free).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
    });
  });
});
