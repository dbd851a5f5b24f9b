import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { CustomerHistory } from '../application/audit/customerHistory.js';
import type { CustomerVerification } from '../application/audit/customerVerification.js';
import { DEVELOPMENT_KEYS } from '../infrastructure/config.js';
import { describeVerification, toCsv, toJsonLines, toTimeline } from './auditFormats.js';

const USAGE = `Usage:
  npm run audit -- history <customerId> [--as-of <ISO time>] [--format timeline|jsonl|csv] [--out <file>]
  npm run audit -- verify <customerId>

Options:
  --url <base>   the running server (default http://127.0.0.1:3000)
  --key <key>    an auditor's API key (default: $AUDIT_API_KEY, else the development auditor key)

Exit status: 0 done (chain intact), 1 the request failed, 2 bad usage, 3 a hash chain is broken.
`;

export const EXIT = { ok: 0, failed: 1, usage: 2, broken: 3 } as const;

const FORMATS = { timeline: toTimeline, jsonl: toJsonLines, csv: toCsv } as const;

const DEVELOPMENT_AUDITOR_KEY = Object.entries(DEVELOPMENT_KEYS).find(([, identity]) => identity.role === 'auditor')![0];

export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
};

/** GET from the server as the auditor; a problem document becomes a one-line message. */
const getJson = async <T>(url: string, key: string): Promise<T> => {
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' }, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const { cause } = error as { cause?: { code?: string; message?: string } };
    const why = cause?.code ?? cause?.message;
    throw new Error(`Cannot reach ${new URL(url).origin}: ${(error as Error).message}${why ? ` (${why})` : ''}`);
  }
  const body = (await response.json().catch(() => null)) as { title?: string; detail?: string } | null;
  if (!response.ok) throw new Error(`${response.status} ${body?.title ?? response.statusText}${body?.detail ? `: ${body.detail}` : ''}`);
  return body as T;
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
    io.stdout(USAGE);
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
      io.stdout(describeVerification(verdict));
      return verdict.intact ? EXIT.ok : EXIT.broken;
    }
    const query = values['as-of'] ? `?${new URLSearchParams({ asOf: values['as-of'] })}` : '';
    const history = await getJson<CustomerHistory>(`${base}/history${query}`, key);
    const text = FORMATS[values.format as keyof typeof FORMATS](history);
    if (values.out) {
      await writeFile(values.out, text, 'utf8');
      io.stderr(`Wrote ${history.events.length} events of customer ${history.customerId} as of ${history.asOf} to ${values.out}\n`);
    } else {
      io.stdout(text);
    }
    return EXIT.ok;
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    return EXIT.failed;
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runAuditCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  });
}
