import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, exportLines, exportStream, guardFormula, type Row } from '../../api/exportFormats.js';
import { buildServer } from '../../api/server.js';
import { loadConfig } from '../../infrastructure/config.js';
import { openSystem, type System } from '../../infrastructure/system.js';
import { OPPORTUNITIES, PIPELINE, pipelineProjection, type OpportunityView } from '../../projections/pipeline/pipelineProjection.js';
import { projectionOf } from '../../projections/projection.js';
import { csvRows, parseCsv } from '../support/csv.js';
import { keyFor } from '../support/testApp.js';

const text = async (lines: AsyncIterable<string>) => {
  let written = '';
  for await (const line of lines) written += line;
  return written;
};

describe('the export formats', () => {
  it.each([
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+86 138 0000 1111', "'+86 138 0000 1111"],
    ['-1+1', "'-1+1"],
    ['@cmd', "'@cmd"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['华东银行', '华东银行'],
    ['a=b', 'a=b'],
  ])('writes %j, which a spreadsheet would run, as text: %j', (text, written) => {
    expect(guardFormula(text)).toBe(written);
  });

  it('quotes a cell holding a comma, a quote or a line break, and writes numbers, booleans and nothing as they are', () => {
    expect(csvCell('Deal, "big" one')).toBe('"Deal, ""big"" one"');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell('=1,2')).toBe('"\'=1,2"');
  });

  it('writes CSV with a byte order mark and CRLF lines, and JSON lines with every column, null for a missing one', async () => {
    async function* two(): AsyncGenerator<Row> {
      yield { id: 'a', title: '防火墙, 第一期' };
      yield { id: 'b' };
    }
    const csv = await text(exportLines('csv', ['id', 'title'], two()));
    expect(csv).toBe('\uFEFFid,title\r\na,"防火墙, 第一期"\r\nb,\r\n');
    expect(parseCsv(csv)).toEqual([['id', 'title'], ['a', '防火墙, 第一期'], ['b', '']]);
    const jsonl = await text(exportLines('jsonl', ['id', 'title'], two()));
    expect(jsonl).toBe('{"id":"a","title":"防火墙, 第一期"}\n{"id":"b","title":null}\n');
  });

  it('holds a bounded number of rows however many there are: 100,000 rows pulled only as the reader takes the lines', async () => {
    let produced = 0;
    async function* rows(): AsyncGenerator<Row> {
      for (let i = 0; i < 100_000; i++) {
        produced++;
        yield { id: `row-${i}`, title: `交易 ${i}, "quoted"`, amountMinor: i };
      }
    }
    const stream = exportStream('csv', ['id', 'title', 'amountMinor'], rows());
    let taken = 0;
    let aheadAtMost = 0;
    let last = '';
    let pending = '';
    for await (const chunk of stream) {
      pending += String(chunk);
      const end = pending.lastIndexOf('\r\n') + 2;
      const lines = csvRows(pending.slice(taken === 0 ? 1 : 0, end));
      pending = pending.slice(end);
      taken += lines.length;
      last = lines.at(-1)?.[0] ?? last;
      // What was read from the source and not yet handed to the reader: what the export holds in memory.
      aheadAtMost = Math.max(aheadAtMost, produced - (taken - 1));
    }
    expect(taken).toBe(100_001);
    expect(last).toBe('row-99999');
    expect(aheadAtMost).toBeLessThan(2_500);
  });
});

/**
 * A pipeline of 100,000 deals, built by the real projection from the log, exported over HTTP and
 * read back line by line against the view read page by page: neither side ever holds the whole.
 */
describe('GET /exports/pipeline over 100,000 deals', () => {
  const DEALS = 100_000;
  let dir: string;
  let system: System;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-exports-'));
    // The one view an export of the pipeline reads: the log holds nothing another would build. Without
    // the deadlines view the watcher has nothing to watch, so its loop is held.
    system = await openSystem({ config: loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), logger: pino({ level: 'silent' }), projections: [projectionOf(pipelineProjection)] });
    await system.deadlines.stop();
    const start = Date.parse('2026-01-01T01:00:00.000Z');
    // Appended together, written in one transaction: the deals are the test's input, the projection builds the view from them.
    await Promise.all(
      Array.from({ length: DEALS }, (_, i) =>
        system.eventStore.append(
          `opportunity-deal-${i}`,
          [
            {
              eventId: `deal-${i}`,
              type: 'OpportunityOpened',
              data: {
                opportunityId: `deal-${i}`,
                customerId: `customer-${i % 500}`,
                title: i % 1_000 === 0 ? `=HYPERLINK("x","交易 ${i}")` : `交易 ${i}, "分行"`,
                ownerId: `rep-${i % 40}`,
                amount: { minor: 100_000 + i, currency: 'CNY' },
                stage: 'qualification',
              },
              metadata: { occurredAt: new Date(start + i * 1_000).toISOString() },
            },
          ],
          { expectedRevision: 'no_stream' },
        ),
      ),
    );
    expect(await system.runner.waitFor([PIPELINE], (await system.eventStore.headPosition())!, 60_000)).toBe(true);
    app = await buildServer(system);
    await app.listen({ port: 0, host: '127.0.0.1' });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await system?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams every deal as CSV, read back equal to the view, formulas written as text', async () => {
    const { port } = app.server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/exports/pipeline?format=csv`, { headers: { authorization: `Bearer ${keyFor('analyst')}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');

    // The view, a page at a time, in the export's order.
    let cursor: string | undefined;
    let page: OpportunityView[] = [];
    const nextDocument = async (): Promise<OpportunityView | undefined> => {
      if (page.length === 0 && (cursor !== undefined || compared === 0)) {
        const found = await system.views.find(PIPELINE, OPPORTUNITIES, { orderBy: { field: 'openedAt', direction: 'asc' }, limit: 1_000, ...(cursor ? { cursor } : {}) });
        page = found.items as OpportunityView[];
        cursor = found.nextCursor ?? undefined;
      }
      return page.shift();
    };

    // Keeps the byte order mark, which a decoder drops by default: the test checks it is there.
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    let header: string[] | undefined;
    let pending = '';
    let compared = 0;
    const mismatches: unknown[] = [];
    for await (const chunk of response.body!) {
      pending += decoder.decode(chunk, { stream: true });
      const end = pending.lastIndexOf('\r\n') + 2;
      if (end < 2) continue;
      const lines = header === undefined ? parseCsv(pending.slice(0, end)) : csvRows(pending.slice(0, end));
      pending = pending.slice(end);
      if (header === undefined) header = lines.shift();
      for (const line of lines) {
        const doc = (await nextDocument())!;
        const expected = [
          doc.id,
          doc.customerId,
          doc.title.startsWith('=') ? `'${doc.title}` : doc.title,
          doc.ownerId,
          doc.stage,
          doc.status,
          String(doc.amountMinor),
          doc.currency,
          doc.openedAt,
          doc.updatedAt,
          '',
        ];
        // Checked in bulk: an expect per row would take longer than the export.
        if (JSON.stringify(line) !== JSON.stringify(expected)) mismatches.push({ exported: line, view: expected });
        compared++;
      }
    }
    expect(header).toEqual(['id', 'customerId', 'title', 'ownerId', 'stage', 'status', 'amountMinor', 'currency', 'openedAt', 'updatedAt', 'closedAt']);
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(pending).toBe('');
    expect(compared).toBe(DEALS);
    expect(await nextDocument()).toBeUndefined();
  });
});
