import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy/policy.js';
import { ROLES } from '../../application/roles.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const START = '2026-03-02T09:00:00.000Z';
const clock = { at: START, now() { return this.at; } };
const cny = (minor: number) => ({ minor, currency: 'CNY' });

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
  const firewall = {
    sku: 'FW-9000',
    name: '下一代防火墙 FW-9000',
    capabilities: ['入侵防御', '等保三级'],
    maxSla: { availabilityPct: 99.99, responseHours: 4 },
    leadTimeDays: 14,
    listPrice: cny(100_000),
    floorPrice: cny(70_000),
    unitCost: cny(40_000),
  };
  expect((await t.post('/products', firewall, { role: 'sales_manager' })).statusCode).toBe(201);
});
afterAll(() => t.close());

const check = (body: unknown, role = 'sales_rep') => t.post('/compliance/claims/check', body, { role });

describe('POST /compliance/claims/check', () => {
  it('flags a claim with its category, where it stands in the statement, the entry that matched and the revision in force', async () => {
    const statement = '我们的EDR是行业第一的入侵防御系统。';
    const answer = await check({ statement });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({
      verdict: 'flag',
      rule: { id: 'CMP-01', name: 'No absolute or guaranteeing claims' },
      setting: { action: 'block', severity: 'critical' },
      policyRevision: 1,
      sku: null,
      claims: [{ category: 'superlative', start: 7, end: 11, text: '行业第一', matched: { kind: 'phrase', entry: '行业第一', source: 'claims' } }],
      cleared: [],
    });
    expect(statement.slice(7, 11)).toBe('行业第一');
  });

  it('names the words a structure joined, each with its span', async () => {
    const statement = "We ensure you'll never be hit by ransomware.";
    const [claim, alsoAbsolute] = (await check({ statement })).json().claims;
    expect(alsoAbsolute).toMatchObject({ category: 'absolute', text: 'never be hit', matched: { entry: 'ABS-1' } });
    expect(claim).toMatchObject({ category: 'guarantee', text: "ensure you'll never be hit", matched: { kind: 'structure', entry: 'GUA-1' } });
    expect(claim.matched.terms.map(({ role, text }: { role: string; text: string }) => [role, text])).toEqual([
      ['guarantees', 'ensure'],
      ['negatedAbsolutes', 'never'],
      ['breaches', 'be hit'],
    ]);
    for (const term of claim.matched.terms) expect(statement.slice(term.start, term.end)).toBe(term.text);
  });

  it('lets a hedged statement through, saying what looked like a claim and why it is not one', async () => {
    const answer = (await check({ statement: '没有哪款产品能百分之百防住所有攻击，我们帮助降低风险。' })).json();
    expect(answer).toMatchObject({ verdict: 'clear', claims: [] });
    expect(answer.cleared).toEqual([expect.objectContaining({ category: 'absolute', reason: 'negated', text: '百分之百防住所有攻击', detail: 'Denied by "没有"' })]);
  });

  it('catches a disguised claim, spanning the characters as written', async () => {
    const statement = '我們的防火牆：絕 對 安 全';
    const answer = (await check({ statement })).json();
    expect(answer).toMatchObject({ verdict: 'flag', claims: [{ category: 'absolute', text: '絕 對 安 全', start: 7, end: 14 }] });
  });

  it('lets through a service level the catalog backs for the product named, and flags one beyond it', async () => {
    expect((await check({ statement: '我们承诺99.99%的服务可用性。', sku: 'FW-9000' })).json()).toMatchObject({
      verdict: 'clear',
      sku: 'FW-9000',
      cleared: [{ reason: 'backed', detail: '99.99% availability is within the 99.99% the catalog offers on FW-9000' }],
    });
    expect((await check({ statement: '我们承诺99.999%的服务可用性。', sku: 'FW-9000' })).json()).toMatchObject({ verdict: 'flag', claims: [{ category: 'guarantee' }] });
  });

  it('judges under an earlier revision when asked, naming it', async () => {
    clock.at = '2026-03-03T09:00:00.000Z';
    const published = await t.post(
      '/policy/revisions',
      {
        ...DEFAULT_POLICY,
        changeNote: 'Military-grade is a superlative',
        effectiveFrom: clock.at,
        claims: { ...DEFAULT_POLICY.claims!, phrases: [...DEFAULT_POLICY.claims!.phrases, { phrase: '军工级', category: 'superlative' }] },
      },
      { role: 'compliance_officer' },
    );
    expect(published.statusCode).toBe(201);
    const statement = '军工级的防护能力';
    expect((await check({ statement })).json()).toMatchObject({ verdict: 'flag', policyRevision: 2, claims: [{ category: 'superlative', text: '军工级' }] });
    expect((await check({ statement, asOfRevision: 1 })).json()).toMatchObject({ verdict: 'clear', policyRevision: 1 });
  });

  it('records nothing', async () => {
    const before = await t.system.eventStore.headPosition();
    expect((await check({ statement: 'Unhackable, guaranteed.' })).statusCode).toBe(200);
    expect(await t.system.eventStore.headPosition()).toBe(before);
  });

  it('answers every role', async () => {
    for (const role of ROLES) expect((await check({ statement: 'Best-in-class EDR.' }, role)).statusCode).toBe(200);
  });

  it('refuses a caller without a key', async () => {
    const answer = await t.app.inject({ method: 'POST', url: '/compliance/claims/check', headers: { 'content-type': 'application/json' }, payload: '{"statement":"x"}' });
    expect(answer.statusCode).toBe(401);
  });

  it('refuses bad input field by field, and an unknown revision or product with a 404, appending nothing', async () => {
    const before = await t.system.eventStore.headPosition();
    const bad = await check({ statement: '', sku: '', asOfRevision: 0, extra: true });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((error: { field: string }) => error.field).sort()).toEqual(['(root)', 'asOfRevision', 'sku', 'statement']);
    expect((await check({ statement: 'x'.repeat(2001) })).json()).toMatchObject({ status: 400, errors: [{ field: 'statement' }] });
    expect((await check({ statement: '绝对安全', asOfRevision: 99 })).json()).toMatchObject({ status: 404, type: '/problems/not-found' });
    expect((await check({ statement: '绝对安全', sku: 'NOPE-1' })).json()).toMatchObject({ status: 404, type: '/problems/not-found' });
    expect(await t.system.eventStore.headPosition()).toBe(before);
  });

  it('counts against the caller’s rate limit', async () => {
    const limited = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3' }, roster: false });
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await limited.post('/compliance/claims/check', { statement: '零风险' }));
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 429]);
      expect(answers[3]!.json()).toMatchObject({ type: '/problems/rate-limited' });
    } finally {
      await limited.close();
    }
  });
});
