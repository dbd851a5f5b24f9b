import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../application/ports/clock.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

/** A clock the test moves by hand, so events land at known moments. */
const clock: Clock & { at: string } = { at: '2024-05-01T09:00:00.000Z', now: () => clock.at };

type Written = { id: string; streamId: string; position: number };
type Entry = { position: number; streamId: string; revision: number; type: string; state: unknown };

let t: TestApp;
let customer: Written;
let other: Written;
let last: number;
/** The whole history, as the answer without pages gives it: what pages and JSON Lines must add up to. */
let whole: { asOf: string; events: Entry[]; streams: string[]; aggregates: Record<string, unknown>; nextCursor: null };

const history = (customerId: string, query: string, headers: Record<string, string> = {}) =>
  t.get(`/audit/customers/${customerId}/history?${query}`, { role: 'auditor', headers });

const ok = async (url: string, body: unknown) => {
  const response = await t.post(url, body);
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json() as Written;
};

beforeAll(async () => {
  t = await startTestApp({ clock });
  customer = await ok('/customers', { name: 'Paging Bank', industry: 'finance', region: 'east' });
  other = await ok('/customers', { name: 'Other Bank', industry: 'finance', region: 'east' });
  clock.at = '2024-05-01T10:00:00.000Z';
  const deal = await ok('/opportunities', { customerId: customer.id, title: 'SOC', ownerId: 'dev-sales-rep', amount: { minor: 100_000_00, currency: 'CNY' } });
  for (const [at, note] of [
    ['2024-05-01T11:00:00.000Z', 'first call'],
    ['2024-05-01T12:00:00.000Z', 'second call'],
  ] as const) {
    clock.at = at;
    await ok(`/customers/${customer.id}/interactions`, { kind: 'call', note });
  }
  clock.at = '2024-05-01T13:00:00.000Z';
  last = (await ok(`/opportunities/${deal.id}/stage`, { stage: 'proposal' })).position;
  const answer = await history(customer.id, `after=${last}`);
  expect(answer.statusCode, answer.body).toBe(200);
  whole = answer.json();
  expect(whole.events).toHaveLength(5);
});
afterAll(() => t.close());

const pages = async (customerId: string, query: string) => {
  const found: { events: Entry[]; streams: string[]; aggregates: Record<string, unknown>; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const response = await history(customerId, `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json() as { customerId: string; asOf: string; events: Entry[]; streams: string[]; aggregates: Record<string, unknown>; nextCursor: string | null };
    expect(page.customerId).toBe(customerId);
    found.push(page);
    cursor = page.nextCursor;
  } while (cursor);
  return found;
};

describe('the audit history in pages', () => {
  it('pages by position through what the whole answer holds, each event with the same state, the last page with no cursor', async () => {
    const found = await pages(customer.id, `limit=2&after=${last}`);
    expect(found.map((page) => page.events.length)).toEqual([2, 2, 1]);
    expect(found.at(-1)!.nextCursor).toBeNull();
    expect(found.flatMap((page) => page.events)).toEqual(whole.events);
    // Each page names the streams on it with their state after its last event there; the last page's are the whole history's for those streams.
    const lastPage = found.at(-1)!;
    expect(lastPage.streams).toEqual([...new Set(lastPage.events.map((e) => e.streamId))]);
    for (const streamId of lastPage.streams) expect(lastPage.aggregates[streamId]).toEqual(whole.aggregates[streamId]);
    expect(whole).toMatchObject({ nextCursor: null, streams: [customer.streamId, expect.stringMatching(/^opportunity-/)] });
  });

  it('takes 100 events when only a cursor is given, and one page holds a history shorter than its limit', async () => {
    const [first] = await pages(customer.id, 'limit=1');
    const rest = await history(customer.id, `cursor=${encodeURIComponent(first!.nextCursor!)}`);
    expect(rest.json()).toMatchObject({ events: whole.events.slice(1), nextCursor: null });
    expect((await pages(customer.id, 'limit=1000')).map((page) => page.events)).toEqual([whole.events]);
  });

  it('cuts each stream at asOf, page after page', async () => {
    const asOf = '2024-05-01T11:30:00Z';
    const cut = (await history(customer.id, `asOf=${asOf}`)).json() as { events: Entry[] };
    const found = await pages(customer.id, `asOf=${asOf}&limit=1`);
    expect(found.flatMap((page) => page.events)).toEqual(cut.events);
    expect(cut.events.map((e) => e.type)).toEqual(['CustomerRegistered', 'OpportunityOpened', 'InteractionRecorded']);
  });

  it('refuses with 400, naming the field, a limit out of bounds and a cursor edited, or carried to another customer or asOf', async () => {
    for (const limit of ['0', '1001', '2.5', 'ten']) {
      const refused = await history(customer.id, `limit=${limit}`);
      expect(refused.statusCode, limit).toBe(400);
      expect(refused.json()).toMatchObject({ type: '/problems/invalid-input', errors: [{ in: 'querystring', field: 'limit' }] });
    }
    const [first] = await pages(customer.id, 'limit=2');
    const cursor = first!.nextCursor!;
    const position = cursor.slice(0, cursor.indexOf('.'));
    const edited = `${Number(position) + 1}${cursor.slice(cursor.indexOf('.'))}`;
    for (const [customerId, query] of [
      [customer.id, `cursor=${encodeURIComponent(edited)}`],
      [customer.id, 'cursor=nonsense'],
      [other.id, `cursor=${encodeURIComponent(cursor)}`],
      [customer.id, `cursor=${encodeURIComponent(cursor)}&asOf=2024-05-01T11:30:00Z`],
    ] as const) {
      const refused = await history(customerId, query);
      expect(refused.statusCode, query).toBe(400);
      expect(refused.json()).toMatchObject({ type: '/problems/invalid-input', errors: [{ in: 'querystring', field: 'cursor' }] });
    }
  });

  it('answers 404 for a customer with no events, in pages and in JSON Lines', async () => {
    const unknown = '0193a000-0000-7000-8000-00000000dead';
    expect((await history(unknown, 'limit=10')).statusCode).toBe(404);
    const lines = await history(unknown, '', { accept: 'application/x-ndjson' });
    expect(lines.statusCode).toBe(404);
    expect(lines.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('the audit history as JSON Lines', () => {
  it('streams every event a line, as the whole answer holds them, with the moment replayed in X-As-Of', async () => {
    const response = await history(customer.id, `after=${last}`, { accept: 'application/x-ndjson' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers['x-as-of']).toBe(whole.asOf);
    expect(response.body.endsWith('\n')).toBe(true);
    const lines = response.body.trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(whole.events);
  });

  it('is chosen only when ranked at least as high as JSON', async () => {
    const preferred = await history(customer.id, '', { accept: 'application/json;q=0.5, application/x-ndjson' });
    expect(preferred.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const second = await history(customer.id, '', { accept: 'application/json, application/x-ndjson;q=0.9' });
    expect(second.headers['content-type']).toMatch(/^application\/json/);
    expect(second.json()).toHaveProperty('aggregates');
    const paged = await history(customer.id, 'limit=2', { accept: 'application/x-ndjson' });
    expect(paged.headers['content-type']).toMatch(/^application\/json/);
    expect(paged.json().events).toHaveLength(2);
  });
});
