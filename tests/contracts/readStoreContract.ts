import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidCursor,
  InvalidQuery,
  MAX_IN_VALUES,
  UnknownCollection,
  UnknownField,
  type Document,
  type DocumentWrite,
  type FindQuery,
  type IndexType,
  type ReadStore,
} from '../../application/ports/readStore.js';

type Opened = { store: ReadStore; dispose: () => Promise<void> };

type Row = Document & { status: string; amount: number; active: boolean; rank?: number | null };

/**
 * What both adapters promise; every adapter runs it unchanged. Each call of `open` returns a
 * new store on the same storage, as two processes would share one.
 */
export function readStoreContract(name: string, open: () => Promise<Opened>): void {
  describe(`ReadStore contract: ${name}`, () => {
    // Unique per run: the MongoDB server may be shared with other runs.
    const run = `rs${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const fields: Record<string, IndexType> = { status: 'string', amount: 'number', active: 'boolean', rank: 'number', name: 'string' };
    let opened: Opened | undefined;
    let count = 0;

    const store = (): ReadStore => {
      if (!opened) throw new Error('store not opened');
      return opened.store;
    };
    /** A collection of its own for each test, so no test sees another's documents. */
    const fresh = async (indexes: Record<string, IndexType> = fields): Promise<string> => {
      const collection = `${run}_${++count}`;
      await store().ensureCollections([{ name: collection, indexes }]);
      return collection;
    };
    const checkpoint = (label: string) => `${run}:${label}`;
    const put = (collection: string, docs: Document[], position: number, label = 'main') =>
      store().commit({
        writes: docs.map((doc) => ({ collection, op: 'put' as const, doc })),
        checkpoint: { name: checkpoint(label), position },
      });
    const ids = (items: Document[]) => items.map((d) => d.id);

    /**
     * 25 documents: ranks with ties, five null or missing ranks, ids that do not follow the
     * ranks, written in an order that is neither.
     */
    const ranked: Row[] = Array.from({ length: 25 }, (_, i) => {
      const id = `d${String((i * 7) % 25).padStart(2, '0')}`;
      const base = { id, status: ['open', 'won', 'lost'][i % 3] as string, amount: i * 10, active: i % 2 === 0 };
      if (i % 12 === 0) return base;
      return { ...base, rank: i % 6 === 0 ? null : i % 4 };
    }).reverse();

    const compare = (a: Row, b: Row): number => {
      const x = a.rank ?? null;
      const y = b.rank ?? null;
      if (x !== y) return x === null ? -1 : y === null ? 1 : x - y;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    };
    const expected = (direction: 'asc' | 'desc', keep: (r: Row) => boolean = () => true) => {
      const sorted = ranked.filter(keep).sort(compare);
      return ids(direction === 'asc' ? sorted : sorted.reverse());
    };

    const pageThrough = async (collection: string, query: Omit<FindQuery, 'cursor'>) => {
      const sizes: number[] = [];
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 30; page++) {
        const result = await store().find(collection, cursor ? { ...query, cursor } : query);
        sizes.push(result.items.length);
        seen.push(...ids(result.items));
        if (result.nextCursor === null) return { sizes, seen };
        cursor = result.nextCursor;
      }
      throw new Error('pagination never ended');
    };

    beforeAll(async () => {
      opened = await open();
    });
    afterAll(async () => {
      await opened?.dispose();
    });

    it('answers ping', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });

    it('puts, gets, gets many and deletes documents', async () => {
      const c = await fresh();
      const a = { id: 'a', status: 'open', amount: 100, nested: { tags: ['x', 'y'] } };
      const b = { id: 'b', status: 'won' };
      const d = { id: 'd', status: 'lost', amount: 5 };
      await put(c, [a, b, d], 1);

      expect(await store().get(c, 'a')).toEqual(a);
      expect(await store().get(c, 'missing')).toBeNull();
      expect(await store().getMany(c, ['d', 'missing', 'a', 'd'])).toEqual([d, a]);
      expect(await store().getMany(c, [])).toEqual([]);

      const replaced = { id: 'a', status: 'won' };
      await put(c, [replaced], 2);
      expect(await store().get(c, 'a')).toEqual(replaced);

      await store().commit({ writes: [{ collection: c, op: 'delete', id: 'b' }], checkpoint: { name: checkpoint('main'), position: 3 } });
      expect(await store().get(c, 'b')).toBeNull();
      expect(await store().getMany(c, ['b', 'd'])).toEqual([d]);
    });

    it('moves and deletes checkpoints', async () => {
      const c = await fresh();
      const cp = checkpoint('moves');
      expect(await store().getCheckpoint(cp)).toBeNull();
      await put(c, [{ id: 'x' }], 5, 'moves');
      expect(await store().getCheckpoint(cp)).toBe(5);
      await store().commit({ writes: [], checkpoint: { name: cp, position: 9 } });
      expect(await store().getCheckpoint(cp)).toBe(9);
      await store().deleteCheckpoint(cp);
      expect(await store().getCheckpoint(cp)).toBeNull();
      await expect(store().deleteCheckpoint(cp)).resolves.toBeUndefined();
    });

    it('leaves documents and checkpoint untouched when a commit fails', async () => {
      const c = await fresh();
      const cp = checkpoint('atomic');
      await put(c, [{ id: 'kept', status: 'open' }], 1, 'atomic');

      const failing: Array<{ why: typeof UnknownCollection | typeof InvalidQuery; writes: Parameters<ReadStore['commit']>[0]['writes'] }> = [
        {
          why: UnknownCollection,
          writes: [
            { collection: c, op: 'put', doc: { id: 'new', status: 'won' } },
            { collection: c, op: 'delete', id: 'kept' },
            { collection: `${run}_undeclared`, op: 'put', doc: { id: 'z' } },
          ],
        },
        {
          why: InvalidQuery,
          writes: [
            { collection: c, op: 'put', doc: { id: 'new', status: 'won' } },
            { collection: c, op: 'delete', id: 'kept' },
            { collection: c, op: 'put', doc: { status: 'no id' } as unknown as Document },
          ],
        },
        {
          why: InvalidQuery,
          writes: [
            { collection: c, op: 'put', doc: { id: 'new', status: 'won' } },
            { collection: c, op: 'put', doc: { id: 'bad', status: { $ne: null } } },
          ],
        },
      ];
      for (const { why, writes } of failing) {
        await expect(store().commit({ writes, checkpoint: { name: cp, position: 2 } })).rejects.toThrow(why);
        expect(await store().get(c, 'new')).toBeNull();
        expect(await store().get(c, 'kept')).toEqual({ id: 'kept', status: 'open' });
        expect(await store().getCheckpoint(cp)).toBe(1);
      }
    });

    it('gets and sets meta records', async () => {
      const key = `${run}:meta`;
      expect(await store().getMeta(key)).toBeNull();
      await store().setMeta(key, { active: { version: 2, generation: 3 }, building: null });
      expect(await store().getMeta(key)).toEqual({ active: { version: 2, generation: 3 }, building: null });
      await store().setMeta(key, 'replaced');
      expect(await store().getMeta(key)).toBe('replaced');
    });

    it('finds by equality on strings, numbers, booleans and null', async () => {
      const c = await fresh();
      await put(c, ranked, 1);
      const where = async (w: FindQuery['where']) => ids((await store().find(c, { where: w, limit: 100 })).items).sort();
      const matching = (keep: (r: Row) => boolean) => ids(ranked.filter(keep)).sort();

      expect(await where({ status: 'won' })).toEqual(matching((r) => r.status === 'won'));
      expect(await where({ amount: 70 })).toEqual(matching((r) => r.amount === 70));
      expect(await where({ active: false })).toEqual(matching((r) => r.active === false));
      // Null matches a null value and a missing field alike.
      expect(await where({ rank: null })).toEqual(matching((r) => r.rank === undefined || r.rank === null));
      expect(await where({ status: 'open', rank: 1 })).toEqual(matching((r) => r.status === 'open' && r.rank === 1));
    });

    it('finds by range', async () => {
      const c = await fresh();
      await put(c, ranked, 1);
      const where = async (w: FindQuery['where']) => ids((await store().find(c, { where: w, limit: 100 })).items).sort();
      const matching = (keep: (r: Row) => boolean) => ids(ranked.filter(keep)).sort();

      expect(await where({ amount: { gt: 200 } })).toEqual(matching((r) => r.amount > 200));
      expect(await where({ amount: { gte: 200 } })).toEqual(matching((r) => r.amount >= 200));
      expect(await where({ amount: { lt: 30 } })).toEqual(matching((r) => r.amount < 30));
      expect(await where({ amount: { gte: 50, lte: 90 } })).toEqual(matching((r) => r.amount >= 50 && r.amount <= 90));
      expect(await where({ rank: { lt: 2 } })).toEqual(matching((r) => typeof r.rank === 'number' && r.rank < 2));
      expect(await where({ status: { gte: 'o' }, active: true })).toEqual(matching((r) => r.status >= 'o' && r.active === true));
    });

    it('finds one of a list of values, with other conditions and in pages', async () => {
      const c = await fresh();
      await put(c, ranked, 1);
      const where = async (w: FindQuery['where']) => ids((await store().find(c, { where: w, limit: 100 })).items).sort();
      const matching = (keep: (r: Row) => boolean) => ids(ranked.filter(keep)).sort();

      expect(await where({ status: { in: ['won', 'lost'] } })).toEqual(matching((r) => r.status === 'won' || r.status === 'lost'));
      expect(await where({ amount: { in: [70, 200] }, active: true })).toEqual(matching((r) => [70, 200].includes(r.amount) && r.active === true));
      expect(await where({ active: { in: [false] } })).toEqual(matching((r) => r.active === false));
      expect(await where({ status: { in: ['nobody'] } })).toEqual([]);
      const page = await store().find(c, { where: { status: { in: ['open', 'won'] } }, orderBy: { field: 'amount', direction: 'desc' }, limit: 2 });
      const rest = await store().find(c, { where: { status: { in: ['open', 'won'] } }, orderBy: { field: 'amount', direction: 'desc' }, limit: 100, cursor: page.nextCursor! });
      expect([...ids(page.items), ...ids(rest.items)].sort()).toEqual(matching((r) => r.status === 'open' || r.status === 'won'));
      for (const bad of [{ in: [] }, { in: [null] }, { in: ['a'], gt: 1 }, { in: 'won' }, { in: [['a']] }, { in: Array.from({ length: MAX_IN_VALUES + 1 }, (_, i) => `v${i}`) }]) {
        await expect(store().find(c, { where: { status: bad as never }, limit: 10 })).rejects.toBeInstanceOf(InvalidQuery);
      }
    });

    it('orders ascending and descending, ties by id, nulls lowest', async () => {
      const c = await fresh();
      await put(c, ranked, 1);
      const asc = await store().find(c, { orderBy: { field: 'rank', direction: 'asc' }, limit: 100 });
      expect(ids(asc.items)).toEqual(expected('asc'));
      expect(asc.nextCursor).toBeNull();
      const desc = await store().find(c, { orderBy: { field: 'rank', direction: 'desc' }, limit: 100 });
      expect(ids(desc.items)).toEqual(expected('desc'));
      const byId = await store().find(c, { limit: 100 });
      expect(ids(byId.items)).toEqual(ids(ranked).sort());
    });

    it('pages through 25 documents in pages of 10, each exactly once, in order', async () => {
      const c = await fresh();
      await put(c, ranked, 1);
      for (const direction of ['asc', 'desc'] as const) {
        const { sizes, seen } = await pageThrough(c, { orderBy: { field: 'rank', direction }, limit: 10 });
        expect(sizes).toEqual([10, 10, 5]);
        expect(seen).toEqual(expected(direction));
      }
      const byId = await pageThrough(c, { limit: 10 });
      expect(byId.sizes).toEqual([10, 10, 5]);
      expect(byId.seen).toEqual(ids(ranked).sort());
      // Small pages cross every tie and the boundary between nulls and values.
      const filtered = await pageThrough(c, { where: { active: true }, orderBy: { field: 'rank', direction: 'desc' }, limit: 2 });
      expect(filtered.seen).toEqual(expected('desc', (r) => r.active === true));
      const nulls = await pageThrough(c, { where: { rank: null }, orderBy: { field: 'rank', direction: 'asc' }, limit: 1 });
      expect(nulls.seen).toEqual(expected('asc', (r) => r.rank === undefined || r.rank === null));
    });

    it('serves pages shaped like a compound index, filtered by a value or a list of values, each document once and in order', async () => {
      const c = `${run}_${++count}`;
      await store().ensureCollections([{ name: c, indexes: fields, compoundIndexes: [['status', 'rank'], ['active', 'status', 'rank'], ['status', 'amount']] }]);
      await put(c, ranked, 1);
      const shapes: { where: FindQuery['where']; keep: (r: Row) => boolean }[] = [
        { where: { status: 'open' }, keep: (r) => r.status === 'open' },
        { where: { status: { in: ['open', 'lost'] } }, keep: (r) => r.status === 'open' || r.status === 'lost' },
        { where: { active: true, status: { in: ['won', 'lost', 'nobody'] } }, keep: (r) => r.active && r.status !== 'open' },
        { where: { status: { in: ['open', 'won'] }, amount: { gte: 40 } }, keep: (r) => r.status !== 'lost' && r.amount >= 40 },
      ];
      for (const { where, keep } of shapes) {
        for (const direction of ['asc', 'desc'] as const) {
          // Pages of two cross every tie, the boundary between nulls and values, and the values of a list.
          const { seen } = await pageThrough(c, { where, orderBy: { field: 'rank', direction }, limit: 2 });
          expect(seen).toEqual(expected(direction, keep));
        }
      }
      for (const limit of [1, 3, 7, 30]) {
        // One value of the list may hold all of a page, or none of it.
        const { seen } = await pageThrough(c, { where: { status: { in: ['lost', 'open', 'won', 'nobody'] } }, orderBy: { field: 'rank', direction: 'desc' }, limit });
        expect(seen, `pages of ${limit}`).toEqual(expected('desc'));
      }
      const byAmount = await pageThrough(c, { where: { status: { in: ['won', 'open'] } }, orderBy: { field: 'amount', direction: 'desc' }, limit: 3 });
      expect(byAmount.seen).toEqual(ranked.filter((r) => r.status !== 'lost').sort((a, b) => b.amount - a.amount || (a.id < b.id ? 1 : -1)).map((r) => r.id));
    });

    it('refuses a compound index of fewer than two fields, or naming a field it does not declare', async () => {
      for (const compoundIndexes of [[['status']], [['status', 'nothing']], [['status', 'status']], [["status') --", 'rank']]]) {
        await expect(store().ensureCollections([{ name: `${run}_compound`, indexes: fields, compoundIndexes }])).rejects.toThrow(TypeError);
      }
    });

    it('refuses fields that were not declared', async () => {
      const c = await fresh({ status: 'string' });
      await expect(store().find(c, { where: { amount: 1 }, limit: 10 })).rejects.toBeInstanceOf(UnknownField);
      await expect(store().find(c, { orderBy: { field: 'amount', direction: 'asc' }, limit: 10 })).rejects.toBeInstanceOf(UnknownField);
      await expect(store().find(c, { where: { "status') OR 1=1 --": 'x' }, limit: 10 })).rejects.toBeInstanceOf(UnknownField);
      await expect(store().find(c, { where: { $where: 'true' }, limit: 10 })).rejects.toBeInstanceOf(UnknownField);
    });

    it('refuses every use of a collection that was never declared', async () => {
      const c = `${run}_never`;
      await expect(store().get(c, 'a')).rejects.toBeInstanceOf(UnknownCollection);
      await expect(store().getMany(c, ['a'])).rejects.toBeInstanceOf(UnknownCollection);
      await expect(store().find(c, { limit: 10 })).rejects.toBeInstanceOf(UnknownCollection);
      await expect(store().find(c, { limit: 10 })).rejects.toMatchObject({ collection: c });
      const commit = store().commit({ writes: [{ collection: c, op: 'delete', id: 'a' }], checkpoint: { name: checkpoint('never'), position: 1 } });
      await expect(commit).rejects.toBeInstanceOf(UnknownCollection);
    });

    it('refuses queries and documents of the wrong shape', async () => {
      const c = await fresh();
      await put(c, [{ id: 'kept', status: 'open' }], 1, 'shape');
      for (const limit of [0, -1, 1.5, Number.NaN, '10']) {
        await expect(store().find(c, { limit: limit as number })).rejects.toBeInstanceOf(InvalidQuery);
      }
      await expect(store().find(c, { orderBy: { field: 'rank', direction: 'up' as 'asc' }, limit: 10 })).rejects.toBeInstanceOf(InvalidQuery);
      await expect(store().getMany(c, ['kept', ''])).rejects.toBeInstanceOf(InvalidQuery);
      const writes = [
        { collection: c, op: 'put', doc: { id: 'x', _id: 'x' } },
        { collection: c, op: 'put', doc: ['x'] },
        { collection: c, op: 'put', doc: { id: 'x', amount: [1] } },
        { collection: c, op: 'delete', id: '' },
        { collection: c, op: 'upsert', doc: { id: 'x' } },
      ] as unknown as DocumentWrite[];
      for (const write of writes) {
        await expect(store().commit({ writes: [write], checkpoint: { name: checkpoint('shape'), position: 2 } })).rejects.toBeInstanceOf(InvalidQuery);
      }
      expect(await store().getCheckpoint(checkpoint('shape'))).toBe(1);
    });

    it('refuses a document whose indexed field holds another type than declared, and writes nothing of its batch', async () => {
      const c = await fresh();
      const cp = checkpoint('types');
      await put(c, [{ id: 'kept', status: 'open', amount: 1, active: true }], 1, 'types');
      // Null and a missing field fit every type.
      const fits = { id: 'fits', status: null, amount: 2 };
      const strays: Array<[Document, string, IndexType, string]> = [
        [{ id: 'x', amount: '70' }, 'amount', 'number', 'string'],
        [{ id: 'x', amount: true }, 'amount', 'number', 'boolean'],
        [{ id: 'x', active: 1 }, 'active', 'boolean', 'number'],
        [{ id: 'x', active: 'true' }, 'active', 'boolean', 'string'],
        [{ id: 'x', status: 5 }, 'status', 'string', 'number'],
        [{ id: 'x', status: false }, 'status', 'string', 'boolean'],
        [{ id: 'x', rank: '1' }, 'rank', 'number', 'string'],
      ];
      for (const [stray, field, declared, held] of strays) {
        const commit = store().commit({
          writes: [
            { collection: c, op: 'put', doc: fits },
            { collection: c, op: 'put', doc: stray },
          ],
          checkpoint: { name: cp, position: 2 },
        });
        await expect(commit).rejects.toBeInstanceOf(InvalidQuery);
        await expect(commit).rejects.toThrow(`Field "${field}" of "${c}/x" is declared ${declared} but holds a ${held}`);
      }
      expect(await store().get(c, 'fits')).toBeNull();
      expect(await store().getCheckpoint(cp)).toBe(1);
      await put(c, [fits], 2, 'types');
      expect(await store().get(c, 'fits')).toEqual(fits);
    });

    it('refuses a filter, a range, a list or a cursor value of another type than its field', async () => {
      const c = await fresh();
      await put(c, ranked, 1);
      const refused: FindQuery['where'][] = [
        { amount: '70' },
        { amount: true },
        { status: 5 },
        { active: 1 },
        { active: 'true' },
        { amount: { gt: '5' } },
        { status: { lt: 5 } },
        { active: { gte: false } },
        { active: { gt: 0 } },
        { amount: { in: [70, '80'] } },
        { active: { in: [1] } },
        { status: { in: [true] } },
      ];
      for (const where of refused) {
        await expect(store().find(c, { where, limit: 10 })).rejects.toBeInstanceOf(InvalidQuery);
      }
      const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      await expect(store().find(c, { orderBy: { field: 'rank', direction: 'asc' }, limit: 5, cursor: json(['rank', 'asc', '1', 'd00']) })).rejects.toBeInstanceOf(InvalidCursor);
      await expect(store().find(c, { orderBy: { field: 'active', direction: 'asc' }, limit: 5, cursor: json(['active', 'asc', 1, 'd00']) })).rejects.toBeInstanceOf(InvalidCursor);
    });

    it('never lets a boolean match 1 or 0, nor a number match true or false; false sorts before true', async () => {
      const c = await fresh();
      await put(c, [{ id: 't', active: true, amount: 1 }, { id: 'f', active: false, amount: 0 }, { id: 'n', active: null, amount: null }], 1);
      const found = async (query: Omit<FindQuery, 'limit'>) => ids((await store().find(c, { ...query, limit: 10 })).items);

      expect(await found({ where: { active: true } })).toEqual(['t']);
      expect(await found({ where: { active: false } })).toEqual(['f']);
      expect(await found({ where: { amount: 1 } })).toEqual(['t']);
      expect(await found({ where: { amount: 0 } })).toEqual(['f']);
      expect(await found({ where: { active: { in: [true, false] } } })).toEqual(['f', 't']);
      const crossed: FindQuery['where'][] = [{ active: 1 }, { active: 0 }, { amount: true }, { amount: false }, { active: { in: [1] } }, { amount: { in: [true] } }];
      for (const where of crossed) {
        await expect(found({ where })).rejects.toBeInstanceOf(InvalidQuery);
      }
      expect(await found({ orderBy: { field: 'active', direction: 'asc' } })).toEqual(['n', 'f', 't']);
      expect(await found({ orderBy: { field: 'active', direction: 'desc' } })).toEqual(['t', 'f', 'n']);
    });

    it('pages through strings, numbers and booleans, each in its own order, ties by id, nulls lowest', async () => {
      const typed = { word: 'string', count: 'number', flag: 'boolean' } as const;
      const c = await fresh(typed);
      const words = ['b', 'B', 'a', 'ab', '', 'Z', '10', '9', 'é', 'a b'];
      const counts = [-5, -0.5, 0, 0.25, 1, 2, 2, 10, 1e6, Number.MAX_SAFE_INTEGER, 3.5];
      // Nulls and missing fields in each, at different documents, and ties in every field.
      const docs: Document[] = Array.from({ length: 30 }, (_, i) => {
        const doc: Document = { id: `t${String((i * 11) % 30).padStart(2, '0')}` };
        if (i % 9 !== 4) doc.word = i % 7 === 3 ? null : words[i % words.length];
        if (i % 8 !== 5) doc.count = i % 6 === 1 ? null : counts[i % counts.length];
        if (i % 10 !== 2) doc.flag = i % 5 === 0 ? null : i % 3 === 0;
        return doc;
      });
      await put(c, docs, 1);

      const rank = (value: unknown) => (typeof value === 'boolean' ? Number(value) : value) as string | number;
      for (const field of Object.keys(typed)) {
        const value = (d: Document) => d[field] ?? null;
        const ordered = [...docs].sort((a, b) => {
          const [x, y] = [value(a), value(b)];
          if (x !== y) {
            if (x === null || y === null) return x === null ? -1 : 1;
            return rank(x) < rank(y) ? -1 : 1;
          }
          return a.id < b.id ? -1 : 1;
        });
        for (const direction of ['asc', 'desc'] as const) {
          const want = ids(direction === 'asc' ? ordered : [...ordered].reverse());
          const { seen } = await pageThrough(c, { orderBy: { field, direction }, limit: 3 });
          expect(seen, `${field} ${direction}`).toEqual(want);
        }
      }
    });

    it('refuses to declare a field again with another type', async () => {
      const c = await fresh({ status: 'string' });
      await expect(store().ensureCollections([{ name: c, indexes: { status: 'number' } }])).rejects.toThrow(`Field "status" of "${c}" is declared string`);
      await expect(store().find(c, { where: { status: 1 }, limit: 10 })).rejects.toBeInstanceOf(InvalidQuery);
      await expect(store().ensureCollections([{ name: c, indexes: { status: 'date' as IndexType } }])).rejects.toThrow(TypeError);
    });

    it('checks the documents a collection holds before declaring a field on it, as when a rebuilt view gets its indexes', async () => {
      // Declared without indexes, as a generation is while it is built.
      const c = await fresh({});
      const docs = [{ id: 'a', amount: 1, flag: true }, { id: 'b', amount: '2' }, { id: 'c', amount: null }, { id: 'd' }, { id: 'e', flag: [true] }];
      await put(c, docs, 1, 'held');

      await expect(store().ensureCollections([{ name: c, indexes: { amount: 'number' } }])).rejects.toThrow(`Field "amount" of "${c}/b" is declared number but holds a string`);
      await expect(store().ensureCollections([{ name: c, indexes: { amount: 'string' } }])).rejects.toThrow(`Field "amount" of "${c}/a" is declared string but holds a number`);
      // An array of booleans is no boolean.
      await expect(store().ensureCollections([{ name: c, indexes: { flag: 'boolean' } }])).rejects.toThrow(`Field "flag" of "${c}/e" is declared boolean but holds an array`);
      await expect(store().find(c, { where: { amount: 1 }, limit: 10 })).rejects.toBeInstanceOf(UnknownField);

      await store().commit({
        writes: [
          { collection: c, op: 'delete', id: 'b' },
          { collection: c, op: 'delete', id: 'e' },
        ],
        checkpoint: { name: checkpoint('held'), position: 2 },
      });
      await store().ensureCollections([{ name: c, indexes: { amount: 'number', flag: 'boolean' } }]);
      expect(ids((await store().find(c, { where: { amount: 1 }, limit: 10 })).items)).toEqual(['a']);
      expect(ids((await store().find(c, { where: { amount: null }, limit: 10 })).items)).toEqual(['c', 'd']);
      await expect(put(c, [{ id: 'f', flag: 1 }], 3, 'held')).rejects.toBeInstanceOf(InvalidQuery);
    });

    it('refuses a cursor it did not issue', async () => {
      const c = await fresh();
      await put(c, ranked, 1);
      const byRank = { orderBy: { field: 'rank', direction: 'asc' as const }, limit: 5 };
      const issued = (await store().find(c, byRank)).nextCursor;
      if (issued === null) throw new Error('expected a second page');
      const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const bad = ['', 'not a cursor!', Buffer.from('hello').toString('base64url'), json([1, 2]), json(['rank', 'asc', { $gt: '' }, 'd00'])];
      for (const cursor of bad) {
        await expect(store().find(c, { ...byRank, cursor })).rejects.toBeInstanceOf(InvalidCursor);
      }
      // A cursor belongs to the order that issued it.
      await expect(store().find(c, { ...byRank, orderBy: { field: 'rank', direction: 'desc' }, cursor: issued })).rejects.toBeInstanceOf(
        InvalidCursor,
      );
      await expect(store().find(c, { limit: 5, cursor: issued })).rejects.toBeInstanceOf(InvalidCursor);
    });

    it('treats injection attempts as plain values or refuses them', async () => {
      const c = await fresh();
      const sly = "' OR 1=1 --";
      await put(c, [...ranked, { id: 'sly', name: sly }], 1);
      const find = (where: unknown) => store().find(c, { where: where as FindQuery['where'], limit: 100 });

      expect(ids((await find({ status: sly })).items)).toEqual([]);
      expect(ids((await find({ name: sly })).items)).toEqual(['sly']);
      expect(ids((await find({ status: '{"$ne":null}' })).items)).toEqual([]);
      for (const where of [{ status: { $ne: null } }, { status: { $gt: '' } }, { amount: { gt: { $ne: null } } }, { status: ['open'] }, { status: { gt: undefined } }]) {
        await expect(find(where)).rejects.toBeInstanceOf(InvalidQuery);
      }
      await expect(store().get(c, { $ne: null } as unknown as string)).rejects.toBeInstanceOf(InvalidQuery);
      await expect(store().find('x; DROP TABLE checkpoints; --', { limit: 1 })).rejects.toBeInstanceOf(UnknownCollection);
      await expect(store().ensureCollections([{ name: 'x"; DROP TABLE meta; --', indexes: {} }])).rejects.toThrow(TypeError);
      await expect(store().ensureCollections([{ name: `${run}_sly`, indexes: { "a') --": 'string' } }])).rejects.toThrow(TypeError);
      await expect(store().ensureCollections([{ name: `${run}_sly`, indexes: { a: "string') --" as IndexType } }])).rejects.toThrow(TypeError);
      expect(await store().get(c, 'sly')).toEqual({ id: 'sly', name: sly });
    });

    it('declares collections idempotently and adds indexes declared later', async () => {
      const c = await fresh({ status: 'string' });
      await put(c, [{ id: 'one', status: 'open', amount: 3 }], 1);
      await store().ensureCollections([{ name: c, indexes: { status: 'string' } }]);
      await expect(store().find(c, { where: { amount: 3 }, limit: 10 })).rejects.toBeInstanceOf(UnknownField);

      await store().ensureCollections([{ name: c, indexes: { amount: 'number' } }]);
      expect(ids((await store().find(c, { where: { amount: 3 }, limit: 10 })).items)).toEqual(['one']);
      expect(ids((await store().find(c, { where: { status: 'open' }, limit: 10 })).items)).toEqual(['one']);
      // Table names ignore case on SQLite, so no store accepts such a pair.
      await expect(store().ensureCollections([{ name: c.toUpperCase(), indexes: {} }])).rejects.toThrow(/only in case/);
    });

    it('sees collections and fields another store declared, and keeps them when re-declaring', async () => {
      const other = await open();
      try {
        const c = `${run}_${++count}`;
        await other.store.ensureCollections([{ name: c, indexes: { status: 'string' } }]);
        await other.store.commit({
          writes: [{ collection: c, op: 'put', doc: { id: 'a', status: 'open', amount: 1 } }],
          checkpoint: { name: checkpoint('other'), position: 1 },
        });
        expect(ids((await store().find(c, { where: { status: 'open' }, limit: 10 })).items)).toEqual(['a']);

        await other.store.ensureCollections([{ name: c, indexes: { amount: 'number' } }]);
        // This store's copy of the declaration is now stale; declaring again must not narrow it.
        await store().ensureCollections([{ name: c, indexes: { status: 'string' } }]);
        expect(ids((await store().find(c, { where: { amount: 1 }, limit: 10 })).items)).toEqual(['a']);
      } finally {
        await other.dispose();
      }
    });

    it('drops a collection and forgets its declaration', async () => {
      const c = await fresh();
      await put(c, ranked, 1);
      await store().dropCollection(c);
      await expect(store().get(c, 'd00')).rejects.toBeInstanceOf(UnknownCollection);
      await expect(store().find(c, { limit: 10 })).rejects.toBeInstanceOf(UnknownCollection);
      await expect(store().dropCollection(c)).resolves.toBeUndefined();

      await store().ensureCollections([{ name: c, indexes: { status: 'string' } }]);
      expect((await store().find(c, { limit: 10 })).items).toEqual([]);
      await expect(store().find(c, { where: { amount: 1 }, limit: 10 })).rejects.toBeInstanceOf(UnknownField);
    });
  });
}
