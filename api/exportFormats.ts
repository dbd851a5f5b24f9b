import { Readable } from 'node:stream';

/**
 * Views written out for spreadsheets and scripts, a row at a time: the rows come from an async
 * source read page by page, and each line is written only when the client has taken the last, so
 * an export of any size holds one page in memory.
 */

export type Cell = string | number | boolean | null;
export type Row = Readonly<Record<string, Cell>>;

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** So spreadsheet software reads the file as UTF-8, Chinese included. */
const BYTE_ORDER_MARK = '\uFEFF';

/**
 * A text cell a spreadsheet would run as a formula (= + - @, or a tab or carriage return before
 * one) is written with a leading apostrophe, which the spreadsheet shows as text. Numbers are
 * written as numbers: -5 is a value, not a formula.
 */
export const guardFormula = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled. */
const quoted = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

export const csvCell = (cell: Cell): string => {
  if (cell === null) return '';
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return quoted(guardFormula(cell));
};

const csvLine = (columns: readonly string[], row: Row) => `${columns.map((column) => csvCell(row[column] ?? null)).join(',')}\r\n`;

/** The lines of an export, the header (and for CSV the byte order mark) first. */
export async function* exportLines(format: ExportFormat, columns: readonly string[], rows: AsyncIterable<Row>): AsyncGenerator<string> {
  if (format === 'csv') yield `${BYTE_ORDER_MARK}${columns.map(quoted).join(',')}\r\n`;
  for await (const row of rows) {
    yield format === 'csv' ? csvLine(columns, row) : `${JSON.stringify(Object.fromEntries(columns.map((column) => [column, row[column] ?? null])))}\n`;
  }
}

/** A stream that pulls the next line only when the client has taken what was written: backpressure, not buffering. */
export const exportStream = (format: ExportFormat, columns: readonly string[], rows: AsyncIterable<Row>): Readable =>
  Readable.from(exportLines(format, columns, rows), { objectMode: false, highWaterMark: 64 * 1024 });

export const contentType = (format: ExportFormat) => (format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
