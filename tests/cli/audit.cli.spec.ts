import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerHistory, HistoryEntry } from '../../application/audit/customerHistory.js';
import { EXIT, runAuditCli } from '../../cli/audit.js';
import { CSV_COLUMNS, csv, csvField, describeVerification, formatMoney, jsonLines, summariseData, timeline, type HistoryFormat } from '../../cli/auditFormats.js';
import { keyFor, startTestApp, type TestApp } from '../support/testApp.js';

const CUSTOMER = '0193c000-0000-7000-8000-000000000001';
const OPPORTUNITY = '0193c000-0000-7000-8000-000000000002';

const entry = (overrides: Partial<HistoryEntry>): HistoryEntry => ({
  position: 1,
  streamId: `customer-${CUSTOMER}`,
  revision: 0,
  eventId: 'e-1',
  type: 'CustomerRegistered',
  occurredAt: '2024-03-01T09:00:00.000Z',
  actor: { id: 'dev-sales-rep', role: 'sales_rep' },
  data: {},
  metadata: { prevHash: '0'.repeat(64), hash: 'a'.repeat(64) },
  state: null,
  ...overrides,
});

const history: CustomerHistory = {
  customerId: CUSTOMER,
  asOf: '2024-03-02T00:00:00.000Z',
  streams: [`customer-${CUSTOMER}`, `opportunity-${OPPORTUNITY}`],
  aggregates: {},
  events: [
    entry({ data: { customerId: CUSTOMER, name: 'Acme, "Bank"', industry: 'finance', region: 'east' } }),
    entry({
      position: 2,
      revision: 1,
      eventId: 'e-2',
      type: 'InteractionRecorded',
      occurredAt: '2024-03-01T10:00:00.000Z',
      data: { customerId: CUSTOMER, kind: 'call', note: 'first line\nsecond line\u2028=HYPERLINK("x")' },
      metadata: { prevHash: 'a'.repeat(64), hash: 'b'.repeat(64) },
    }),
    entry({
      position: 3,
      streamId: `opportunity-${OPPORTUNITY}`,
      eventId: 'e-3',
      type: 'OpportunityOpened',
      occurredAt: '2024-03-01T11:00:00.000Z',
      actor: null,
      data: { opportunityId: OPPORTUNITY, customerId: CUSTOMER, amount: { minor: 8_000_000, currency: 'CNY' }, stage: 'qualification' },
    }),
  ],
};

/** A whole history in a format, as the tool writes it event by event from the lines the API streams. */
const written = (format: HistoryFormat, { customerId, asOf, events, streams }: CustomerHistory) =>
  format.before(customerId, asOf) + events.map((e) => format.event(e, JSON.stringify(e))).join('') + format.after({ events: events.length, streams: streams.length });

/** A strict RFC 4180 reader, to prove what toCsv writes comes back cell for cell. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  expect(quoted).toBe(false);
  expect(cell).toBe('');
  return rows;
};

describe('csvField', () => {
  it('leaves plain text bare and quotes commas, quotes, line breaks and edge spaces, doubling quotes', () => {
    expect(csvField('CustomerRegistered')).toBe('CustomerRegistered');
    expect(csvField(42)).toBe('42');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "yes"')).toBe('"say ""yes"""');
    expect(csvField('one\ntwo')).toBe('"one\ntwo"');
    expect(csvField('one\rtwo')).toBe('"one\rtwo"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField('客户,承诺')).toBe('"客户,承诺"');
    expect(csvField('')).toBe('');
  });

  it('keeps a spreadsheet from reading a cell as a formula', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-2+3,x')).toBe(`"'-2+3,x"`);
    expect(csvField('\tcmd')).toBe("'\tcmd");
  });
});

describe('CSV', () => {
  it('writes a header and one CRLF-ended row per event that reads back cell for cell', () => {
    const text = written(csv, history);
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    const column = (row: string[], name: (typeof CSV_COLUMNS)[number]) => row[CSV_COLUMNS.indexOf(name)];
    expect(column(rows[0]!, 'position')).toBe('1');
    expect(column(rows[0]!, 'actorRole')).toBe('sales_rep');
    expect(JSON.parse(column(rows[0]!, 'data')!)).toEqual(history.events[0]!.data);
    expect(JSON.parse(column(rows[1]!, 'data')!)).toEqual(history.events[1]!.data);
    expect(column(rows[1]!, 'hash')).toBe('b'.repeat(64));
    expect(column(rows[1]!, 'prevHash')).toBe('a'.repeat(64));
    expect(column(rows[2]!, 'actorId')).toBe('');
    expect(rows.every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
  });
});

describe('JSON Lines', () => {
  it('writes one event a line, exactly as served, whatever line breaks the data holds', () => {
    const lines = written(jsonLines, history).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    expect(lines.map((line: string) => JSON.parse(line))).toEqual(history.events);
  });
});

describe('timeline', () => {
  it('formats money from minor units without floats', () => {
    expect(formatMoney({ minor: 8_000_000, currency: 'CNY' })).toBe('80000.00 CNY');
    expect(formatMoney({ minor: 5, currency: 'CNY' })).toBe('0.05 CNY');
    expect(formatMoney({ minor: -1234, currency: 'USD' })).toBe('-12.34 USD');
    expect(formatMoney({ minor: 1500, currency: 'JPY' })).toBe('1500 JPY');
  });

  it("summarises an event's data without the stream's own id, with sealed data shown as sealed", () => {
    expect(summariseData(`opportunity-${OPPORTUNITY}`, history.events[2]!.data)).toBe(
      `customerId=${CUSTOMER}, amount=80000.00 CNY, stage=qualification`,
    );
    expect(summariseData(`customer-${CUSTOMER}`, { contactId: 'c1', name: 'pii:v1:AAAA', needs: ['24x7', 'SOC'] })).toBe('contactId=c1, name=[sealed], needs=[24x7, SOC]');
    expect(summariseData(`customer-${CUSTOMER}`, { note: 'x'.repeat(500) }).length).toBeLessThanOrEqual(160);
  });

  it('prints a heading, one line per event (time, actor (role), stream, type, summary), then how many', () => {
    const lines = written(timeline, history).trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(`Customer ${CUSTOMER} as of 2024-03-02T00:00:00.000Z`);
    expect(lines[4]).toBe('3 events in 2 streams');
    expect(lines[1]).toBe(
      `2024-03-01T09:00:00.000Z  dev-sales-rep (sales_rep)  customer-${CUSTOMER}@0  CustomerRegistered  name="Acme, \\"Bank\\"", industry=finance, region=east`,
    );
    expect(lines[2]).toContain('note="first line\\nsecond line');
    expect(lines[3]).toContain('(unknown actor)');
  });

  it('describes a broken chain by stream, revision and reason', () => {
    const breaksAt = { revision: 1, eventId: 'e-2', reason: 'hash_mismatch' as const, expected: 'c'.repeat(64), found: 'b'.repeat(64) };
    const text = describeVerification({
      customerId: CUSTOMER,
      intact: false,
      streams: 2,
      events: 3,
      brokenStream: `customer-${CUSTOMER}`,
      breaksAt,
      broken: [{ streamId: `customer-${CUSTOMER}`, breaksAt }],
    });
    expect(text).toMatch(/BROKEN/);
    expect(text).toContain(`customer-${CUSTOMER} breaks at revision 1 (event e-2): hash_mismatch`);
    expect(describeVerification({ customerId: CUSTOMER, intact: true, streams: 2, events: 3 })).toBe(`Customer ${CUSTOMER}: intact (2 streams, 3 events)\n`);
  });
});

describe('npm run audit against a running server', () => {
  let t: TestApp;
  let url: string;
  let outDir: string;
  let customerId: string;

  beforeAll(async () => {
    t = await startTestApp();
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    outDir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
    const customer = (await t.post('/customers', { name: 'CLI Ltd', industry: 'retail', region: 'south' })).json();
    customerId = customer.id;
    await t.post(`/customers/${customerId}/interactions`, { kind: 'call', note: 'asked, about "pricing"' });
  });
  afterAll(async () => {
    await t.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAuditCli(argv, {
      stdout: (s) => {
        out.push(s);
      },
      stderr: (s) => err.push(s),
      env: {},
    });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  it('prints the timeline, streamed as JSON Lines, with the development auditor key', async () => {
    const { code, stdout } = await run('history', customerId, '--url', url);
    expect(code).toBe(EXIT.ok);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Customer ${customerId} as of \\d{4}-\\d\\d-\\d\\dT`));
    expect(lines[1]).toMatch(/CustomerRegistered/);
    expect(lines[2]).toMatch(/dev-sales-rep \(sales_rep\).*InteractionRecorded.*note="asked, about \\"pricing\\""/);
    expect(lines[3]).toBe('2 events in 1 stream');
  });

  it('exports CSV and JSON Lines to a file', async () => {
    const csvFile = join(outDir, 'history.csv');
    const exported = await run('history', customerId, '--url', url, '--format', 'csv', '--out', csvFile);
    expect(exported).toMatchObject({ code: EXIT.ok, stdout: '', stderr: expect.stringMatching(new RegExp(`^Wrote 2 events of customer ${customerId} as of \\d{4}-.* to ${csvFile}`)) });
    const rows = parseCsv(readFileSync(csvFile, 'utf8'));
    expect(rows.map((r) => r[CSV_COLUMNS.indexOf('type')])).toEqual(['type', 'CustomerRegistered', 'InteractionRecorded']);
    const jsonl = (await run('history', customerId, '--url', url, '--format', 'jsonl', '--as-of', '2999-01-01T00:00:00Z')).stdout;
    expect(jsonl.trimEnd().split('\n').map((l) => JSON.parse(l).type)).toEqual(['CustomerRegistered', 'InteractionRecorded']);
  });

  it('verifies the chain and says why a request failed', async () => {
    const verified = await run('verify', customerId, '--url', url, '--key', keyFor('compliance_officer'));
    expect(verified).toMatchObject({ code: EXIT.ok, stdout: expect.stringMatching(/intact \(1 stream, 2 events\)/) });
    const seller = await run('verify', customerId, '--url', url, '--key', keyFor('sales_rep'));
    expect(seller).toMatchObject({ code: EXIT.failed, stderr: expect.stringMatching(/^403 Not allowed/) });
    const badTime = await run('history', customerId, '--url', url, '--as-of', 'last tuesday');
    expect(badTime).toMatchObject({ code: EXIT.failed, stderr: expect.stringMatching(/^400 .*asOf/) });
    expect((await run('history')).code).toBe(EXIT.usage);
    expect((await run('history', customerId, '--format', 'xml')).code).toBe(EXIT.usage);
  });
});
