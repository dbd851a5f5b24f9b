import { MongoDBContainer, type StartedMongoDBContainer } from '@testcontainers/mongodb';
import { MongoClient } from 'mongodb';
import { afterAll } from 'vitest';
import { containerRuntimeProblem } from './containerRuntime.js';

/**
 * Where a MongoDB contract suite runs: MONGODB_URL, else a container, else nowhere, and why.
 * Each suite gets its own database, shared by every store it opens and dropped at the end.
 */
export const mongoServerFor = async (suite: string) => {
  const configuredUrl = process.env.MONGODB_URL;
  const runtimeProblem = configuredUrl ? null : await containerRuntimeProblem();
  const dbName = `${suite}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let container: StartedMongoDBContainer | undefined;
  let usedUrl: string | undefined;

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

  return {
    dbName,
    skipped: runtimeProblem === null ? null : `MONGODB_URL is not set and no container runtime answered (${runtimeProblem})`,
    async url(): Promise<string> {
      if (configuredUrl) return (usedUrl = configuredUrl);
      // The image starts a single-node replica set (transactions need one); its member name only
      // resolves inside the container, hence a direct connection.
      container ??= await new MongoDBContainer('mongo:8').start();
      return (usedUrl = `${container.getConnectionString()}/?directConnection=true`);
    },
  };
};
