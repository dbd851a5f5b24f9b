import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { MasterKey } from '../application/keys/masterKey.js';
import type { KeyCensus } from '../application/ports/keyStore.js';
import { ConfigError, loadConfig, type Config } from '../infrastructure/config.js';
import { describeKeyStore, openKeyStore, openWrappedKeyStore } from '../infrastructure/system.js';

const USAGE = `Usage:
  npm run keys -- status   how many data keys each master key wraps, and which configured key it is
  npm run keys -- rotate   re-wraps every data key under NEW_MASTER_KEY (or NEW_MASTER_KEY_FILE);
                           cut short, run it again: keys it already re-wrapped are skipped

Run it with the server's environment: DATA_DIR, or MONGODB_URL and MONGODB_DB, and
MASTER_KEY, MASTER_KEY_PREVIOUS; rotate reads keys wrapped by any of them.

Exit status: 0 done (every key wrapped by MASTER_KEY, or by NEW_MASTER_KEY after a rotation),
1 failed, 2 bad usage or configuration, 3 keys are left under another master key.
`;

export const EXIT = { ok: 0, failed: 1, usage: 2, keysLeft: 3 } as const;

export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
};

/** Which configured variables hold the master key of each id. */
const configuredNames = (config: Config): Map<string, string[]> => {
  const named: [string, MasterKey | null][] = [
    [config.usingDevelopmentMasterKey ? 'the development master key (MASTER_KEY is not set)' : 'MASTER_KEY', config.masterKeys.current],
    ...config.masterKeys.previous.map((key): [string, MasterKey] => ['MASTER_KEY_PREVIOUS', key]),
    ['NEW_MASTER_KEY', config.newMasterKey],
  ];
  const names = new Map<string, string[]>();
  for (const [name, key] of named) if (key) names.set(key.id, [...(names.get(key.id) ?? []), name]);
  return names;
};

const describeCensus = (census: KeyCensus, names: Map<string, string[]>): string => {
  const lines = Object.entries(census.wrappedBy).map(([id, count]) => `${String(count).padStart(8)}  wrapped by ${id}  ${names.get(id)?.join(', ') ?? 'not configured'}`);
  lines.push(`${String(census.unwrapped).padStart(8)}  in the clear (wrapped when the server next starts)`, `${String(census.erased).padStart(8)}  erased`);
  return `${lines.join('\n')}\n`;
};

/** Keys a master key other than `wanted` wraps, or none does. */
const keysLeft = (census: KeyCensus, wanted: MasterKey): number =>
  census.unwrapped + Object.entries(census.wrappedBy).reduce((sum, [id, count]) => sum + (id === wanted.id ? 0 : count), 0);

/**
 * The operators' tool for the master keys. It opens the key store itself, as the server does,
 * with the server's configuration; it never prints a key, only their ids.
 */
export const runKeysCli = async (argv: string[], io: CliIo): Promise<number> => {
  let command: string | undefined;
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new Error('Name one command.');
    command = positionals[0];
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (command !== 'status' && command !== 'rotate') {
    io.stderr(USAGE);
    return EXIT.usage;
  }

  try {
    const config = loadConfig(io.env);
    const names = configuredNames(config);
    if (command === 'status') {
      const store = await openWrappedKeyStore(config, { mustExist: true });
      try {
        const census = await store.census();
        io.stdout(`Data keys in the ${describeKeyStore(config)}:\n${describeCensus(census, names)}`);
        return keysLeft(census, config.masterKeys.current) === 0 ? EXIT.ok : EXIT.keysLeft;
      } finally {
        await store.close();
      }
    }

    const target = config.newMasterKey;
    if (!target) {
      io.stderr('NEW_MASTER_KEY: required to rotate (or NEW_MASTER_KEY_FILE): the key to re-wrap every data key under\n');
      return EXIT.usage;
    }
    const { current, previous } = config.masterKeys;
    const keys = await openKeyStore(config, pino({ level: 'silent' }), { masterKeys: { current: target, previous: [current, ...previous] }, mustExist: true });
    try {
      if (keys.wrappedAtOpen > 0) io.stdout(`Wrapped ${keys.wrappedAtOpen} data keys that were stored in the clear.\n`);
      const { rewrapped, skipped, erasedMeanwhile } = await keys.rotate();
      io.stdout(`Re-wrapped ${rewrapped} data keys under master key ${target.id}; ${skipped} already were; ${erasedMeanwhile} erased meanwhile.\n`);
      const census = await keys.census();
      io.stdout(`Data keys in the ${describeKeyStore(config)}:\n${describeCensus(census, names)}`);
      if (keysLeft(census, target) === 0) return EXIT.ok;
      io.stderr('Keys were created under another master key while this ran: restart every server with MASTER_KEY set to the new key, then rotate again.\n');
      return EXIT.keysLeft;
    } finally {
      await keys.close();
    }
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    return error instanceof ConfigError ? EXIT.usage : EXIT.failed;
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runKeysCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  });
}
