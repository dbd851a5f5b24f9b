import { MongoDBContainer, type StartedMongoDBContainer } from '@testcontainers/mongodb';
import { MongoClient } from 'mongodb';
import { afterAll, describe } from 'vitest';
import { MongoReadStore } from '../../infrastructure/readstore/mongo/mongoReadStore.js';
import { readStoreContract } from '../contracts/readStoreContract.js';
import { containerRuntimeProblem } from '../support/containerRuntime.js';

const configuredUrl = process.env.MONGODB_URL;

const runtimeProblem = configuredUrl ? null : await containerRuntimeProblem();

let container: StartedMongoDBContainer | undefined;
/** One database per run, shared by every store the contract opens, dropped at the end. */
const dbName = `readstore_contract_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let usedUrl: string | undefined;

async function serverUrl(): Promise<string> {
  if (configuredUrl) return configuredUrl;
  // The image starts a single-node replica set (transactions need one); its member name only
  // resolves inside the container, hence a direct connection.
  container ??= await new MongoDBContainer('mongo:8').start();
  return `${container.getConnectionString()}/?directConnection=true`;
}

const open = async () => {
  usedUrl = await serverUrl();
  const store = await MongoReadStore.connect(usedUrl, dbName);
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
  readStoreContract('MongoDB', open);
} else {
  describe.skip(`MongoDB adapter contract — skipped: MONGODB_URL is not set and no container runtime answered (${runtimeProblem})`, () => {
    readStoreContract('MongoDB', open);
  });
}
