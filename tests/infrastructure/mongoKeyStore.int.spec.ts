import { describe } from 'vitest';
import { MongoKeyStore } from '../../infrastructure/keystore/mongo/mongoKeyStore.js';
import { keyStoreContract } from '../contracts/keyStoreContract.js';
import { mongoServerFor } from '../support/mongoServer.js';

const server = await mongoServerFor('keystore_contract');

const open = async () => {
  const store = await MongoKeyStore.connect(await server.url(), server.dbName);
  return { store, dispose: () => store.close() };
};

if (server.skipped === null) {
  keyStoreContract('MongoDB', open);
} else {
  describe.skip(`MongoDB key store contract — skipped: ${server.skipped}`, () => {
    keyStoreContract('MongoDB', open);
  });
}
