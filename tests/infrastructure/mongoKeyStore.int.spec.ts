import { MongoDBContainer, type StartedMongoDBContainer } from '@testcontainers/mongodb';
import { MongoClient } from 'mongodb';
import { afterAll, describe } from 'vitest';
import { MongoKeyStore } from '../../infrastructure/keystore/mongo/mongoKeyStore.js';
import { keyStoreContract } from '../contracts/keyStoreContract.js';
import { containerRuntimeProblem } from '../support/containerRuntime.js';

const configuredUrl = process.env.MONGODB_URL;
const runtimeProblem = configuredUrl ? null : await containerRuntimeProblem();

let container: StartedMongoDBContainer | undefined;
const dbName = `keystore_contract_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let usedUrl: string | undefined;

const open = async () => {
  container ??= configuredUrl ? undefined : await new MongoDBContainer('mongo:8').start();
  usedUrl = configuredUrl ?? `${container!.getConnectionString()}/?directConnection=true`;
  const store = await MongoKeyStore.connect(usedUrl, dbName);
  return { store, dispose: () => store.close() };
};

afterAll(async () => {
  if (usedUrl) {
    const client = await MongoClient.connect(usedUrl);
    try {
      await client.db(dbName).dropDatabase();
    } finally {
      await client.close();
    }
  }
  await container?.stop();
});

if (runtimeProblem === null) {
  keyStoreContract('MongoDB', open);
} else {
  describe.skip(`MongoDB key store contract — skipped: MONGODB_URL is not set and no container runtime answered (${runtimeProblem})`, () => {
    keyStoreContract('MongoDB', open);
  });
}
