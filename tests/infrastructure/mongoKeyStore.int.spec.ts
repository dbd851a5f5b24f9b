import { Binary, MongoClient } from 'mongodb';
import { describe } from 'vitest';
import { MongoKeyStore } from '../../infrastructure/keystore/mongo/mongoKeyStore.js';
import { keyStoreContract, type OpenedKeyStore } from '../contracts/keyStoreContract.js';
import { mongoServerFor } from '../support/mongoServer.js';

const server = await mongoServerFor('keystore_contract');

const open = async (): Promise<OpenedKeyStore> => {
  const url = await server.url();
  const store = await MongoKeyStore.connect(url, server.dbName);
  return {
    store,
    dispose: () => store.close(),
    // Documents as the key store wrote them before keys were wrapped.
    async writeUnwrapped(keys, erased) {
      const client = await MongoClient.connect(url);
      try {
        const now = new Date().toISOString();
        await client
          .db(server.dbName)
          .collection<{ _id: string; key: Binary | null; createdAt: string; destroyedAt: string | null }>('personal_data_keys')
          .insertMany([
            ...keys.map(({ subject, key }) => ({ _id: subject, key: new Binary(key), createdAt: now, destroyedAt: null })),
            ...erased.map((subject) => ({ _id: subject, key: null, createdAt: now, destroyedAt: now })),
          ]);
      } finally {
        await client.close();
      }
    },
  };
};

if (server.skipped === null) {
  keyStoreContract('MongoDB', open);
} else {
  describe.skip(`MongoDB key store contract — skipped: ${server.skipped}`, () => {
    keyStoreContract('MongoDB', open);
  });
}
