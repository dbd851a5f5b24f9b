import { MongoDBContainer, type StartedMongoDBContainer } from '@testcontainers/mongodb';
import { MongoClient } from 'mongodb';
import { getContainerRuntimeClient } from 'testcontainers';
import { afterAll, describe } from 'vitest';
import { MongoReadStore } from '../../infrastructure/readstore/mongo/mongoReadStore.js';
import { readStoreContract } from '../contracts/readStoreContract.js';

const PROBE_TIMEOUT_MS = 5_000;
const configuredUrl = process.env.MONGODB_URL;

/** Why no container runtime can be used, or null when one answers. Bounded so that a machine without one fails fast. */
async function containerRuntimeProblem(): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

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
