import { describe } from 'vitest';
import { MongoReadStore } from '../../infrastructure/readstore/mongo/mongoReadStore.js';
import { leaseContract } from '../contracts/leaseContract.js';
import { readStoreContract } from '../contracts/readStoreContract.js';
import { mongoServerFor } from '../support/mongoServer.js';

const server = await mongoServerFor('readstore_contract');

const open = async () => {
  const store = await MongoReadStore.connect(await server.url(), server.dbName);
  return { store, dispose: () => store.close() };
};

if (server.skipped === null) {
  readStoreContract('MongoDB', open);
  leaseContract('MongoDB', open);
} else {
  describe.skip(`MongoDB adapter contract — skipped: ${server.skipped}`, () => {
    readStoreContract('MongoDB', open);
    leaseContract('MongoDB', open);
  });
}
