import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../application/ids.js';
import type { Document } from '../../application/ports/readStore.js';
import { addDays, startOfCompanyDay } from '../../domain/shared/calendar.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { SqliteReadStore } from '../../infrastructure/readstore/sqlite/sqliteReadStore.js';
import { FINDING_DOCS, FINDING_PERIODS, FINDINGS, findingsProjection, type FindingView } from '../../projections/findings/findingsProjection.js';
import { findingsReport, type FindingsReport, type Period } from '../../projections/findings/findingsReport.js';
import { projectionOf } from '../../projections/projection.js';
import { ProjectionRunner } from '../../projections/projectionRunner.js';
import { ViewReader } from '../../projections/viewReader.js';

/**
 * The inspection report read off the counts the findings view keeps per day and month, against
 * the same figures worked out here from every finding, over two years of findings written one
 * command at a time; and those counts rebuilt from zero, against the ones kept live.
 */

const dir = mkdtempSync(join(tmpdir(), 'findings-report-'));
const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
const store = SqliteReadStore.open(join(dir, 'views.sqlite'));
const views = new ViewReader(store, randomBytes(32));
const runner = new ProjectionRunner({ eventStore, readStore: store, projections: [projectionOf(findingsProjection)], logger: pino({ level: 'silent' }) });

/** A fixed sequence, so a failure can be replayed. */
let seed = 14;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const START = Date.parse('2025-01-01T00:00:00.000Z');
const TWO_YEARS = 730 * 86_400_000;
const instant = (ms: number) => new Date(ms).toISOString();
const RULES = [
  ['CMP-01', 'No absolute or guaranteeing claims'],
  ['CMP-04', 'No price below the floor without approval'],
  ['CMP-09', 'Promises are kept by their due date'],
  ['CMP-10', 'A complaint about a promise'],
] as const;

type Step = { type: string; data: Record<string, unknown>; at: number };

/** One finding's life: raised, then perhaps acknowledged, remediated or waived, and closed. */
const lifeOf = (findingId: string): Step[] => {
  const raisedAt = START + Math.floor(random() * TWO_YEARS);
  const [ruleId, ruleName] = pick(RULES);
  // Some carry an earlier wording of the rule's name: the report names a rule after its first finding in the period.
  const name = random() < 0.1 ? `${ruleName} (earlier wording)` : ruleName;
  const steps: Step[] = [
    {
      type: 'FindingRaised',
      at: raisedAt,
      data: {
        findingId,
        ruleId,
        ruleName: name,
        severity: pick(['low', 'medium', 'high', 'critical']),
        policyRevision: 1,
        detail: 'generated',
        evidence: [{ streamId: `promise-${findingId}`, revision: 0, hash: 'a'.repeat(64) }],
        sellerId: pick(['rep-a', 'rep-b', 'rep-c', 'rep-d', 'rep-e']),
        subject: { kind: 'promise', id: findingId },
        raisedAt: instant(raisedAt),
      },
    },
  ];
  let at = raisedAt;
  const later = () => (at += 60_000 + Math.floor(random() * 5 * 86_400_000));
  if (random() < 0.3) return steps;
  steps.push({ type: 'FindingAcknowledged', at: later(), data: { findingId, acknowledgedBy: 'rep-a' } });
  if (random() < 0.2) return steps;
  const remediated = random() < 0.6;
  steps.push(
    remediated
      ? { type: 'FindingRemediated', at: later(), data: { findingId, remediatedBy: 'rep-a', evidence: 'fixed' } }
      : { type: 'FindingWaived', at: later(), data: { findingId, waivedBy: 'cco', reason: 'backed' } },
  );
  if (random() < 0.5) steps.push({ type: 'FindingClosed', at: later(), data: { findingId, closedBy: 'cco', outcome: remediated ? 'remediated' : 'waived' } });
  return steps;
};

/** The report worked out from every finding, as the report once read them all. */
const expectedReport = (findings: FindingView[], period: Period): FindingsReport => {
  const inPeriod = findings.filter((f) => f.raisedAt >= period.from && f.raisedAt < period.to).sort((a, b) => (a.raisedAt < b.raisedAt ? -1 : a.raisedAt > b.raisedAt ? 1 : a.id < b.id ? -1 : 1));
  const rules = new Map<string, { ruleId: string; ruleName: string; count: number }>();
  const reps = new Map<string, number>();
  const bySeverity = { low: 0, medium: 0, high: 0, critical: 0 };
  const byStatus = { raised: 0, acknowledged: 0, remediated: 0, waived: 0, closed: 0 };
  const minutes: number[] = [];
  for (const f of inPeriod) {
    const rule = rules.get(f.ruleId) ?? { ruleId: f.ruleId, ruleName: f.ruleName, count: 0 };
    rules.set(f.ruleId, { ...rule, count: rule.count + 1 });
    reps.set(f.sellerId, (reps.get(f.sellerId) ?? 0) + 1);
    bySeverity[f.severity] += 1;
    byStatus[f.status] += 1;
    if (f.minutesToRemediate !== null) minutes.push(f.minutesToRemediate);
  }
  minutes.sort((a, b) => a - b);
  const mid = Math.floor(minutes.length / 2);
  const byCount = <T extends { count: number }>(key: (row: T) => string) => (a: T, b: T) => b.count - a.count || key(a).localeCompare(key(b));
  return {
    period,
    total: inPeriod.length,
    byRule: [...rules.values()].sort(byCount((r) => r.ruleId)),
    byRep: [...reps].map(([sellerId, count]) => ({ sellerId, count })).sort(byCount((r) => r.sellerId)),
    bySeverity,
    byStatus,
    remediated: minutes.length,
    medianMinutesToRemediate: minutes.length === 0 ? null : minutes.length % 2 ? minutes[mid]! : (minutes[mid - 1]! + minutes[mid]!) / 2,
  };
};

/** Bounds of every kind: whole days and months, instants inside a day, one day, the whole two years. */
const periodsToAsk = (): Period[] => {
  const day = (offset: number) => startOfCompanyDay(addDays('2025-01-01', offset));
  const somewhen = () => instant(START + Math.floor(random() * TWO_YEARS));
  const list: Period[] = [
    { from: day(-10), to: day(740) },
    { from: day(0), to: day(365) },
    { from: day(31), to: day(59) },
    { from: day(100), to: day(101) },
    { from: startOfCompanyDay('2025-03-01'), to: startOfCompanyDay('2026-11-01') },
  ];
  for (let i = 0; i < 40; i++) {
    const [a, b] = [somewhen(), somewhen()].sort();
    list.push({ from: a!, to: b! });
    const start = Math.floor(random() * 700);
    list.push({ from: day(start), to: day(start + 1 + Math.floor(random() * 90)) });
    list.push({ from: a!, to: day(Math.floor(random() * 700)) > a! ? day(Math.floor(random() * 700)) : b! });
  }
  return list.filter(({ from, to }) => from < to);
};
const PERIODS = periodsToAsk();

const allDocs = async (collection: string): Promise<Document[]> => {
  const docs: Document[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.find(collection, { limit: 500, ...(cursor ? { cursor } : {}) });
    docs.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return docs;
};

let head = 0;

beforeAll(async () => {
  await runner.start();
  const lives = Array.from({ length: 400 }, () => {
    const id = newId();
    return { id, steps: lifeOf(id), revision: -1 };
  });
  // Findings move in turns, so batches mix them as the log does.
  while (lives.length > 0) {
    const life = pick(lives);
    const step = life.steps.shift()!;
    const expectedRevision = life.revision < 0 ? ('no_stream' as const) : life.revision;
    head = (await eventStore.append(`finding-${life.id}`, [{ eventId: newId(), type: step.type, data: step.data, metadata: { occurredAt: instant(step.at) } }], { expectedRevision })).position;
    life.revision += 1;
    if (life.steps.length === 0) lives.splice(lives.indexOf(life), 1);
  }
  expect(await runner.waitFor([FINDINGS], head, 30_000)).toBe(true);
}, 120_000);

afterAll(async () => {
  await runner.stop();
  await store.close();
  await eventStore.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the inspection report from the counts kept per period', () => {
  it('answers every period as the findings themselves do', async () => {
    const findings = (await allDocs(`${FINDING_DOCS}__g1`)) as FindingView[];
    for (const period of PERIODS) expect(await findingsReport(views, period), JSON.stringify(period)).toEqual(expectedReport(findings, period));
  });

  it('keeps the same counts when the view is rebuilt from zero as it kept live', async () => {
    const live = await allDocs(`${FINDING_PERIODS}__g1`);
    expect(live.length).toBeGreaterThan(300);
    const reports = await Promise.all(PERIODS.map((period) => findingsReport(views, period)));
    await runner.rebuild(FINDINGS);
    const deadline = Date.now() + 30_000;
    while (runner.status()[0]?.active?.generation !== 2) {
      if (Date.now() > deadline) throw new Error('the rebuild did not switch over in time');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await allDocs(`${FINDING_PERIODS}__g2`)).toEqual(live);
    expect(await Promise.all(PERIODS.map((period) => findingsReport(views, period)))).toEqual(reports);
  });
});
