import { readFileSync } from 'node:fs';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildServer } from '../api/server.js';
import type { CommandEnvelope } from '../application/commandPipeline.js';
import { hashEvent } from '../application/eventIntegrity.js';
import { foldedStatesOf } from '../application/foldedStates.js';
import { newId } from '../application/ids.js';
import type { EventStore, EventToAppend } from '../application/ports/eventStore.js';
import { storedEventSchemas } from '../application/eventSchemas.js';
import { SCHEMA_VERSION } from '../application/commandPipeline.js';
import { customerStreamId } from '../domain/customer/customer.js';
import type { Stage } from '../domain/opportunity/opportunity.js';
import { loadConfig } from '../infrastructure/config.js';
import { openSystem } from '../infrastructure/system.js';
import { inParallel, median, percentile, tempDir } from './support.js';

const silent = pino({ level: 'silent' });
const admin = { id: 'bench-admin', role: 'admin' };
const envelope = (commandId = newId()): CommandEnvelope => ({ commandId, actor: admin, correlationId: commandId });

/** The machine's load as the kernel reports it (1, 5 and 15 minute averages), to read the figures by. */
export const machineLoad = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const milliseconds = async (work: () => Promise<unknown>) => {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
};

/**
 * `count` interactions appended to a customer's stream in batches, each event as the pipeline
 * writes it (validated, with the pipeline's metadata, chained by hash), so a long stream is laid
 * down in seconds rather than one fsync per command.
 */
const appendInteractions = async (eventStore: EventStore, customerId: string, count: number) => {
  const streamId = customerStreamId(customerId);
  const schemas = storedEventSchemas();
  const [last] = await eventStore.readStream(streamId, { direction: 'backwards', maxCount: 1 });
  let revision = last!.revision;
  let prevHash = String(last!.metadata.hash);
  for (let done = 0; done < count; ) {
    const batch: EventToAppend[] = [];
    const expectedRevision = revision;
    for (; batch.length < 1_000 && done < count; done++) {
      const eventId = newId();
      const data = schemas.validate('InteractionRecorded', { customerId, interactionId: newId(), kind: 'call', note: `call ${done}` });
      const metadata = {
        eventId,
        commandId: newId(),
        correlationId: eventId,
        causationId: eventId,
        actor: admin,
        occurredAt: new Date().toISOString(),
        schemaVersion: SCHEMA_VERSION,
        customerId,
        prevHash,
      };
      revision += 1;
      prevHash = hashEvent({ streamId, revision, eventId, type: 'InteractionRecorded', data, metadata });
      batch.push({ eventId, type: 'InteractionRecorded', data, metadata: { ...metadata, hash: prevHash } });
    }
    await eventStore.append(streamId, batch, { expectedRevision });
  }
};

/**
 * A command on a stream of `longEvents` against the same command on one of `shortEvents`, through
 * the customer command service as a route calls it, alternating the two so drift hits both alike:
 * warm (the folded state cache holds both streams) and cold (each command after the cache is
 * emptied, as the first one after a start, which reads its whole stream as every command did before).
 */
export const longStreamBenchmark = async ({ longEvents, shortEvents, commands }: { longEvents: number; shortEvents: number; commands: number }) => {
  const workspace = tempDir('long-stream');
  // No followers: nothing but the commands runs while they are timed.
  const config = loadConfig({ DATA_DIR: workspace.dir, LOG_LEVEL: 'silent', ROLE: 'api', ANCHOR_INTERVAL_MS: '0' });
  const system = await openSystem({ config, logger: silent });
  try {
    const { customers } = system.commands;
    const [long, short] = [newId(), newId()];
    for (const customerId of [long, short]) await customers.register({ customerId, name: `Bench ${customerId}`, industry: 'finance', region: 'east' }, envelope());
    await appendInteractions(system.eventStore, long, longEvents - 1);
    await appendInteractions(system.eventStore, short, shortEvents - 1);
    const interaction = (customerId: string) => () => customers.recordInteraction(customerId, { interactionId: newId(), kind: 'call', note: 'timed' }, envelope());
    const states = foldedStatesOf(system.eventStore);

    const cold = { long: [] as number[], short: [] as number[] };
    for (let round = 0; round < 5; round++) {
      states.clear();
      cold.long.push(await milliseconds(interaction(long)));
      states.clear();
      cold.short.push(await milliseconds(interaction(short)));
    }
    const warm = { long: [] as number[], short: [] as number[] };
    for (let round = 0; round < commands; round++) {
      warm.long.push(await milliseconds(interaction(long)));
      warm.short.push(await milliseconds(interaction(short)));
    }
    return { warm, cold };
  } finally {
    await system.close();
    workspace.remove();
  }
};

/** Bytes of an answer between two looks at the server's live heap. */
const LOOK_EVERY_BYTES = 1_000_000;

/** Reads an answer's body to the end, a chunk at a time, keeping only its size; `look` is called every LOOK_EVERY_BYTES. */
const drain = async (response: Response, look: () => Promise<void> = async () => {}) => {
  let bytes = 0;
  let looked = 0;
  for await (const chunk of response.body!) {
    bytes += (chunk as Uint8Array).byteLength;
    if (bytes - looked >= LOOK_EVERY_BYTES) {
      looked = bytes;
      await look();
    }
  }
  return bytes;
};

/** The ledger's server in a process of its own on `dir`, so its memory is its own; asked through IPC for its peak RSS and its live heap. */
const serverProcess = async (dir: string, port: number) => {
  const server = fork(join(import.meta.dirname, 'httpTarget.js'), ['ledger', String(port), dir], { stdio: 'inherit', execArgv: ['--expose-gc'] });
  await new Promise<void>((resolve, reject) => {
    server.once('message', () => resolve());
    server.once('exit', (code) => reject(new Error(`the ledger server exited with ${code}`)));
  });
  const ask = (question: string) =>
    new Promise<number>((resolve) => {
      server.once('message', (answer) => resolve(Number(answer)));
      server.send(question);
    });
  return { maxRssBytes: async () => (await ask('max-rss')) * 1024, liveHeapBytes: () => ask('live-heap'), stop: () => server.kill('SIGKILL') };
};

const CYCLE: Stage[] = ['discovery', 'proposal', 'negotiation', 'qualification', 'discovery'];

/**
 * Customers of the given sizes in one data folder: each a tenth interactions on its own stream, the
 * rest deals opened and moved through five stages, so a customer of 10,000 events has some 1,500 streams.
 */
const bigCustomers = async (dir: string, sizes: number[]) => {
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', ANCHOR_INTERVAL_MS: '0' });
  const system = await openSystem({ config, logger: silent });
  const app = await buildServer(system);
  try {
    const { customers, opportunities, reps } = system.commands;
    await reps.hire({ actorId: 'bench-rep', name: 'Bench Rep', team: 'bench', role: 'sales_rep' }, envelope());
    const built = [];
    let last = 0;
    for (const events of sizes) {
      const customerId = newId();
      await customers.register({ customerId, name: 'Big Account', industry: 'finance', region: 'east' }, envelope());
      const interactions = Math.floor(events / 10);
      for (let n = 0; n < interactions; n++) await customers.recordInteraction(customerId, { interactionId: newId(), kind: 'call', note: `call ${n}` }, envelope());
      const deals = Math.floor((events - 1 - interactions) / (1 + CYCLE.length));
      await inParallel(deals, 64, async () => {
        const opportunityId = newId();
        await opportunities.open({ opportunityId, customerId, title: 'Renewal', ownerId: 'bench-rep', amount: { minor: 100_000_00, currency: 'CNY' } }, envelope());
        for (const stage of CYCLE) last = Math.max(last, (await opportunities.changeStage(opportunityId, { stage, reason: 'customer asked' }, envelope())).position);
      });
      built.push({ customerId, events: 1 + interactions + deals * (1 + CYCLE.length), interactions, deals });
    }
    // Every view follows the log this far before a server that measures starts: the customer_streams view ties the deals to their customer.
    const auditor = { authorization: 'Bearer dev-auditor-key-0000' };
    for (const { customerId } of built) {
      while ((await app.inject({ method: 'GET', url: `/audit/customers/${customerId}/history?limit=1&after=${last}`, headers: auditor })).statusCode !== 200);
    }
    while ((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode !== 200);
    return built;
  } finally {
    await app.close();
    await system.close();
  }
};

const PORT = 41100;

const historyOf = (customerId: string, query: string, accept = 'application/json') =>
  fetch(`http://127.0.0.1:${PORT}/audit/customers/${customerId}/history?${query}`, { headers: { authorization: 'Bearer dev-auditor-key-0000', accept } });

/** A first page of the customer's history, checked whole. */
const firstPageOf = async (customerId: string, pageSize: number) => {
  const page = (await (await historyOf(customerId, `limit=${pageSize}`)).json()) as { events: unknown[] };
  if (page.events.length !== pageSize) throw new Error(`a first page of ${page.events.length} events`);
};

/**
 * One whole history, JSON or JSON Lines, from a server process started for it alone and warmed up
 * with a first page: how long it took, its size, and how far it raised the server's peak RSS (a peak
 * once reached is not reached again, hence a process of its own). Then once more, looking at the
 * server's heap still live after a full collection every megabyte of the answer: the most it held
 * above what it held before (the collections slow that answer down, so it is not timed).
 */
const wholeHistoryInFreshServer = async (dir: string, customerId: string, accept: string) => {
  const server = await serverProcess(dir, PORT);
  try {
    await firstPageOf(customerId, 100);
    const before = await server.maxRssBytes();
    let bytes = 0;
    const ms = await milliseconds(async () => (bytes = await drain(await historyOf(customerId, '', accept))));
    const peakGrowth = (await server.maxRssBytes()) - before;
    const idle = await server.liveHeapBytes();
    let live = idle;
    await drain(await historyOf(customerId, '', accept), async () => {
      live = Math.max(live, await server.liveHeapBytes());
    });
    return { ms, bytes, peakGrowth, liveGrowth: live - idle };
  } finally {
    server.stop();
  }
};

/**
 * The audit history of a customer with `events` events, served over HTTP by the real server in a
 * process of its own: the first page's latency against the whole answer's; and the whole history as
 * JSON Lines against the whole answer, in time and in how far each raised the server's peak RSS, for
 * that customer and for one a quarter its size, to show which grows with the history.
 */
export const historyBenchmark = async ({ events, samples, pageSize }: { events: number; samples: number; pageSize: number }) => {
  const workspace = tempDir('history');
  try {
    const [small, big] = await bigCustomers(workspace.dir, [Math.floor(events / 4), events]);
    const server = await serverProcess(workspace.dir, PORT);
    const firstPage: number[] = [];
    try {
      await firstPageOf(big!.customerId, pageSize);
      for (let i = 0; i < samples; i++) firstPage.push(await milliseconds(() => firstPageOf(big!.customerId, pageSize)));
    } finally {
      server.stop();
    }
    const whole = async (customerId: string) => ({
      json: await wholeHistoryInFreshServer(workspace.dir, customerId, 'application/json'),
      lines: await wholeHistoryInFreshServer(workspace.dir, customerId, 'application/x-ndjson'),
    });
    return { big: { ...big!, ...(await whole(big!.customerId)) }, small: { ...small!, ...(await whole(small!.customerId)) }, firstPage };
  } finally {
    workspace.remove();
  }
};

export const printLongStreams = async () => {
  const longEvents = Number(process.env.BENCH_LONG_STREAM ?? 50_000);
  const commands = Number(process.env.BENCH_LONG_STREAM_COMMANDS ?? 200);
  const historyEvents = Number(process.env.BENCH_HISTORY_EVENTS ?? 10_000);
  console.log(`\n(7) command on a long stream; audit history of a long customer (machine load ${machineLoad()})`);
  console.log(`  reproduce: BENCH_LONG_STREAM=${longEvents} BENCH_LONG_STREAM_COMMANDS=${commands} BENCH_HISTORY_EVENTS=${historyEvents} npm run bench`);

  const { warm, cold } = await longStreamBenchmark({ longEvents, shortEvents: 10, commands });
  const show = (values: number[]) => `p50 ${median(values).toFixed(2)} ms, p99 ${percentile(values, 99).toFixed(2)} ms`;
  const warmRatio = median(warm.long) / median(warm.short);
  console.log(`  RecordInteraction on a ${longEvents}-event stream against a 10-event one, ${commands} each, alternating:`);
  console.log(`    warm (states cached): long ${show(warm.long)}; short ${show(warm.short)}`);
  console.log(`    ratio of medians: ${warmRatio.toFixed(2)} (goal <= 3: ${warmRatio <= 3 ? 'meets' : 'misses'})`);
  console.log(`    cold (cache emptied before each, as the first command after a start: the whole stream read, as before the cache): long ${show(cold.long)}; short ${show(cold.short)}; ratio ${(median(cold.long) / median(cold.short)).toFixed(1)}`);

  const history = await historyBenchmark({ events: historyEvents, samples: 50, pageSize: 100 });
  const { big, small } = history;
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  console.log(`  GET /audit/customers/{id}/history of a customer with ${big.events} events (${big.interactions} interactions, ${big.deals} deals of 6 events), over HTTP from a server process:`);
  console.log(`    first page (limit=100), 50 requests: ${show(history.firstPage)} (goal p50 < 50 ms: ${median(history.firstPage) < 50 ? 'meets' : 'misses'})`);
  console.log(`    first page against the whole answer: ${(median(history.firstPage) / big.json.ms).toFixed(3)} of its time`);
  for (const [label, customer] of [['', big], [', a quarter the size', small]] as const) {
    console.log(`    ${customer.events} events${label}, each from a fresh server after a first page:`);
    console.log(`      whole answer (JSON):   ${customer.json.ms.toFixed(0)} ms, ${mb(customer.json.bytes)}, raised the peak RSS by ${mb(customer.json.peakGrowth)}, live heap by ${mb(customer.json.liveGrowth)} at most while sent`);
    console.log(`      JSON Lines:            ${customer.lines.ms.toFixed(0)} ms, ${mb(customer.lines.bytes)}, raised the peak RSS by ${mb(customer.lines.peakGrowth)}, live heap by ${mb(customer.lines.liveGrowth)} at most while sent`);
  }
};
