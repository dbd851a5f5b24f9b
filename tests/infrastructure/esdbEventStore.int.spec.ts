import { describe } from 'vitest';
import { GenericContainer, Wait } from 'testcontainers';
import { EsdbEventStore } from '../../infrastructure/eventstore/esdb/esdbEventStore.js';
import { eventStoreContract, type OpenedEventStore } from '../contracts/eventStoreContract.js';
import { containerRuntimeProblem } from '../support/containerRuntime.js';

const IMAGE = 'docker.kurrent.io/kurrent-latest/kurrentdb:25.1';
const TITLE = 'EventStoreDB';

/** Where the contract runs: a server named by EVENTSTORE_URL, else a container, else nowhere (and why). */
type Target = { open: () => Promise<OpenedEventStore> } | { skipped: string };

async function findTarget(): Promise<Target> {
  const url = process.env['EVENTSTORE_URL'];
  if (url) return { open: async () => opened(await EsdbEventStore.connect(url), async () => {}) };

  const runtime = await containerRuntimeProblem();
  if (runtime !== null) return { skipped: `EVENTSTORE_URL is not set and no container runtime answered (${runtime})` };
  return {
    open: async () => {
      const container = await new GenericContainer(IMAGE)
        .withEnvironment({
          EVENTSTORE_INSECURE: 'true',
          EVENTSTORE_MEM_DB: 'true',
          EVENTSTORE_RUN_PROJECTIONS: 'None',
        })
        .withExposedPorts(2113)
        .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((status) => status >= 200 && status < 300))
        .withStartupTimeout(90_000)
        .start();
      const store = await EsdbEventStore.connect(`esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`);
      return opened(store, async () => {
        await container.stop();
      });
    },
  };
}

function opened(store: EsdbEventStore, release: () => Promise<void>): OpenedEventStore {
  return {
    store,
    dispose: async () => {
      await store.close();
      await release();
    },
  };
}

const target = await findTarget();

if ('skipped' in target) {
  // Registered all the same, so that each contract test is reported as skipped, by name.
  describe.skip(`EventStoreDB adapter contract — skipped: ${target.skipped}`, () => {
    eventStoreContract(TITLE, () => Promise.reject(new Error(target.skipped)));
  });
} else {
  eventStoreContract(TITLE, target.open);
}
