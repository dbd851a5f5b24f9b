import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { HistoryEntry } from '../application/audit/customerHistory.js';
import type { CustomerVerification } from '../application/audit/customerVerification.js';
import { DEVELOPMENT_KEYS } from '../infrastructure/config.js';
import { csv, describeVerification, jsonLines, timeline, type HistoryFormat } from './auditFormats.js';

const USAGE = `Usage:
  npm run audit -- history <customerId> [--as-of <ISO time>] [--format timeline|jsonl|csv] [--out <file>]
  npm run audit -- verify <customerId>

Options:
  --url <base>   the running server (default http://127.0.0.1:3000)
  --key <key>    an auditor's API key (default: $AUDIT_API_KEY, else the development auditor key)

Exit status: 0 done (chain intact), 1 the request failed, 2 bad usage, 3 a hash chain is broken.
`;

export const EXIT = { ok: 0, failed: 1, usage: 2, broken: 3 } as const;

const FORMATS: Record<string, HistoryFormat> = { timeline, jsonl: jsonLines, csv };

/** How long the server may stay silent, before its answer or between two parts of it. */
const SILENCE_MS = 60_000;

const DEVELOPMENT_AUDITOR_KEY = Object.entries(DEVELOPMENT_KEYS).find(([, identity]) => identity.role === 'auditor')![0];

export type CliIo = {
  /** May return a promise, which the tool awaits before writing more: a slow reader holds the download back rather than filling memory. */
  stdout: (text: string) => void | Promise<void>;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
};

/**
 * GET from the server as the auditor, given up once it stays silent for SILENCE_MS (`silence`
 * restarts that wait as parts of the answer arrive); a problem document becomes a one-line message.
 */
const get = async (url: string, key: string, accept: string): Promise<{ response: Response; silence: NodeJS.Timeout }> => {
  const abandon = new AbortController();
  const silence = setTimeout(() => abandon.abort(new Error(`no answer for ${SILENCE_MS / 1000} s`)), SILENCE_MS);
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${key}`, accept }, signal: abandon.signal });
  } catch (error) {
    clearTimeout(silence);
    const { cause } = error as { cause?: { code?: string; message?: string } };
    const why = cause?.code ?? cause?.message;
    throw new Error(`Cannot reach ${new URL(url).origin}: ${(error as Error).message}${why ? ` (${why})` : ''}`);
  }
  if (response.ok) return { response, silence };
  clearTimeout(silence);
  const body = (await response.json().catch(() => null)) as { title?: string; detail?: string } | null;
  throw new Error(`${response.status} ${body?.title ?? response.statusText}${body?.detail ? `: ${body.detail}` : ''}`);
};

const getJson = async <T>(url: string, key: string): Promise<T> => {
  const { response, silence } = await get(url, key, 'application/json');
  try {
    return (await response.json()) as T;
  } finally {
    clearTimeout(silence);
  }
};

/** The lines of a JSON Lines answer, a network chunk's worth at a time. */
async function* linesOf(response: Response, silence: NodeJS.Timeout): AsyncGenerator<string[]> {
  let partial = '';
  try {
    for await (const text of response.body!.pipeThrough(new TextDecoderStream())) {
      silence.refresh();
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      if (lines.length > 0) yield lines;
    }
  } finally {
    clearTimeout(silence);
  }
  if (partial) yield [partial];
}

/**
 * Asks for the history as JSON Lines and writes it in `format` as it arrives, a chunk at a time,
 * so a history of any length passes through in the memory of one chunk.
 */
const writeHistory = async (url: string, key: string, customerId: string, format: HistoryFormat, write: (text: string) => Promise<void>) => {
  const { response, silence } = await get(url, key, 'application/x-ndjson');
  const asOf = response.headers.get('x-as-of') ?? '';
  await write(format.before(customerId, asOf));
  let events = 0;
  const streams = new Set<string>();
  for await (const lines of linesOf(response, silence)) {
    let text = '';
    for (const line of lines) {
      const entry = JSON.parse(line) as HistoryEntry;
      events += 1;
      streams.add(entry.streamId);
      text += format.event(entry, line);
    }
    await write(text);
  }
  await write(format.after({ events, streams: streams.size }));
  return { events, asOf };
};

/**
 * The auditors' tool. It asks the running server over HTTP rather than opening the
 * database files under it, so it sees what the API serves, under an auditor's key.
 */
export const runAuditCli = async (argv: string[], io: CliIo): Promise<number> => {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string', default: 'http://127.0.0.1:3000' },
        key: { type: 'string' },
        'as-of': { type: 'string' },
        format: { type: 'string', default: 'timeline' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [command, customerId, ...extra] = positionals;
  if (values.help) {
    await io.stdout(USAGE);
    return EXIT.ok;
  }
  if ((command !== 'history' && command !== 'verify') || !customerId || extra.length > 0) {
    io.stderr(USAGE);
    return EXIT.usage;
  }
  if (!Object.hasOwn(FORMATS, values.format)) {
    io.stderr(`--format must be one of ${Object.keys(FORMATS).join(', ')}\n`);
    return EXIT.usage;
  }
  const key = values.key ?? io.env.AUDIT_API_KEY ?? DEVELOPMENT_AUDITOR_KEY;
  const base = `${values.url.replace(/\/+$/, '')}/audit/customers/${encodeURIComponent(customerId)}`;

  try {
    if (command === 'verify') {
      const verdict = await getJson<CustomerVerification>(`${base}/verify`, key);
      await io.stdout(describeVerification(verdict));
      return verdict.intact ? EXIT.ok : EXIT.broken;
    }
    const query = values['as-of'] ? `?${new URLSearchParams({ asOf: values['as-of'] })}` : '';
    const format = FORMATS[values.format]!;
    const url = `${base}/history${query}`;
    if (!values.out) {
      await writeHistory(url, key, customerId, format, async (text) => {
        if (text) await io.stdout(text);
      });
      return EXIT.ok;
    }
    const file = await open(values.out, 'w');
    try {
      const { events, asOf } = await writeHistory(url, key, customerId, format, async (text) => {
        if (text) await file.write(text, null, 'utf8');
      });
      io.stderr(`Wrote ${events} events of customer ${customerId} as of ${asOf} to ${values.out}\n`);
    } finally {
      await file.close();
    }
    return EXIT.ok;
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    return EXIT.failed;
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runAuditCli(process.argv.slice(2), {
    stdout: async (text) => {
      if (!process.stdout.write(text)) await once(process.stdout, 'drain');
    },
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  });
}
