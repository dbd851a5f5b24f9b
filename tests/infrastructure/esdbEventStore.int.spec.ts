import { afterAll, describe, expect, it } from 'vitest';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { v4 as uuid } from 'uuid';
import { EventStoreAccessDenied, type EventToAppend, type RecordedEvent } from '../../application/ports/eventStore.js';
import { EsdbEventStore } from '../../infrastructure/eventstore/esdb/esdbEventStore.js';
import { eventStoreContract } from '../contracts/eventStoreContract.js';
import { containerRuntimeProblem } from '../support/containerRuntime.js';
import { freePort } from '../../bench/support.js';

const IMAGE = 'eventstore/eventstore:24.10';
/** The last EventStoreDB line whose stream reads carry no positions: the adapter must refuse it. */
const UNSUPPORTED_IMAGE = 'eventstore/eventstore:21.10.11-buster-slim';
const TITLE = 'EventStoreDB';

/**
 * The server the tests run against: the one EVENTSTORE_URL names, else a container this file
 * starts (and can restart), else none, and the suites say why they are skipped.
 */
const namedUrl = process.env['EVENTSTORE_URL'];
/** A user who may not read $all, on a secure server: only there can the refusal be seen. */
const urlWithoutAll = process.env['EVENTSTORE_URL_WITHOUT_ALL'];
const runtime = await containerRuntimeProblem();
const noContainers = runtime === null ? null : `no container runtime answered (${runtime})`;
const noServer = namedUrl || noContainers === null ? null : `EVENTSTORE_URL is not set and ${noContainers}`;

let shared: Promise<StartedTestContainer> | undefined;
/** The container the file's tests share, started on first use. */
const sharedContainer = () => (shared ??= startEventStore());
const serverUrl = async () => namedUrl ?? urlOf(await sharedContainer());

afterAll(async () => {
  await (await shared)?.stop();
});

async function startEventStore(): Promise<StartedTestContainer> {
  return new GenericContainer(IMAGE)
    .withEnvironment({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_RUN_PROJECTIONS: 'None' })
    // A fixed host port, so that a restarted server answers where its clients look for it; no
    // in-memory database, so that its log survives the restart.
    .withExposedPorts({ container: 2113, host: await freePort() })
    .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((status) => status >= 200 && status < 300))
    .withStartupTimeout(90_000)
    .start();
}

function urlOf(container: StartedTestContainer): string {
  return `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
}

/** A describe that runs only where `problem` is null, and is otherwise reported as skipped, by name, with why. */
function describeWhere(problem: string | null, title: string, body: () => void): void {
  if (problem === null) describe(title, body);
  else describe.skip(`${title} — skipped: ${problem}`, body);
}

if (noServer !== null) {
  // Registered all the same, so that each contract test is reported as skipped, by name.
  describe.skip(`EventStoreDB adapter contract — skipped: ${noServer}`, () => {
    eventStoreContract(TITLE, () => Promise.reject(new Error(noServer)));
  });
} else {
  eventStoreContract(TITLE, async () => {
    const store = await EsdbEventStore.connect(await serverUrl());
    return { store, dispose: () => store.close() };
  });
}

describeWhere(noServer, 'EventStoreDB adapter against a server', () => {
  it('connects with the kurrentdb:// and kurrent:// forms of the connection string', async () => {
    const url = await serverUrl();
    for (const scheme of ['kurrentdb', 'kurrent']) {
      const store = await EsdbEventStore.connect(url.replace(/^esdb/, scheme));
      try {
        await expect(store.ping()).resolves.toBeUndefined();
      } finally {
        await store.close();
      }
    }
  });
});

describeWhere(
  namedUrl ? 'EVENTSTORE_URL names a server this test cannot restart' : noContainers,
  'EventStoreDB adapter across a server restart',
  () => {
    it('resumes a subscription after the server comes back: each event once, in order', async () => {
      const container = await sharedContainer();
      const store = await EsdbEventStore.connect(urlOf(container));
      const stream = `restart-${uuid()}`;
      const head = await store.headPosition();
      const subscription = store.subscribeToAll(head === null ? {} : { after: head });
      const iterator = subscription[Symbol.asyncIterator]();
      const nextOwn = async (): Promise<RecordedEvent> => {
        for (;;) {
          const next = await iterator.next();
          if (next.done) throw new Error('The subscription ended');
          if (next.value.streamId === stream) return next.value;
        }
      };
      try {
        await store.append(stream, [event('BeforeRestart')], { expectedRevision: 'no_stream' });
        expect(await nextOwn()).toMatchObject({ type: 'BeforeRestart', revision: 0 });

        await container.restart();
        // An exact expected revision makes a retry of an append whose outcome was unknown safe.
        const afterRestart = event('AfterRestart');
        await eventually(() => store.append(stream, [afterRestart], { expectedRevision: 0 }), 60_000);

        expect(await nextOwn()).toMatchObject({ type: 'AfterRestart', revision: 1 });
      } finally {
        await subscription.close();
        await store.close();
      }
    }, 240_000);
  },
);

describeWhere(noContainers, 'EventStoreDB adapter on a server older than 22.6', () => {
  it('refuses to start, saying which versions it supports', async () => {
    const old = await new GenericContainer(UNSUPPORTED_IMAGE)
      .withEnvironment({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_MEM_DB: 'true' })
      .withExposedPorts(2113)
      .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((status) => status >= 200 && status < 300))
      .withStartupTimeout(120_000)
      .start();
    try {
      await expect(EsdbEventStore.connect(urlOf(old))).rejects.toThrow(/version 21\.10.*needs EventStoreDB 22\.6 or later/);
    } finally {
      await old.stop();
    }
  }, 300_000);
});

describeWhere(
  urlWithoutAll ? null : 'EVENTSTORE_URL_WITHOUT_ALL (a user on a secure server who may not read $all) is not set',
  'EventStoreDB adapter for a user who may not read $all',
  () => {
    it('fails its ping with EventStoreAccessDenied naming $all and who may read it', async () => {
      const store = await EsdbEventStore.connect(urlWithoutAll!);
      try {
        const refusal: unknown = await store.ping().then(
          () => null,
          (error: unknown) => error,
        );
        expect(refusal).toBeInstanceOf(EventStoreAccessDenied);
        expect((refusal as Error).message).toMatch(/\$all.*\$admins/);
      } finally {
        await store.close();
      }
    });
  },
);

function event(type: string): EventToAppend {
  return { eventId: uuid(), type, data: { at: 'now' }, metadata: {} };
}

async function eventually<T>(attempt: () => Promise<T>, withinMs: number): Promise<T> {
  const giveUpAt = Date.now() + withinMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
