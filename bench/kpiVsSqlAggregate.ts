import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { storedEventSchemas } from '../application/eventSchemas.js';
import type { EventToAppend } from '../application/ports/eventStore.js';
import { kpiTable } from '../domain/analytics/kpiTable.js';
import { metricById } from '../domain/analytics/metrics.js';
import { STAGES, type Stage } from '../domain/opportunity/opportunity.js';
import { startOfCompanyDay } from '../domain/shared/calendar.js';
import { periodsWithin } from '../domain/shared/periods.js';
import { SqliteEventStore } from '../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { SqliteReadStore } from '../infrastructure/readstore/sqlite/sqliteReadStore.js';
import { liveFacts } from '../projections/kpis/kpiFacts.js';
import { kpiProjection, KPIS } from '../projections/kpis/kpiProjection.js';
import { PointInTime } from '../projections/pointInTime.js';
import { projectionOf } from '../projections/projection.js';
import { ProjectionRunner } from '../projections/projectionRunner.js';
import { ViewReader } from '../projections/viewReader.js';
import { rawRead } from './rebuildVsRawRead.js';
import { median, percentile, seconds, tempDir } from './support.js';

const SELLERS = 40;
const CUSTOMERS = 500;
const EVENTS_PER_DEAL = 10;
const YEAR_START = Date.parse(startOfCompanyDay('2025-01-01'));
const HOUR_MS = 3_600_000;

/** A deal's stages after it opens: round the stages twice (back to qualification with a reason), then won or lost. */
const STAGE_WALK: Stage[] = ['discovery', 'proposal', 'negotiation', 'qualification', 'discovery', 'proposal', 'negotiation', 'qualification'];

const schemas = storedEventSchemas();
const stored = (type: string, data: Record<string, unknown>, at: number, key: string): EventToAppend => ({
  eventId: key,
  type,
  data: schemas.validate(type, data),
  metadata: { occurredAt: new Date(at).toISOString() },
});

/** The deal's ten events: opened at a time spread over 2025, a stage change every 20 hours, closed; one in three lost. */
const dealEvents = (i: number, deals: number): EventToAppend[] => {
  const opportunityId = `deal-${i}`;
  const customerId = `customer-${i % CUSTOMERS}`;
  const opened = YEAR_START + Math.floor((i * 360 * 24 * HOUR_MS) / deals);
  const events = [stored('OpportunityOpened', { opportunityId, customerId, title: `Deal ${i}`, ownerId: `rep-${i % SELLERS}`, amount: { minor: 100_000 + i, currency: 'CNY' }, stage: 'qualification' }, opened, `${opportunityId}-0`)];
  let from: Stage = 'qualification';
  STAGE_WALK.forEach((to, step) => {
    const backwards = STAGES.indexOf(to) < STAGES.indexOf(from);
    events.push(stored('OpportunityStageChanged', { opportunityId, from, to, ...(backwards ? { reason: 'budget review' } : {}) }, opened + (step + 1) * 20 * HOUR_MS, `${opportunityId}-${step + 1}`));
    from = to;
  });
  const closedAt = opened + (STAGE_WALK.length + 1) * 20 * HOUR_MS;
  events.push(
    i % 3 === 0
      ? stored('OpportunityLost', { opportunityId, customerId, reason: 'no budget' }, closedAt, `${opportunityId}-9`)
      : stored('OpportunityWon', { opportunityId, customerId, amount: { minor: 100_000 + i, currency: 'CNY' } }, closedAt, `${opportunityId}-9`),
  );
  return events;
};

/**
 * A year of a sales team's deals, `events` events in all: the sellers and customers first, then
 * deals of ten events each. Written straight to the log (the command path has its own figure in
 * (1)); the data of every event is checked against its stored schema.
 */
const seedLog = async (logFile: string, events: number) => {
  const eventStore = SqliteEventStore.open(logFile);
  const before = YEAR_START - 24 * HOUR_MS;
  const roster = Array.from({ length: SELLERS }, (_, s) => eventStore.append(`rep-rep-${s}`, [stored('RepHired', { actorId: `rep-${s}`, name: `Rep ${s}`, team: `team-${s % 4}`, role: 'sales_rep' }, before, `hire-${s}`)], { expectedRevision: 'no_stream' }));
  const customers = Array.from({ length: CUSTOMERS }, (_, c) =>
    eventStore.append(`customer-customer-${c}`, [stored('CustomerRegistered', { customerId: `customer-${c}`, name: `Customer ${c}`, industry: `industry-${c % 5}`, region: `region-${c % 7}` }, before, `register-${c}`)], {
      expectedRevision: 'no_stream',
    }),
  );
  await Promise.all([...roster, ...customers]);
  const deals = Math.floor((events - SELLERS - CUSTOMERS) / EVENTS_PER_DEAL);
  for (let first = 0; first < deals; first += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, deals - first) }, (_, k) => first + k);
    await Promise.all(batch.map((i) => eventStore.append(`opportunity-deal-${i}`, dealEvents(i, deals), { expectedRevision: 'no_stream' })));
  }
  const head = (await eventStore.headPosition()) ?? 0;
  await eventStore.close();
  return { events: head, deals };
};

/**
 * The same question asked by hand of the log: each owner's win rate per month of 2025, in the
 * company's zone, from the raw events with json_extract, as an analyst with the database would
 * write it: one pass over the deals' events, folded per stream (the stream index serves the
 * grouping), then grouped by owner and month.
 */
const WIN_RATE_SQL = `
  WITH deals AS (
    SELECT
      MAX(CASE WHEN type = 'OpportunityOpened' THEN json_extract(data, '$.ownerId') END) AS owner,
      MAX(CASE WHEN type IN ('OpportunityWon', 'OpportunityLost') THEN type END) AS outcome,
      MAX(CASE WHEN type IN ('OpportunityWon', 'OpportunityLost') THEN json_extract(metadata, '$.occurredAt') END) AS closed_at
    FROM events
    WHERE type IN ('OpportunityOpened', 'OpportunityWon', 'OpportunityLost')
    GROUP BY stream_id
  )
  SELECT owner, strftime('%Y-%m', closed_at, '+8 hours') AS month, SUM(outcome = 'OpportunityWon') AS won, COUNT(*) AS closed
  FROM deals
  WHERE closed_at >= ? AND closed_at < ?
  GROUP BY owner, month
  ORDER BY owner, month`;

const timed = async (work: () => Promise<unknown> | unknown) => {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
};

/**
 * (5) The KPI query an analyst asks most (win rate per owner per month, over a year) against the
 * KPI view built from a log of `events` events, beside the hand-written SQL aggregate over the same
 * events, alternating, `rounds` times each; and the same view replayed from the log as of its end
 * (what ?asOf= does), beside a raw read of the log.
 */
export const kpiBenchmark = async (events: number, rounds: number) => {
  const workspace = tempDir('kpis');
  try {
    const logFile = join(workspace.dir, 'events.sqlite');
    const seeded = await seedLog(logFile, events);

    const eventStore = SqliteEventStore.open(logFile);
    const readStore = SqliteReadStore.open(join(workspace.dir, 'views.sqlite'));
    const runner = new ProjectionRunner({ eventStore, readStore, projections: [projectionOf(kpiProjection)], logger: pino({ level: 'silent' }) });
    const build = await seconds(async () => {
      await runner.start();
      if (!(await runner.waitFor([KPIS], seeded.events, 600_000))) throw new Error('the KPI view did not reach the head');
    });
    await runner.stop();

    const views = new ViewReader(readStore, randomBytes(32));
    const metric = metricById('win_rate')!;
    const from = startOfCompanyDay('2025-01-01');
    const to = startOfCompanyDay('2026-01-01');
    const buckets = periodsWithin('month', from, to, 12)!;
    const question = { metric, groupBy: 'owner' as const, buckets, calendarPeriods: true, model: null, filters: {}, moment: to };
    const ask = async () => kpiTable(question, await liveFacts(views).facts(metric.facts, from, to));

    const db = new Database(logFile, { readonly: true });
    const byHand = db.prepare(WIN_RATE_SQL);
    const sql = () => byHand.all(from, to) as { owner: string; month: string; won: number; closed: number }[];

    // Both answer the same figures, or the comparison means nothing.
    const ours = (await ask()).flatMap((s) => s.points.filter((p) => p.measured.count > 0).map((p) => `${s.group} ${p.bucket.key} ${p.measured.numerator}/${p.measured.denominator}`));
    const theirs = sql().map((r) => `${r.owner} ${r.month} ${r.won}/${r.closed}`);
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) throw new Error(`the KPI view and the SQL aggregate disagree: ${ours.slice(0, 3).join('; ')} against ${theirs.slice(0, 3).join('; ')}`);

    const latencies = { ours: [] as number[], baseline: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      latencies.ours.push(await timed(ask));
      latencies.baseline.push(await timed(sql));
    }
    db.close();

    const replays: number[] = [];
    const reads: number[] = [];
    const lastEvent = (await eventStore.readAll({ after: seeded.events - 1, maxCount: 1 }))[0]!;
    for (let round = 0; round < 3; round++) {
      const raw = await rawRead(logFile);
      reads.push(raw.events / raw.elapsed);
      // A fresh replay each round: PointInTime keeps the last answers in memory.
      const pointInTime = new PointInTime({ eventStore, projections: [projectionOf(kpiProjection)], cursorKey: randomBytes(32) });
      replays.push(seeded.events / ((await timed(() => pointInTime.at(String(lastEvent.metadata.occurredAt), [KPIS]))) / 1000));
    }
    await readStore.close();
    await eventStore.close();

    return {
      events: seeded.events,
      deals: seeded.deals,
      buildSeconds: build,
      ours: { p50: percentile(latencies.ours, 50), p99: percentile(latencies.ours, 99) },
      baseline: { p50: percentile(latencies.baseline, 50), p99: percentile(latencies.baseline, 99) },
      replay: { ours: median(replays), baseline: median(reads) },
    };
  } finally {
    workspace.remove();
  }
};
