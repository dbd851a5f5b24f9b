import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { UnknownField } from '../../application/ports/readStore.js';
import { MongoReadStore } from '../../infrastructure/readstore/mongo/mongoReadStore.js';
import { leaseContract } from '../contracts/leaseContract.js';
import { readStoreContract } from '../contracts/readStoreContract.js';
import { mongoServerFor } from '../support/mongoServer.js';

const server = await mongoServerFor('readstore_contract');

const open = async () => {
  const store = await MongoReadStore.connect(await server.url(), server.dbName);
  return { store, dispose: () => store.close() };
};

const suites = () => {
  readStoreContract('MongoDB', open);
  leaseContract('MongoDB', open);

  describe('MongoDB read store', () => {
    it('serves a collection declared before fields had types once it is declared again with them, after checking its documents', async () => {
      const url = await server.url();
      const name = `legacy_${Date.now().toString(36)}`;
      const client = await MongoClient.connect(url);
      try {
        const db = client.db(server.dbName);
        await db.collection<{ _id: string; stage: unknown }>(name).insertMany([
          { _id: 'a', stage: 'won' },
          { _id: 'b', stage: 'lost' },
          { _id: 'c', stage: 3 },
        ]);
        // A declaration as an earlier version wrote it: the field names alone.
        await db.collection<{ _id: string; indexes: string[] }>('_collections').insertOne({ _id: name, indexes: ['stage'] });
      } finally {
        await client.close();
      }

      const { store, dispose } = await open();
      try {
        await expect(store.find(name, { where: { stage: 'won' }, limit: 10 })).rejects.toBeInstanceOf(UnknownField);
        await expect(store.ensureCollections([{ name, indexes: { stage: 'string' } }])).rejects.toThrow(`Field "stage" of "${name}/c" is declared string but holds a number`);
        await store.commit({ writes: [{ collection: name, op: 'delete', id: 'c' }], checkpoint: { name: `${name}:cp`, position: 1 } });
        await store.ensureCollections([{ name, indexes: { stage: 'string' } }]);
        expect((await store.find(name, { where: { stage: 'won' }, limit: 10 })).items).toEqual([{ id: 'a', stage: 'won' }]);
      } finally {
        await dispose();
      }
    });
  });
};

if (server.skipped === null) {
  suites();
} else {
  describe.skip(`MongoDB adapter contract — skipped: ${server.skipped}`, suites);
}
