import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { GENESIS_HASH, hashEvent } from '../application/eventIntegrity.js';
import { newId } from '../application/ids.js';
import type { EventMetadata, EventToAppend } from '../application/ports/eventStore.js';
import type { FindQuery, ReadStore } from '../application/ports/readStore.js';
import { STAGES } from '../domain/opportunity/opportunity.js';
import { addDays, companyDay, startOfCompanyDay } from '../domain/shared/calendar.js';
import { SqliteEventStore } from '../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { SqliteReadStore } from '../infrastructure/readstore/sqlite/sqliteReadStore.js';
import { FINDING_LIST, FINDINGS, findingsProjection, type FindingView } from '../projections/findings/findingsProjection.js';
import { findingsReport, type Period } from '../projections/findings/findingsReport.js';
import { OPEN_OPPORTUNITIES, PIPELINE, pipelineProjection } from '../projections/pipeline/pipelineProjection.js';
import { projectionOf, type ListSort, type Projection } from '../projections/projection.js';
import { ProjectionRunner } from '../projections/projectionRunner.js';
import { ViewReader } from '../projections/viewReader.js';
import { diskUsage, type DiskUsage } from '../cli/diskUsage.js';
import { median, percentile, tempDir } from './support.js';

/**
 * The views at scale: a generated two-year history (customers, deals moving through the stages,
 * compliance findings raised and worked) written to the embedded log, the pipeline and findings
 * views built from it, then (a) every filter and sort GET /views/pipeline documents, (b) the
 * compliance report over the two years and shorter periods, (c) the disk the log and the views
 * take, (d) what a rebuild leaves behind. The baselines run in the same process on the same data:
 * for (a) a copy of the views with one index per field (the layout before compound indexes), for
 * (b) the report counted finding by finding (as before the counts per period), for (d) a views
 * file that does not vacuum (as every views file before).
 */

const logger = pino({ level: 'silent' });
const DAY_MS = 86_400_000;
const START = Date.parse('2024-07-01T00:00:00.000Z');
const SPAN_DAYS = 730;
const OWNERS = 200;
const TEAM = 10;
const CURRENCIES = ['CNY', 'CNY', 'CNY', 'CNY', 'CNY', 'CNY', 'USD', 'EUR'];
const RULES = [
  ['CMP-01', 'No absolute or guaranteeing claims'],
  ['CMP-04', 'No price below the floor without approval'],
  ['CMP-06', 'Delivery promises within the lead time'],
  ['CMP-09', 'Promises are kept by their due date'],
] as const;

/** A fixed sequence, so two runs generate the same history. */
const randomFrom = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

type Open = { id: string; customerId: string; stage: (typeof STAGES)[number] };
type Finding = { id: string; customerId: string; step: number; outcome: 'remediated' | 'waived' };
type History = { events: number; owners: string[]; customers: string[]; firstDay: string; endDay: string };

/**
 * Writes `count` events over two years, in the shape the command pipeline writes them (hash-chained,
 * the metadata of a command), in group commits of a few hundred appends.
 */
const writeHistory = async (eventStore: SqliteEventStore, count: number): Promise<History> => {
  const random = randomFrom(14);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const owners = Array.from({ length: OWNERS }, (_, i) => `rep-${i}`);
  const customers: string[] = [];
  const open: Open[] = [];
  const findings: Finding[] = [];
  const heads = new Map<string, { revision: number; hash: string }>();
  let pending: Promise<unknown>[] = [];

  const append = (streamId: string, type: string, data: Record<string, unknown>, at: number, actor: string, customerId: string) => {
    const head = heads.get(streamId) ?? { revision: -1, hash: GENESIS_HASH };
    const eventId = newId();
    const commandId = newId();
    const metadata: EventMetadata = {
      eventId,
      commandId,
      ...(random() < 0.2 ? { requestHash: randomBytes(32).toString('hex') } : {}),
      correlationId: newId(),
      causationId: commandId,
      actor: { id: actor, role: actor === 'system' ? 'admin' : 'sales_rep' },
      occurredAt: new Date(at).toISOString(),
      schemaVersion: 1,
      customerId,
      prevHash: head.hash,
    };
    const revision = head.revision + 1;
    const hash = hashEvent({ streamId, revision, eventId, type, data, metadata });
    heads.set(streamId, { revision, hash });
    const event: EventToAppend = { eventId, type, data, metadata: { ...metadata, hash } };
    pending.push(eventStore.append(streamId, [event], { expectedRevision: revision === 0 ? 'no_stream' : revision - 1 }));
  };

  for (let i = 0; i < count; i++) {
    const at = START + Math.floor((i / count) * SPAN_DAYS * DAY_MS);
    const r = random();
    if (customers.length === 0 || r < 0.058) {
      const customerId = newId();
      customers.push(customerId);
      append(`customer-${customerId}`, 'CustomerRegistered', { customerId, name: `Customer ${customers.length}`, industry: pick(['finance', 'energy', 'telecom', 'government']), region: pick(['east', 'north', 'south', 'west']) }, at, pick(owners), customerId);
    } else if (open.length === 0 || r < 0.2) {
      const deal: Open = { id: newId(), customerId: pick(customers), stage: 'qualification' };
      open.push(deal);
      const amount = { minor: 10_000 * (1 + Math.floor(random() * 10_000)), currency: pick(CURRENCIES) };
      append(`opportunity-${deal.id}`, 'OpportunityOpened', { opportunityId: deal.id, customerId: deal.customerId, title: `Deal ${i}`, ownerId: pick(owners), amount, stage: deal.stage }, at, 'system', deal.customerId);
    } else if (r < 0.85) {
      const deal = pick(open);
      const to = pick(STAGES.filter((stage) => stage !== deal.stage));
      append(`opportunity-${deal.id}`, 'OpportunityStageChanged', { opportunityId: deal.id, from: deal.stage, to, ...(STAGES.indexOf(to) < STAGES.indexOf(deal.stage) ? { reason: 'customer asked' } : {}) }, at, 'system', deal.customerId);
      deal.stage = to;
    } else if (r < 0.93) {
      const index = Math.floor(random() * open.length);
      const deal = open[index]!;
      open[index] = open.at(-1)!;
      open.pop();
      const won = random() < 0.5;
      append(`opportunity-${deal.id}`, won ? 'OpportunityWon' : 'OpportunityLost', { opportunityId: deal.id, customerId: deal.customerId, ...(won ? { amount: { minor: 100_000, currency: 'CNY' } } : { reason: 'price' }) }, at, 'system', deal.customerId);
    } else if (findings.length === 0 || r < 0.965) {
      const finding: Finding = { id: newId(), customerId: pick(customers), step: 0, outcome: random() < 0.6 ? 'remediated' : 'waived' };
      findings.push(finding);
      const [ruleId, ruleName] = pick(RULES);
      append(
        `finding-${finding.id}`,
        'FindingRaised',
        {
          findingId: finding.id,
          ruleId,
          ruleName,
          severity: pick(['low', 'medium', 'high', 'critical']),
          policyRevision: 1,
          detail: 'generated for the benchmark',
          evidence: [{ streamId: `promise-${finding.id}`, revision: 0, hash: 'a'.repeat(64) }],
          customerId: finding.customerId,
          sellerId: pick(owners),
          subject: { kind: 'promise', id: finding.id },
          raisedAt: new Date(at).toISOString(),
        },
        at,
        'system',
        finding.customerId,
      );
    } else {
      const index = Math.floor(random() * findings.length);
      const finding = findings[index]!;
      const [type, data] = [
        ['FindingAcknowledged', { acknowledgedBy: 'rep-0' }],
        finding.outcome === 'remediated' ? ['FindingRemediated', { remediatedBy: 'rep-0', evidence: 'corrected in writing' }] : ['FindingWaived', { waivedBy: 'cco', reason: 'backed by the contract' }],
        ['FindingClosed', { closedBy: 'cco', outcome: finding.outcome }],
      ][finding.step] as [string, Record<string, unknown>];
      append(`finding-${finding.id}`, type, { findingId: finding.id, ...data }, at, 'system', finding.customerId);
      finding.step += 1;
      if (finding.step === 3) {
        findings[index] = findings.at(-1)!;
        findings.pop();
      }
    }
    if (pending.length >= 500) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  const firstDay = companyDay(new Date(START).toISOString());
  return { events: count, owners, customers, firstDay, endDay: addDays(firstDay, SPAN_DAYS + 1) };
};

const until = async (condition: () => Promise<boolean>) => {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
};

/** Nearest rank. */
const ms = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

type QueryShape = { name: string; query: () => FindQuery };

/** Every combination of the pipeline's filters in every order, and a manager's view of a team, with values drawn from the history. */
const pipelineShapes = (history: History, random: () => number): QueryShape[] => {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const filters = Object.keys(OPEN_OPPORTUNITIES.filters);
  const value: Record<string, () => unknown> = {
    customerId: () => pick(history.customers),
    ownerId: () => pick(history.owners),
    stage: () => pick(STAGES),
    currency: () => pick(CURRENCIES),
  };
  const shapes: QueryShape[] = [];
  for (let subset = 0; subset < 1 << filters.length; subset++) {
    const chosen = filters.filter((_, i) => subset & (1 << i));
    for (const team of chosen.includes('ownerId') ? [false] : [false, true]) {
      for (const [sort, orderBy] of Object.entries<ListSort>(OPEN_OPPORTUNITIES.sorts)) {
        shapes.push({
          name: `${[...chosen.map((f) => `${f}=`), ...(team ? ['(a manager: ownerId in a team)'] : []), `sort=${sort}`].join('&')}`,
          query: () => {
            const where: NonNullable<FindQuery['where']> = { ...OPEN_OPPORTUNITIES.always };
            for (const field of chosen) where[field] = value[field]!() as string;
            if (team) {
              const first = Math.floor(random() * (OWNERS - TEAM));
              where.ownerId = { in: history.owners.slice(first, first + TEAM) };
            }
            return { where, orderBy, limit: 50 };
          },
        });
      }
    }
  }
  return shapes;
};

/** A first page and the next, each timed: what a client paging through the list waits for. */
const timePages = async (views: ViewReader, query: FindQuery, samples: number[]) => {
  let started = process.hrtime.bigint();
  const first = await views.find(PIPELINE, OPEN_OPPORTUNITIES.collection, query);
  samples.push(ms(started));
  if (first.nextCursor === null) return;
  started = process.hrtime.bigint();
  await views.find(PIPELINE, OPEN_OPPORTUNITIES.collection, { ...query, cursor: first.nextCursor });
  samples.push(ms(started));
};

/** The report as it was before the counts per period: every finding of the period read and counted. */
const reportByScan = async (views: ViewReader, period: Period) => {
  const rules = new Map<string, number>();
  const reps = new Map<string, number>();
  const statuses = new Map<string, number>();
  const minutes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await views.find(FINDINGS, FINDING_LIST.collection, {
      where: { raisedAt: { gte: period.from, lt: period.to } },
      orderBy: FINDING_LIST.sorts.raised,
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    for (const f of page.items as FindingView[]) {
      rules.set(f.ruleId, (rules.get(f.ruleId) ?? 0) + 1);
      reps.set(f.sellerId, (reps.get(f.sellerId) ?? 0) + 1);
      statuses.set(f.status, (statuses.get(f.status) ?? 0) + 1);
      if (f.minutesToRemediate !== null) minutes.push(f.minutesToRemediate);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { rules, reps, statuses, median: minutes.length === 0 ? null : median(minutes) };
};

type Reclaim = { before: number; after: number; freeAfter: number };

/** Rebuilds the pipeline view and measures the file once the old generation is dropped. */
const rebuildAndMeasure = async (runner: ProjectionRunner, store: ReadStore, file: string): Promise<Reclaim> => {
  const pages = () => {
    const db = new Database(file, { readonly: true });
    try {
      const size = db.pragma('page_size', { simple: true }) as number;
      return { bytes: (db.pragma('page_count', { simple: true }) as number) * size, free: (db.pragma('freelist_count', { simple: true }) as number) * size };
    } finally {
      db.close();
    }
  };
  const before = pages();
  const { generation } = await runner.rebuild(PIPELINE);
  await until(async () => (await store.getCheckpoint(`${PIPELINE}@g${generation - 1}`)) === null);
  const after = pages();
  return { before: before.bytes, after: after.bytes, freeAfter: after.free };
};

export type ViewsAtScale = {
  events: number;
  buildSeconds: number;
  queries: { shape: string; ours: number; oursMedian: number; baseline: number }[];
  report: { ours: number; oursMedian: number; baseline: number; periods: number };
  disk: DiskUsage;
  reclaim: { ours: Reclaim; baseline: Reclaim };
};

export const viewsAtScaleBenchmark = async (events: number, rounds: number): Promise<ViewsAtScale> => {
  const workspace = tempDir('views');
  const eventStore = SqliteEventStore.open(join(workspace.dir, 'events.sqlite'));
  const oursFile = join(workspace.dir, 'views.sqlite');
  const ours = SqliteReadStore.open(oursFile);
  const projections: Projection[] = [projectionOf(pipelineProjection), projectionOf(findingsProjection)];
  const runner = new ProjectionRunner({ eventStore, readStore: ours, projections, logger });
  let baselineRunner: ProjectionRunner | null = null;
  let baseline: SqliteReadStore | null = null;
  try {
    const history = await writeHistory(eventStore, events);
    const head = (await eventStore.headPosition()) ?? 0;
    const building = process.hrtime.bigint();
    await runner.start();
    await runner.waitFor([PIPELINE, FINDINGS], head, 3_600_000);
    const buildSeconds = ms(building) / 1000;
    const disk = diskUsage(workspace.dir);

    // The same views with one index per field, in a file that does not vacuum: as an earlier version kept them.
    mkdirSync(join(workspace.dir, 'baseline'));
    const baselineFile = join(workspace.dir, 'baseline', 'views.sqlite');
    const copy = new Database(oursFile);
    copy.pragma('auto_vacuum = NONE');
    copy.prepare('VACUUM INTO ?').run(baselineFile);
    copy.close();
    const earlier = new Database(baselineFile);
    for (const name of earlier.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%+%'").pluck().all() as string[]) earlier.exec(`DROP INDEX "${name}"`);
    earlier.close();
    baseline = SqliteReadStore.open(baselineFile);

    const key = randomBytes(32);
    const [oursViews, baselineViews] = [new ViewReader(ours, key), new ViewReader(baseline, key)];
    const queries: ViewsAtScale['queries'] = [];
    // The baseline runs fewer rounds: at a million events one of its pages can take a second.
    const baselineRounds = Math.max(5, Math.ceil(rounds / 5));
    for (const shape of pipelineShapes(history, randomFrom(7))) {
      const samples = { ours: [] as number[], baseline: [] as number[] };
      for (let round = 0; round < rounds; round++) {
        const query = shape.query();
        // Alternated, so a drift in the machine's speed hits both alike.
        await timePages(oursViews, query, samples.ours);
        if (round < baselineRounds) await timePages(baselineViews, query, samples.baseline);
      }
      queries.push({ shape: shape.name, ours: percentile(samples.ours, 99), oursMedian: median(samples.ours), baseline: percentile(samples.baseline, 99) });
    }

    const day = (offset: number) => startOfCompanyDay(addDays(history.firstDay, offset));
    const periods: Period[] = [
      { from: day(0), to: startOfCompanyDay(history.endDay) },
      { from: day(100), to: day(465) },
      { from: day(200), to: day(291) },
      { from: day(400), to: day(431) },
    ];
    const reportSamples = { ours: [] as number[], baseline: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      for (const period of periods) {
        let started = process.hrtime.bigint();
        await findingsReport(oursViews, period);
        reportSamples.ours.push(ms(started));
        started = process.hrtime.bigint();
        await reportByScan(oursViews, period);
        reportSamples.baseline.push(ms(started));
      }
    }

    const reclaimOurs = await rebuildAndMeasure(runner, ours, oursFile);
    baselineRunner = new ProjectionRunner({ eventStore, readStore: baseline, projections: [projectionOf(pipelineProjection)], logger });
    await baselineRunner.start();
    const reclaimBaseline = await rebuildAndMeasure(baselineRunner, baseline, baselineFile);
    return {
      events: history.events,
      buildSeconds,
      queries,
      report: { ours: percentile(reportSamples.ours, 99), oursMedian: median(reportSamples.ours), baseline: percentile(reportSamples.baseline, 99), periods: periods.length },
      disk,
      reclaim: { ours: reclaimOurs, baseline: reclaimBaseline },
    };
  } finally {
    await baselineRunner?.stop();
    await runner.stop();
    await baseline?.close();
    await ours.close();
    await eventStore.close();
    workspace.remove();
  }
};

const GOAL_MS = 20;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export const printViewsAtScale = (result: ViewsAtScale, command: string) => {
  const { queries, report, disk, reclaim } = result;
  const worst = [...queries].sort((a, b) => b.ours - a.ours);
  const named = queries.find((q) => q.shape === 'stage=&currency=&sort=age')!;
  const verdict = (p: number) => (p < GOAL_MS ? 'meets' : 'misses');
  const line = (q: ViewsAtScale['queries'][number]) =>
    `    ${q.shape.padEnd(62)} p99 ${q.ours.toFixed(2).padStart(7)} ms, p50 ${q.oursMedian.toFixed(2).padStart(6)} ms (one index per field: p99 ${q.baseline.toFixed(2).padStart(7)} ms, ${(q.baseline / q.ours).toFixed(1)}x)`;
  const all = queries.map((q) => q.ours);
  console.log(`(9) views over a generated two-year history of ${result.events} events (views built in ${result.buildSeconds.toFixed(1)} s); reproduce: ${command}`);
  console.log(`  GET /views/pipeline, ${queries.length} shapes (every filter combination and sort, and a manager's team), first and next page each, p99 per shape:`);
  console.log(`    worst shape p99 ${worst[0]!.ours.toFixed(2)} ms, median shape p99 ${median(all).toFixed(2)} ms (goal < ${GOAL_MS} ms for every shape: ${verdict(worst[0]!.ours)})`);
  console.log(line(named));
  for (const q of worst.slice(0, 5)) console.log(line(q));
  console.log(`    worst shape with one index per field: p99 ${Math.max(...queries.map((q) => q.baseline)).toFixed(2)} ms`);
  console.log(
    `  GET /views/compliance/report (two years, a year, a quarter, a month), p99: ${report.ours.toFixed(2)} ms, p50 ${report.oursMedian.toFixed(2)} ms (goal p99 < ${GOAL_MS} ms: ${verdict(report.ours)}); counted finding by finding: p99 ${report.baseline.toFixed(2)} ms (${(report.baseline / report.ours).toFixed(1)}x)`,
  );
  const json = disk.kinds.reduce((sum, k) => sum + k.metadataJsonBytes, 0);
  const stored = disk.kinds.reduce((sum, k) => sum + k.metadataBytes, 0);
  const data = disk.kinds.reduce((sum, k) => sum + k.dataBytes, 0);
  console.log(
    `  disk: log ${(disk.log.bytes / disk.events).toFixed(0)} B an event (data ${(data / disk.events).toFixed(0)} B, metadata ${(stored / disk.events).toFixed(0)} B stored, ${(json / disk.events).toFixed(0)} B as JSON before); pipeline and findings views ${((disk.views?.bytes ?? 0) / disk.events).toFixed(0)} B an event (npm run disk for every kind)`,
  );
  for (const k of disk.kinds) {
    console.log(`    ${k.type.padEnd(26)} ${String(k.events).padStart(9)} events  data ${(k.dataBytes / k.events).toFixed(0).padStart(4)} B  metadata ${(k.metadataBytes / k.events).toFixed(0).padStart(4)} B (as JSON ${(k.metadataJsonBytes / k.events).toFixed(0)} B)`);
  }
  console.log(
    `  pipeline view rebuilt: views file ${mb(reclaim.ours.before)} before, ${mb(reclaim.ours.after)} after, ${mb(reclaim.ours.freeAfter)} free; a file that does not vacuum: ${mb(reclaim.baseline.before)} before, ${mb(reclaim.baseline.after)} after, ${mb(reclaim.baseline.freeAfter)} free\n`,
  );
};
