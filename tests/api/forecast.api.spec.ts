import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy/policy.js';
import { readRegistration, writeRegistration } from '../../projections/generations.js';
import { hireRep } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };

let t: TestApp;
let position = 0;

/** Expects the command to succeed and remembers its position, so every view read waits for it. */
const ok = async (response: Promise<LightMyRequestResponse>, status = 200): Promise<{ id: string; position: number }> => {
  const answered = await response;
  expect(answered.statusCode).toBe(status);
  position = Math.max(position, answered.json().position);
  return answered.json();
};
const open = async (customerId: string, ownerId: string, minor: number, currency: string, stage?: string) => {
  // Their manager opens and moves the deals in each rep's name.
  const { id } = await ok(t.post('/opportunities', { customerId, title: 'SOC service', ownerId, amount: { minor, currency } }, { role: 'sales_manager' }), 201);
  if (stage) await ok(t.post(`/opportunities/${id}/stage`, { stage }, { role: 'sales_manager' }));
  return id;
};
const forecast = async (query = '') => {
  const response = await t.get(`/views/pipeline/forecast?after=${position}${query}`, { role: 'analyst' });
  expect(response.statusCode).toBe(200);
  return response.json();
};
const cny = (minor: number) => ({ minor, currency: 'CNY' });
const usd = (minor: number) => ({ minor, currency: 'USD' });

beforeAll(async () => {
  t = await startTestApp({ clock });
  for (const seller of ['rep-a', 'rep-b']) await hireRep(t, seller);
  const { id: customerId } = await ok(t.post('/customers', { name: 'Forecast Bank', industry: 'finance', region: 'east' }), 201);
  await open(customerId, 'rep-a', 1_005, 'CNY');
  await open(customerId, 'rep-a', 2_001, 'CNY', 'proposal');
  await open(customerId, 'rep-b', 4_000, 'CNY', 'negotiation');
  await open(customerId, 'rep-b', 999, 'USD', 'discovery');
  const lost = await open(customerId, 'rep-a', 7_000, 'CNY', 'proposal');
  await ok(t.post(`/opportunities/${lost}/lose`, { reason: 'no budget' }, { role: 'sales_manager' }));
  const handedOver = await open(customerId, 'rep-b', 3_000, 'CNY');
  await ok(t.post(`/opportunities/${handedOver}/reassign`, { ownerId: 'rep-a', reason: 'rep-b moved region' }, { role: 'sales_manager' }));
});
afterAll(() => t.close());

describe('the pipeline forecast', () => {
  it("weighs each stage's open total by revision 1's probabilities, leaving the lost deal out", async () => {
    expect(await forecast()).toEqual({
      policyRevision: 1,
      asOf: clock.at,
      stages: [
        { stage: 'qualification', count: 2, probability: 10, totals: [cny(4_005)], weighted: [cny(401)] }, // 400.5
        { stage: 'discovery', count: 1, probability: 25, totals: [usd(999)], weighted: [usd(250)] }, // 249.75
        { stage: 'proposal', count: 1, probability: 50, totals: [cny(2_001)], weighted: [cny(1_001)] }, // 1000.5
        { stage: 'negotiation', count: 1, probability: 75, totals: [cny(4_000)], weighted: [cny(3_000)] },
      ],
      weighted: [cny(4_402), usd(250)],
    });
  });

  it('answers for one owner, the reassigned deal counted for its new owner only', async () => {
    const repA = await forecast('&ownerId=rep-a');
    expect(repA.stages.map((s: { stage: string; count: number; totals: unknown }) => [s.stage, s.count, s.totals])).toEqual([
      ['qualification', 2, [cny(4_005)]],
      ['discovery', 0, []],
      ['proposal', 1, [cny(2_001)]],
      ['negotiation', 0, []],
    ]);
    expect(repA.weighted).toEqual([cny(1_402)]);
    const repB = await forecast('&ownerId=rep-b');
    expect(repB.stages.map((s: { count: number }) => s.count)).toEqual([0, 1, 0, 1]);
    expect(repB.weighted).toEqual([cny(3_000), usd(250)]);
    expect((await forecast('&ownerId=nobody')).weighted).toEqual([]);
  });

  it('answers for one currency', async () => {
    const dollars = await forecast('&currency=USD');
    expect(dollars.stages.map((s: { count: number }) => s.count)).toEqual([0, 1, 0, 0]);
    expect(dollars.weighted).toEqual([usd(250)]);
    expect((await forecast('&ownerId=rep-b&currency=CNY')).weighted).toEqual([cny(3_000)]);
  });

  it('refuses a currency that is not an ISO code and a filter it does not offer', async () => {
    expect((await t.get('/views/pipeline/forecast?currency=usd')).statusCode).toBe(400);
    expect((await t.get('/views/pipeline/forecast?stage=proposal')).statusCode).toBe(400);
  });

  it('answers 503 while the view serving reads was built before its totals were kept exact, and with them before owner totals existed', async () => {
    const registration = await readRegistration(t.system.readStore, 'pipeline');
    try {
      for (const version of [1, 2]) {
        await writeRegistration(t.system.readStore, 'pipeline', { ...registration, active: { ...registration.active!, version } });
        for (const url of ['/views/pipeline/forecast?ownerId=rep-a', '/views/pipeline/forecast', '/views/pipeline/summary']) {
          const response = await t.get(url, { role: 'analyst' });
          expect(response.statusCode, `${url} at version ${version}`).toBe(503);
          expect(response.headers['retry-after']).toBe('1');
        }
      }
    } finally {
      await writeRegistration(t.system.readStore, 'pipeline', registration);
    }
  });

  it("weighs the same pipeline by revision 2's probabilities once it is in force", async () => {
    clock.at = '2026-03-09T09:00:00.000Z';
    const stageProbabilities = { qualification: 20, discovery: 40, proposal: 60.5, negotiation: 90 };
    const published = await t.post(
      '/policy/revisions',
      { ...DEFAULT_POLICY, changeNote: 'Probabilities from last year’s win rates', stageProbabilities, effectiveFrom: clock.at },
      { role: 'compliance_officer' },
    );
    expect(published.statusCode).toBe(201);
    const result = await forecast();
    expect(result).toMatchObject({ policyRevision: 2, asOf: clock.at });
    expect(result.stages.map((s: { probability: number; weighted: unknown }) => [s.probability, s.weighted])).toEqual([
      [20, [cny(801)]],
      [40, [usd(400)]], // 399.6
      [60.5, [cny(1_211)]], // 1210.605
      [90, [cny(3_600)]],
    ]);
    expect(result.weighted).toEqual([cny(5_612), usd(400)]);
  });
});
