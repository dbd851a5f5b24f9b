import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../infrastructure/config.js';
import { MongoKeyStore } from '../../infrastructure/keystore/mongo/mongoKeyStore.js';
import { MongoReadStore } from '../../infrastructure/readstore/mongo/mongoReadStore.js';
import { containerRuntimeProblem } from '../support/containerRuntime.js';

/**
 * A standalone server accepts every read and fails the first transaction, so both MongoDB stores
 * must refuse it when they connect, before the process reports ready. MONGODB_URL names a replica
 * set, so the standalone server comes from a container alone.
 */
const runtimeProblem = await containerRuntimeProblem();
let container: StartedTestContainer | undefined;
afterAll(async () => {
  await container?.stop();
});

const standaloneUrl = async (): Promise<string> => {
  // The image's default command starts mongod without --replSet.
  container ??= await new GenericContainer('mongo:8').withExposedPorts(27017).withWaitStrategy(Wait.forLogMessage(/Waiting for connections/)).start();
  return `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/?directConnection=true`;
};

const refusals = () => {
  it('the read store refuses it at connect with a configuration error saying how to run a single-node replica set', async () => {
    const refused = MongoReadStore.connect(await standaloneUrl(), 'standalone_views');
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(/MONGODB_URL: the server is a standalone MongoDB server.*--replSet rs0.*rs\.initiate\(\)/s);
  });

  it('the key store refuses it at connect likewise', async () => {
    const refused = MongoKeyStore.connect(await standaloneUrl(), 'standalone_keys');
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(/--replSet rs0/);
  });
};

if (runtimeProblem === null) {
  describe('MongoDB stores on a standalone server', refusals);
} else {
  describe.skip(`MongoDB stores on a standalone server — skipped: no container runtime answered (${runtimeProblem}); MONGODB_URL names a replica set, so only a container offers a standalone server`, refusals);
}
