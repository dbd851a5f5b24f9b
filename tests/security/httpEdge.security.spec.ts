import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server.js';
import { ConfigError, loadConfig } from '../../infrastructure/config.js';
import { createLogger } from '../../infrastructure/logger.js';
import { openSystem } from '../../infrastructure/system.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

/** What a careless client or an attacker sends at the edge of the API, before any rule sees it. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const postRaw = (url: string, payload: string, role = 'sales_rep') =>
  t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer dev-${role.replace('_', '-')}-key-0000`, 'content-type': 'application/json' }, payload });

describe('ill-formed Unicode', () => {
  it('refuses a lone surrogate anywhere in a body with a 400 naming the field, and appends nothing', async () => {
    const head = await t.system.eventStore.headPosition();
    const cases: [string, string, string][] = [
      ['/customers', '{"name":"Acme \\ud800","industry":"a","region":"b"}', 'name'],
      ['/customers', '{"name":"Acme","industry":"\\udc00x","region":"b"}', 'industry'],
      ['/leads', '{"source":"inbound","company":"x","contact":{"name":"\\ud83d","email":"a@b.example"},"interest":"y"}', 'contact.name'],
      ['/customers', '{"name":"Acme","industry":"a","region":"b","\\ud800":1}', '\ud800'],
    ];
    for (const [url, payload, field] of cases) {
      const response = await postRaw(url, payload);
      expect(response.statusCode, payload).toBe(400);
      expect(response.json()).toMatchObject({ type: '/problems/invalid-input', errors: [{ in: 'body', field, code: 'ill_formed_unicode' }] });
    }
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('keeps a well-formed pair (an emoji) and Chinese exactly as sent', async () => {
    const response = await postRaw('/customers', '{"name":"华东银行 \\ud83d\\udee1\\ufe0f","industry":"finance","region":"east"}');
    expect(response.statusCode).toBe(201);
    const [event] = await t.system.eventStore.readStream(response.json().streamId);
    expect(event!.data).toMatchObject({ name: '华东银行 🛡️' });
  });

  it('refuses a body whose bytes are not UTF-8, rather than store U+FFFD in their place, and appends nothing', async () => {
    const head = await t.system.eventStore.headPosition();
    for (const bytes of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const payload = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from(bytes), Buffer.from('","industry":"x","region":"y"}')]);
      const response = await t.app.inject({ method: 'POST', url: '/customers', headers: { authorization: 'Bearer dev-sales-rep-key-0000', 'content-type': 'application/json; charset=utf-8' }, payload });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ type: '/problems/invalid-json', errors: [{ in: 'body', code: 'ill_formed_unicode' }] });
    }
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('refuses a body nested beyond any this API takes with a 400, not a 500, however deep', async () => {
    for (const depth of [33, 10_000, 100_000]) {
      const response = await postRaw('/customers', `${'['.repeat(depth)}${']'.repeat(depth)}`);
      expect(response.statusCode, String(depth)).toBe(400);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
    }
    const nested = await postRaw('/customers', `{"name":"x","industry":"y","region":"z","extra":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`);
    expect(nested.json()).toMatchObject({ status: 400, errors: [{ code: 'too_deep' }] });
  });

  it('refuses a lone surrogate in the query string', async () => {
    const response = await t.get('/views/pipeline?ownerId=%ED%A0%80', { role: 'analyst' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
  });
});

describe('router errors', () => {
  it('answers an over-long path parameter, a broken percent-escape and an unknown route with problem documents', async () => {
    const long = await t.get(`/views/quotes/${'a'.repeat(300)}`);
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ type: '/problems/uri-too-long', status: 414 });
    expect(long.headers['content-type']).toMatch(/application\/problem\+json/);
    const broken = await t.get('/views/quotes/%E0%A4%A');
    expect(broken.json()).toMatchObject({ type: '/problems/invalid-input', status: 400 });
    const nowhere = await t.get('/nowhere');
    expect(nowhere.json()).toMatchObject({ type: '/problems/not-found', status: 404 });
  });
});

describe('times past the year 9999', () => {
  it('refuses an instant or a day that an offset carries past 9999 with a 400 naming the field, not a 500, and appends nothing', async () => {
    const pastTheEnd = '9999-12-31T23:59:59.999-14:00';
    const customerId = (await t.post('/customers', { name: 'Year Bank', industry: 'finance', region: 'east' })).json().id;
    const afterSetup = await t.system.eventStore.headPosition();
    const refusals = [
      await t.post('/promises', { customerId, kind: 'other', statement: 'We will call back.', dueDate: pastTheEnd }),
      await t.post('/reps/dev-sales-rep/training', { course: 'NGFW', passedAt: '2026-01-01T00:00:00Z', certifies: [], expiresAt: pastTheEnd }, { role: 'compliance_officer' }),
      await t.post('/promotions', { skus: ['FW-1'], discountPct: 5, validFrom: '2026-01-01T00:00:00Z', validTo: pastTheEnd }, { role: 'sales_manager' }),
      await t.get(`/views/compliance/findings?from=2026-01-01&to=${encodeURIComponent(pastTheEnd)}`, { role: 'compliance_officer' }),
    ];
    for (const refused of refusals) {
      expect(refused.statusCode).toBe(400);
      expect(refused.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ message: 'must fall within the years 0000 to 9999' })]));
    }
    expect(await t.system.eventStore.headPosition()).toBe(afterSetup);
  });
});

describe('what an error echoes', () => {
  it('names the path a problem is about, never the query string a key may have been pasted into', async () => {
    const response = await t.get('/views/pipeline?api_key=dev-sales-rep-key-0000&limit=0', { role: 'analyst' });
    expect(response.statusCode).toBe(400);
    expect(response.json().instance).toBe('/views/pipeline');
    expect(response.body).not.toContain('dev-sales-rep-key-0000');
  });

  it('refuses an asOf an offset carries past 9999, like every other instant', async () => {
    const customerId = (await t.post('/customers', { name: 'AsOf Bank', industry: 'finance', region: 'east' })).json().id;
    const response = await t.get(`/audit/customers/${customerId}/history?asOf=${encodeURIComponent('9999-12-31T23:59:59.999-14:00')}`, { role: 'auditor' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([expect.objectContaining({ field: 'asOf', message: 'must fall within the years 0000 to 9999' })]);
  });
});

describe('idempotency keys', () => {
  it("never replay one caller's answer to another caller using the same key", async () => {
    const customer = (await t.post('/customers', { name: 'Key Co', industry: 'retail', region: 'east' })).json();
    const deal = (await t.post('/opportunities', { customerId: customer.id, title: 'x', ownerId: 'dev-sales-rep', amount: { minor: 1, currency: 'CNY' } })).json();
    const headers = { 'idempotency-key': 'shared-key-000001' };
    const first = await t.post(`/opportunities/${deal.id}/stage`, { stage: 'proposal' }, { headers });
    expect(first.statusCode).toBe(200);
    const other = await t.post(`/opportunities/${deal.id}/stage`, { stage: 'proposal' }, { role: 'sales_manager', headers });
    expect(other.json()).toMatchObject({ status: 422, type: '/problems/idempotency-key-reused' });
    expect((await t.post(`/opportunities/${deal.id}/stage`, { stage: 'proposal' }, { headers })).headers['idempotent-replayed']).toBe('true');
  });
});

describe('cursors', () => {
  it('refuses a cursor edited by hand, or carried over to another filter', async () => {
    const customer = (await t.post('/customers', { name: 'Cursor Co', industry: 'retail', region: 'east' })).json();
    let position = 0;
    for (let i = 0; i < 3; i++) {
      position = (await t.post('/opportunities', { customerId: customer.id, title: `d${i}`, ownerId: 'dev-sales-rep', amount: { minor: 100 + i, currency: 'CNY' } })).json().position;
    }
    const page = (await t.get(`/views/pipeline?customerId=${customer.id}&limit=1&after=${position}`, { role: 'analyst' })).json();
    const next = await t.get(`/views/pipeline?customerId=${customer.id}&limit=1&cursor=${page.nextCursor}`, { role: 'analyst' });
    expect(next.statusCode).toBe(200);
    const [inner, mac] = [page.nextCursor.slice(0, page.nextCursor.lastIndexOf('.')), page.nextCursor.slice(page.nextCursor.lastIndexOf('.') + 1)];
    const forged = Buffer.from(JSON.stringify(['amountMinor', 'desc', 999_999, 'zzz'])).toString('base64url');
    for (const cursor of [`${forged}.${mac}`, inner, `${inner}.AAAAAAAAAAAAAAAAAAAAAA`]) {
      const refused = await t.get(`/views/pipeline?customerId=${customer.id}&limit=1&cursor=${cursor}`, { role: 'analyst' });
      expect(refused.json()).toMatchObject({ status: 400, errors: [{ field: 'cursor' }] });
    }
    const elsewhere = await t.get(`/views/pipeline?stage=qualification&limit=1&cursor=${page.nextCursor}`, { role: 'analyst' });
    expect(elsewhere.statusCode).toBe(400);
  });
});

describe('rate limiting and timeouts', () => {
  it('answers a caller beyond its limit with a 429 problem and Retry-After, and counts each key apart', async () => {
    const limited = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5' }, roster: false });
    try {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await limited.get('/views/pipeline', { role: 'analyst' }));
      expect(answers.slice(0, 5).every((a) => a.statusCode === 200)).toBe(true);
      expect(answers[5]!.statusCode).toBe(429);
      expect(answers[5]!.json()).toMatchObject({ type: '/problems/rate-limited', status: 429 });
      expect(Number(answers[5]!.headers['retry-after'])).toBeGreaterThan(0);
      expect((await limited.get('/views/pipeline', { role: 'auditor' })).statusCode).toBe(200);
      expect((await limited.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('bounds how long a request and an idle connection may last', () => {
    expect(t.app.server.requestTimeout).toBe(30_000);
    expect(t.app.server.timeout).toBe(120_000);
  });
});

describe('keys never reach the log or an error', () => {
  it('logs a request without the values of its query string', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-log-'));
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logger = createLogger('info', sink);
    const system = await openSystem({ config: loadConfig({ DATA_DIR: dataDir }), logger });
    const app = await buildServer(system);
    try {
      await app.inject({ method: 'GET', url: '/views/pipeline?api_key=dev-analyst-key-0000&limit=1', headers: { authorization: 'Bearer dev-analyst-key-0000' } });
      const log = lines.join('');
      expect(log).toContain('/views/pipeline?api_key=[redacted]&limit=[redacted]');
      expect(log).not.toContain('dev-analyst-key-0000');
    } finally {
      await app.close();
      await system.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('names a bad API key by its place in the list, with the reason, never by its value', () => {
    const attempt = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
      return '';
    };
    const short = attempt({ API_KEYS: JSON.stringify({ 'secret-short': { actorId: 'a', role: 'analyst' } }) });
    expect(short).toMatch(/API_KEYS key #1: is 12 characters; an API key must be at least 16/);
    expect(short).not.toContain('secret-short');
    const broken = attempt({ API_KEYS: '{"my-very-secret-key-1": broken' });
    expect(broken).toMatch(/API_KEYS: not valid JSON/);
    expect(broken).not.toContain('my-very-secret-key-1');
  });
});
