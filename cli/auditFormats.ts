import type { HistoryEntry } from '../application/audit/customerHistory.js';
import type { CustomerVerification } from '../application/audit/customerVerification.js';
import { isSealed } from '../application/personalData.js';

/**
 * How the audit tool writes a customer's history: a timeline for people, JSON Lines and
 * CSV for the auditors' own tools. Pure functions of what the API answered, one event at a time,
 * so a history of any length is written as it arrives.
 */

export const SEALED_MARK = '[sealed]';

const isMoney = (value: unknown): value is { minor: number; currency: string } =>
  typeof value === 'object' &&
  value !== null &&
  Object.keys(value).length === 2 &&
  Number.isInteger((value as { minor?: unknown }).minor) &&
  typeof (value as { currency?: unknown }).currency === 'string';

const fractionDigits = (currency: string) => {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
};

/** Minor units shown in major units by string arithmetic, so no amount passes through a float. */
export const formatMoney = ({ minor, currency }: { minor: number; currency: string }) => {
  const digits = fractionDigits(currency);
  const magnitude = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = magnitude.slice(0, magnitude.length - digits);
  const fraction = digits > 0 ? `.${magnitude.slice(-digits)}` : '';
  return `${minor < 0 ? '-' : ''}${whole}${fraction} ${currency}`;
};

const clip = (text: string, max: number) => ([...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text);

const describe = (value: unknown): string => {
  if (isSealed(value)) return SEALED_MARK;
  if (typeof value === 'string') return /[\s,="{}[\]]/.test(value) || value === '' ? JSON.stringify(clip(value, 60)) : clip(value, 60);
  if (isMoney(value)) return formatMoney(value);
  if (Array.isArray(value)) {
    return value.every((v) => typeof v !== 'object' || v === null) ? `[${value.map(describe).join(', ')}]` : `[${value.length} items]`;
  }
  if (typeof value === 'object' && value !== null) return `{${fields(value as Record<string, unknown>).join(', ')}}`;
  return String(value);
};

const fields = (data: Record<string, unknown>, skip: unknown = undefined) =>
  Object.entries(data)
    .filter(([, value]) => value !== undefined && value !== null && value !== skip)
    .map(([key, value]) => `${key}=${describe(value)}`);

/** key=value pairs of an event's data, leaving out the id its stream already names and showing sealed data as sealed. */
export const summariseData = (streamId: string, data: unknown, maxChars = 160): string => {
  if (typeof data !== 'object' || data === null) return describe(data);
  const ownId = streamId.slice(streamId.indexOf('-') + 1);
  return clip(fields(data as Record<string, unknown>, ownId).join(', '), maxChars);
};

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const actorOf = (event: HistoryEntry) => (event.actor ? `${event.actor.id} (${event.actor.role})` : '(unknown actor)');

/** What a history written event by event needs of each format: what comes before the events, each event, and what after them. */
export type HistoryFormat = {
  before: (customerId: string, asOf: string) => string;
  /** `line` is the event as the API served it, one JSON document. */
  event: (entry: HistoryEntry, line: string) => string;
  after: (counted: { events: number; streams: number }) => string;
};

/** A heading, then one line per event: time, actor (role), stream and revision, type, what it said; then how many. */
export const timeline: HistoryFormat = {
  before: (customerId, asOf) => `Customer ${customerId} as of ${asOf}\n`,
  event: (e) => [e.occurredAt, actorOf(e), `${e.streamId}@${e.revision}`, e.type, summariseData(e.streamId, e.data)].join('  ').trimEnd() + '\n',
  after: ({ events, streams }) => `${count(events, 'event')} in ${count(streams, 'stream')}\n`,
};

/** One JSON document a line, each event exactly as the API served it (data as stored, metadata with both hashes). */
export const jsonLines: HistoryFormat = {
  before: () => '',
  event: (_entry, line) => `${line}\n`,
  after: () => '',
};

/** Opening characters a spreadsheet takes for a formula: such a cell gets a leading apostrophe (OWASP's CSV-injection advice). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: quote a field holding a quote, comma or line break (or edge spaces), doubling its quotes. */
export const csvField = (value: string | number): string => {
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export const CSV_COLUMNS = ['position', 'occurredAt', 'streamId', 'revision', 'type', 'actorId', 'actorRole', 'eventId', 'summary', 'data', 'prevHash', 'hash'] as const;

const csvRow = (cells: readonly (string | number)[]) => cells.map(csvField).join(',') + '\r\n';

/** A header, then one row per event with CRLF line ends; `data` is the stored JSON, so the hashes can be recomputed from the file. */
export const csv: HistoryFormat = {
  before: () => csvRow(CSV_COLUMNS),
  event: (e) =>
    csvRow([
      e.position,
      e.occurredAt,
      e.streamId,
      e.revision,
      e.type,
      e.actor?.id ?? '',
      e.actor?.role ?? '',
      e.eventId,
      summariseData(e.streamId, e.data),
      JSON.stringify(e.data),
      String(e.metadata.prevHash ?? ''),
      String(e.metadata.hash ?? ''),
    ]),
  after: () => '',
};

export const describeVerification = (verdict: CustomerVerification): string => {
  const checked = `${count(verdict.streams, 'stream')}, ${count(verdict.events, 'event')}`;
  if (verdict.intact) return `Customer ${verdict.customerId}: intact (${checked})\n`;
  const lines = verdict.broken.map(
    ({ streamId, breaksAt }) =>
      `  ${streamId} breaks at revision ${breaksAt.revision} (event ${breaksAt.eventId}): ${breaksAt.reason}, expected ${breaksAt.expected}, found ${breaksAt.found}`,
  );
  return [`Customer ${verdict.customerId}: BROKEN (${checked}); first break in ${verdict.brokenStream}`, ...lines].join('\n') + '\n';
};
