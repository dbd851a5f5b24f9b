import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { anchorKeyFrom, type AnchorKey } from '../application/anchors/anchorKey.js';
import { DEFAULT_FOLDED_STATE_CACHE_SIZE } from '../application/foldedStates.js';
import type { MasterKeys } from '../application/keys/envelopeKeyStore.js';
import { MasterKey } from '../application/keys/masterKey.js';
import { ROLES, type ApiKeys } from '../application/roles.js';
import { DEFAULT_CACHED_PAGES } from '../application/followers/sharedLog.js';
import { DEFAULT_CACHED_DOCUMENTS } from '../projections/documentCache.js';
import { esdbConnection } from './eventstore/esdb/esdbEventStore.js';

const API_KEY_MIN_CHARS = 16;
const KeyIdentity = z.object({ actorId: z.string().min(1).max(200), role: z.enum(ROLES) }).strict();

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EVENTSTORE_URL: z
    .string()
    .superRefine((url, context) => {
      try {
        esdbConnection(url);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
      }
    })
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
  /** How many streams' folded states commands keep, so a command reads only what its stream gained since; 0 keeps none. */
  FOLDED_STATE_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_FOLDED_STATE_CACHE_SIZE),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Signs view cursors; every API process behind one balancer needs the same. */
  CURSOR_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  CURSOR_SECRET_FILE: z.string().optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(1_200),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
  POLICY_HORIZON_DAYS: z.coerce.number().int().min(1).max(3_660).default(366),
  ANCHOR_KEY: z.string().optional(),
  ANCHOR_KEY_FILE: z.string().optional(),
  ANCHOR_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(900_000),
  /** all: one process serves the API and runs the followers; api and worker split them, to scale apart. */
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  /** How long a worker's hold on a follower lasts unrenewed: a dead worker's followers move within about this long. */
  LEASE_TTL_MS: z.coerce.number().int().min(300).max(600_000).default(15_000),
  /** The most periods a KPI question may span (a year of days by default): more is a 400. */
  KPI_MAX_BUCKETS: z.coerce.number().int().min(1).max(10_000).default(366),
  /** This process's name on the leases (host name and process id by default). */
  WORKER_NAME: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, dot, _ and - only').optional(),
  /** Documents each view keeps in memory between batches: what bounds a follower's memory, whatever the number of customers. */
  PROJECTION_CACHE_DOCUMENTS: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_CACHED_DOCUMENTS),
  /** Pages of the log (1,000 events each) the followers of one process share, so each page is read and parsed once. */
  LOG_CACHE_PAGES: z.coerce.number().int().min(0).max(1_000).default(DEFAULT_CACHED_PAGES),
});

type Env = z.infer<typeof EnvSchema>;

type MasterKeyName = 'MASTER_KEY' | 'MASTER_KEY_PREVIOUS' | 'NEW_MASTER_KEY';
/** Read into keys, never kept as text. */
type Secrets = 'API_KEYS' | 'API_KEYS_FILE' | 'ANCHOR_KEY' | 'ANCHOR_KEY_FILE' | 'CURSOR_SECRET_FILE' | MasterKeyName | `${MasterKeyName}_FILE`;
type Settings = Omit<Env, Secrets>;

export type Config = Settings & {
  apiKeys: ApiKeys;
  usingDevelopmentKeys: boolean;
  anchorKey: AnchorKey;
  usingDevelopmentAnchorKey: boolean;
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
 * The development anchor key: the base64 seed of an Ed25519 key, public (it is in the README), so
 * an anchor it signed proves nothing; production refuses it.
 */
export const DEVELOPMENT_ANCHOR_KEY = 'ZGV2LWFuY2hvci1rZXktMDAwMC1wdWJsaWMtZGV2ISE=';

/** Secrets are named in an error, never shown; so are connection strings, which may carry a password. */
const isSecret = (name: string) => /KEY|SECRET|PASSWORD|TOKEN|URL/.test(name);

/**
 * The development master key, so `npm start` works on a bare laptop. It is public (it is in
 * the README, and its 32 bytes spell what it is), which is why production refuses it.
 */
export const DEVELOPMENT_MASTER_KEY = new MasterKey(Buffer.from('dev-master-key-public-not-secret'));

const describeIssues = (issues: z.core.$ZodIssue[], env: Record<string, string | undefined>, prefix = '') =>
  issues.map((issue) => {
    const name = issue.path.map(String).join('.');
    const given = issue.path.length === 1 && !isSecret(name) ? env[String(issue.path[0])] : undefined;
    return `${prefix}${name}: ${issue.message}${given !== undefined ? ` (got "${given}")` : ''}`;
  });

/** Each key's problems by its place in the list, so an error names which key without showing it. */
const apiKeyProblems = (source: string, json: unknown): { keys: ApiKeys; problems: string[] } => {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { keys: {}, problems: [`${source}: must be a JSON object of key -> { actorId, role }`] };
  const keys: ApiKeys = {};
  const problems = Object.entries(json).flatMap(([key, identity], index) => {
    const which = `${source} key #${index + 1}`;
    const found: string[] = key.length < API_KEY_MIN_CHARS ? [`${which}: is ${key.length} characters; an API key must be at least ${API_KEY_MIN_CHARS}`] : [];
    const parsed = KeyIdentity.safeParse(identity);
    if (parsed.success) keys[key] = parsed.data;
    else found.push(...parsed.error.issues.map((issue) => `${which}: ${issue.path.map(String).join('.') || 'identity'}: ${issue.message}`));
    return found;
  });
  return { keys, problems };
};

const readFile = (variable: string, file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`${variable}: cannot read ${file} (${(error as Error).message})`]);
  }
};

const readApiKeys = (settings: Settings, API_KEYS: string | undefined, API_KEYS_FILE: string | undefined): { apiKeys: ApiKeys; usingDevelopmentKeys: boolean } => {
  if (API_KEYS && API_KEYS_FILE) throw new ConfigError(['API_KEYS and API_KEYS_FILE: set one, not both']);
  const source = API_KEYS_FILE ? 'API_KEYS_FILE' : 'API_KEYS';
  const rawKeys = API_KEYS_FILE ? readFile(source, API_KEYS_FILE) : API_KEYS;
  if (rawKeys === undefined) {
    if (settings.NODE_ENV === 'production') {
      throw new ConfigError(['API_KEYS: required when NODE_ENV=production; the development keys are public and refused there']);
    }
    return { apiKeys: DEVELOPMENT_KEYS, usingDevelopmentKeys: true };
  }
  let json: unknown;
  try {
    json = JSON.parse(rawKeys);
  } catch (error) {
    // The parser's message quotes the text, which holds keys: only where it stopped is said.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ConfigError([`${source}: not valid JSON${at !== undefined ? ` (at character ${at})` : ''}`]);
  }
  const { keys, problems } = apiKeyProblems(source, json);
  if (problems.length > 0) throw new ConfigError(problems);
  if (Object.keys(keys).length === 0) throw new ConfigError([`${source}: holds no keys`]);
  if (settings.NODE_ENV === 'production' && Object.keys(keys).some((k) => k in DEVELOPMENT_KEYS)) {
    throw new ConfigError([`${source}: a development key is not allowed when NODE_ENV=production`]);
  }
  return { apiKeys: keys, usingDevelopmentKeys: false };
};

/** Whether `path` is `dir` or lies anywhere beneath it. */
const isWithin = (dir: string, path: string) => {
  const rest = relative(dir, path);
  return rest === '' || (rest.split(sep)[0] !== '..' && !isAbsolute(rest));
};

/** The path with its links followed where it exists, so a link cannot smuggle the key file into the data directory. */
const realPath = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
};

/** Whether `file` lies under `dir`, as written or once links are followed. */
const liesUnder = (dir: string, file: string) => isWithin(resolve(dir), resolve(file)) || isWithin(realPath(dir), realPath(file));

/**
 * The key that signs anchors. Whoever can write the data directory can rewrite the log and recompute
 * its chains, so a key stored there would let them re-sign the anchors too: it is refused.
 */
const readAnchorKey = (settings: Settings, ANCHOR_KEY: string | undefined, ANCHOR_KEY_FILE: string | undefined): { anchorKey: AnchorKey; usingDevelopmentAnchorKey: boolean } => {
  if (ANCHOR_KEY && ANCHOR_KEY_FILE) throw new ConfigError(['ANCHOR_KEY and ANCHOR_KEY_FILE: set one, not both']);
  if (ANCHOR_KEY_FILE && liesUnder(settings.DATA_DIR, ANCHOR_KEY_FILE)) {
    throw new ConfigError([`ANCHOR_KEY_FILE: ${ANCHOR_KEY_FILE} lies under DATA_DIR (${settings.DATA_DIR}); keep the anchor key outside the data directory, or whoever can edit the log can re-sign it`]);
  }
  const source = ANCHOR_KEY_FILE ? 'ANCHOR_KEY_FILE' : 'ANCHOR_KEY';
  const material = ANCHOR_KEY_FILE ? readFile(source, ANCHOR_KEY_FILE) : ANCHOR_KEY;
  if (material === undefined) {
    if (settings.NODE_ENV === 'production') {
      throw new ConfigError(['ANCHOR_KEY: required when NODE_ENV=production (or ANCHOR_KEY_FILE); the development anchor key is public and refused there']);
    }
    return { anchorKey: anchorKeyFrom(DEVELOPMENT_ANCHOR_KEY), usingDevelopmentAnchorKey: true };
  }
  let anchorKey: AnchorKey;
  try {
    anchorKey = anchorKeyFrom(material);
  } catch (error) {
    throw new ConfigError([`${source}: ${(error as Error).message}`]);
  }
  const isDevelopmentKey = anchorKey.keyId === anchorKeyFrom(DEVELOPMENT_ANCHOR_KEY).keyId;
  if (settings.NODE_ENV === 'production' && isDevelopmentKey) throw new ConfigError([`${source}: the development anchor key is not allowed when NODE_ENV=production`]);
  return { anchorKey, usingDevelopmentAnchorKey: isDevelopmentKey };
};

/** Runs each reader, so that one start-up names every problem, not just the first. */
const collect = <Parts extends object[]>(...readers: { [I in keyof Parts]: () => Parts[I] }): Parts => {
  const problems: string[] = [];
  const parts = readers.map((read) => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return parts as Parts;
};

/**
 * A master key from `name` or the file `name`_FILE names: 32 bytes written as 64 hex digits
 * or as base64. A bad value is described by its length only, never repeated.
 */
const readMasterKey = (name: MasterKeyName, value: string | undefined, file: string | undefined, production: boolean, dataDir: string): MasterKey | null => {
  if (value && file) throw new ConfigError([`${name} and ${name}_FILE: set one, not both`]);
  if (file && liesUnder(dataDir, file)) {
    throw new ConfigError([`${name}_FILE: ${file} lies under DATA_DIR (${dataDir}); keep the master key outside the data directory, or a copy of it opens every data key it wraps`]);
  }
  const source = file ? `${name}_FILE` : name;
  const text = (file ? readFile(source, file) : value)?.trim();
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

type MasterKeySettings = Pick<Env, MasterKeyName | `${MasterKeyName}_FILE`>;

/** The current master key, the one before it and the one a rotation moves to, every problem among them named. */
const readMasterKeys = (settings: Settings, env: MasterKeySettings): Pick<Config, 'masterKeys' | 'usingDevelopmentMasterKey' | 'newMasterKey'> => {
  const production = settings.NODE_ENV === 'production';
  const [current, previous, next] = collect(
    () => ({ key: readMasterKey('MASTER_KEY', env.MASTER_KEY, env.MASTER_KEY_FILE, production, settings.DATA_DIR) }),
    // The development master key is accepted as the previous one even in production: that is how a store rotates away from it.
    () => ({ key: readMasterKey('MASTER_KEY_PREVIOUS', env.MASTER_KEY_PREVIOUS, env.MASTER_KEY_PREVIOUS_FILE, false, settings.DATA_DIR) }),
    () => ({ key: readMasterKey('NEW_MASTER_KEY', env.NEW_MASTER_KEY, env.NEW_MASTER_KEY_FILE, production, settings.DATA_DIR) }),
  );
  if (production && current.key === null) {
    throw new ConfigError(['MASTER_KEY: required when NODE_ENV=production (or MASTER_KEY_FILE); the development master key is public and refused there']);
  }
  return {
    masterKeys: { current: current.key ?? DEVELOPMENT_MASTER_KEY, previous: previous.key ? [previous.key] : [] },
    usingDevelopmentMasterKey: current.key === null,
    newMasterKey: next.key,
  };
};

/** The secret that signs view cursors, from CURSOR_SECRET or the file CURSOR_SECRET_FILE names; never shown. */
const readCursorSecret = (value: string | undefined, file: string | undefined): { CURSOR_SECRET?: string } => {
  if (value && file) throw new ConfigError(['CURSOR_SECRET and CURSOR_SECRET_FILE: set one, not both']);
  const secret = file ? readFile('CURSOR_SECRET_FILE', file).trim() : value;
  if (secret === undefined) return {};
  if (secret.length < 32) throw new ConfigError([`${file ? 'CURSOR_SECRET_FILE' : 'CURSOR_SECRET'}: at least 32 characters (got ${secret.length}, not shown)`]);
  return { CURSOR_SECRET: secret };
};

/** Reads and checks the whole environment once, at start-up, and names every bad value. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, env));
  const { API_KEYS, API_KEYS_FILE, ANCHOR_KEY, ANCHOR_KEY_FILE, CURSOR_SECRET_FILE, MASTER_KEY, MASTER_KEY_FILE, MASTER_KEY_PREVIOUS, MASTER_KEY_PREVIOUS_FILE, NEW_MASTER_KEY, NEW_MASTER_KEY_FILE, ...settings } =
    parsed.data;
  const [apiKeys, anchorKey, masterKeys, cursorSecret] = collect(
    () => readApiKeys(settings, API_KEYS, API_KEYS_FILE),
    () => readAnchorKey(settings, ANCHOR_KEY, ANCHOR_KEY_FILE),
    () => readMasterKeys(settings, { MASTER_KEY, MASTER_KEY_FILE, MASTER_KEY_PREVIOUS, MASTER_KEY_PREVIOUS_FILE, NEW_MASTER_KEY, NEW_MASTER_KEY_FILE }),
    () => readCursorSecret(settings.CURSOR_SECRET, CURSOR_SECRET_FILE),
  );
  return { ...settings, ...apiKeys, ...anchorKey, ...masterKeys, ...cursorSecret };
};
