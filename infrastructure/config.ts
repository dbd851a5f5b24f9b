import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { MasterKeys } from '../application/keys/envelopeKeyStore.js';
import { MasterKey } from '../application/keys/masterKey.js';
import { ROLES, type ApiKeys } from '../application/roles.js';

const ApiKeysJson = z.record(
  z.string().min(16, 'an API key must be at least 16 characters'),
  z.object({ actorId: z.string().min(1).max(200), role: z.enum(ROLES) }).strict(),
);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EVENTSTORE_URL: z
    .string()
    .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent|kurrent\+discover):\/\//, 'must be an esdb:// or kurrentdb:// connection string')
    .optional(),
  MONGODB_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// connection string').optional(),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and - only').default('sales_conduct'),
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().optional(),
  MASTER_KEY: z.string().optional(),
  MASTER_KEY_FILE: z.string().optional(),
  MASTER_KEY_PREVIOUS: z.string().optional(),
  MASTER_KEY_PREVIOUS_FILE: z.string().optional(),
  NEW_MASTER_KEY: z.string().optional(),
  NEW_MASTER_KEY_FILE: z.string().optional(),
  READ_AFTER_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  COMMAND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
});

type Env = z.infer<typeof EnvSchema>;

type MasterKeyName = 'MASTER_KEY' | 'MASTER_KEY_PREVIOUS' | 'NEW_MASTER_KEY';
/** Read into keys, never kept as text. */
type Secrets = 'API_KEYS' | 'API_KEYS_FILE' | MasterKeyName | `${MasterKeyName}_FILE`;

export type Config = Omit<Env, Secrets> & {
  apiKeys: ApiKeys;
  usingDevelopmentKeys: boolean;
  /** MASTER_KEY wraps new data keys; MASTER_KEY_PREVIOUS is read too, during and after a rotation. */
  masterKeys: MasterKeys;
  usingDevelopmentMasterKey: boolean;
  /** NEW_MASTER_KEY, the key `npm run keys -- rotate` re-wraps every data key under; null when not set. */
  newMasterKey: MasterKey | null;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Development keys, one per role, so `npm start` works on a bare laptop. They are public
 * (they are in the README), which is why production refuses to start with them.
 */
export const DEVELOPMENT_KEYS: ApiKeys = Object.fromEntries(
  ROLES.map((role) => [`dev-${role.replace('_', '-')}-key-0000`, { actorId: `dev-${role.replace('_', '-')}`, role }]),
);

/**
 * The development master key, so `npm start` works on a bare laptop. It is public (it is in
 * the README, and its 32 bytes spell what it is), which is why production refuses it.
 */
export const DEVELOPMENT_MASTER_KEY = new MasterKey(Buffer.from('dev-master-key-public-not-secret'));

const describeIssues = (issues: z.core.$ZodIssue[], env: Record<string, string | undefined>, prefix = '') =>
  issues.map((issue) => {
    const name = issue.path.map(String).join('.');
    const given = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
    return `${prefix}${name}: ${issue.message}${given !== undefined ? ` (got "${given}")` : ''}`;
  });

/** Reads and checks the whole environment once, at start-up, and names every bad value. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, env));
  const { API_KEYS, API_KEYS_FILE, MASTER_KEY, MASTER_KEY_FILE, MASTER_KEY_PREVIOUS, MASTER_KEY_PREVIOUS_FILE, NEW_MASTER_KEY, NEW_MASTER_KEY_FILE, ...settings } =
    parsed.data;
  const production = settings.NODE_ENV === 'production';

  const problems: string[] = [];
  const checked = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const apiKeys = checked(() => readApiKeys(API_KEYS, API_KEYS_FILE, production));
  const masterKey = checked(() => readMasterKey('MASTER_KEY', MASTER_KEY, MASTER_KEY_FILE, production));
  // The development master key is accepted as the previous one even in production: that is how a store rotates away from it.
  const previousMasterKey = checked(() => readMasterKey('MASTER_KEY_PREVIOUS', MASTER_KEY_PREVIOUS, MASTER_KEY_PREVIOUS_FILE, false));
  const newMasterKey = checked(() => readMasterKey('NEW_MASTER_KEY', NEW_MASTER_KEY, NEW_MASTER_KEY_FILE, production));
  if (production && masterKey === null) {
    problems.push('MASTER_KEY: required when NODE_ENV=production (or MASTER_KEY_FILE); the development master key is public and refused there');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    ...settings,
    // Each read above answered or added a problem.
    ...apiKeys!,
    masterKeys: { current: masterKey ?? DEVELOPMENT_MASTER_KEY, previous: previousMasterKey ? [previousMasterKey] : [] },
    usingDevelopmentMasterKey: !masterKey,
    newMasterKey: newMasterKey ?? null,
  };
};

const readApiKeys = (API_KEYS: string | undefined, API_KEYS_FILE: string | undefined, production: boolean): Pick<Config, 'apiKeys' | 'usingDevelopmentKeys'> => {
  if (API_KEYS && API_KEYS_FILE) throw new ConfigError(['API_KEYS and API_KEYS_FILE: set one, not both']);
  let rawKeys: string | undefined = API_KEYS;
  let source = 'API_KEYS';
  if (API_KEYS_FILE) {
    source = 'API_KEYS_FILE';
    rawKeys = readSecretFile(source, API_KEYS_FILE);
  }
  if (rawKeys === undefined) {
    if (production) {
      throw new ConfigError(['API_KEYS: required when NODE_ENV=production; the development keys are public and refused there']);
    }
    return { apiKeys: DEVELOPMENT_KEYS, usingDevelopmentKeys: true };
  }
  let json: unknown;
  try {
    json = JSON.parse(rawKeys);
  } catch (error) {
    throw new ConfigError([`${source}: not valid JSON (${(error as Error).message})`]);
  }
  const keys = ApiKeysJson.safeParse(json);
  if (!keys.success) throw new ConfigError(describeIssues(keys.error.issues, {}, `${source} `));
  if (Object.keys(keys.data).length === 0) throw new ConfigError([`${source}: holds no keys`]);
  if (production && Object.keys(keys.data).some((k) => k in DEVELOPMENT_KEYS)) {
    throw new ConfigError([`${source}: a development key is not allowed when NODE_ENV=production`]);
  }
  return { apiKeys: keys.data, usingDevelopmentKeys: false };
};

const readSecretFile = (name: string, path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${name}: cannot read ${path} (${(error as Error).message})`]);
  }
};

/**
 * A master key from `name` or the file `name`_FILE names: 32 bytes written as 64 hex digits
 * or as base64. A bad value is described by its length only, never repeated.
 */
const readMasterKey = (name: MasterKeyName, value: string | undefined, file: string | undefined, production: boolean): MasterKey | null => {
  if (value && file) throw new ConfigError([`${name} and ${name}_FILE: set one, not both`]);
  const source = file ? `${name}_FILE` : name;
  const text = (file ? readSecretFile(source, file) : value)?.trim();
  if (text === undefined) return null;
  const hex = /^[0-9a-fA-F]{64}$/.test(text);
  const bytes = Buffer.from(text, hex ? 'hex' : 'base64');
  if (bytes.length !== 32 || (!hex && bytes.toString('base64') !== text)) {
    throw new ConfigError([`${source}: must be 32 bytes written as 64 hex digits or as base64 (got ${text.length} characters, not shown)`]);
  }
  const key = new MasterKey(bytes);
  if (production && key.id === DEVELOPMENT_MASTER_KEY.id) throw new ConfigError([`${source}: the development master key is not allowed when NODE_ENV=production`]);
  return key;
};
