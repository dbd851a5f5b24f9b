import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ROLES, type ApiKeys } from '../application/roles.js';

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
    .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent|kurrent\+discover):\/\//, 'must be an esdb:// or kurrentdb:// connection string')
    .optional(),
  MONGODB_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// connection string').optional(),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and - only').default('sales_conduct'),
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().optional(),
  READ_AFTER_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  COMMAND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Signs view cursors; every API process behind one balancer needs the same. */
  CURSOR_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(1_200),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
  POLICY_HORIZON_DAYS: z.coerce.number().int().min(1).max(3_660).default(366),
});

export type Config = Omit<z.infer<typeof EnvSchema>, 'API_KEYS' | 'API_KEYS_FILE'> & { apiKeys: ApiKeys; usingDevelopmentKeys: boolean };

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

/** Secrets are named in an error, never shown. */
const isSecret = (name: string) => /KEY|SECRET|PASSWORD|TOKEN/.test(name);

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

/** Reads and checks the whole environment once, at start-up, and names every bad value. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, env));
  const { API_KEYS, API_KEYS_FILE, ...settings } = parsed.data;

  if (API_KEYS && API_KEYS_FILE) throw new ConfigError(['API_KEYS and API_KEYS_FILE: set one, not both']);
  let rawKeys: string | undefined = API_KEYS;
  let source = 'API_KEYS';
  if (API_KEYS_FILE) {
    source = 'API_KEYS_FILE';
    try {
      rawKeys = readFileSync(API_KEYS_FILE, 'utf8');
    } catch (error) {
      throw new ConfigError([`API_KEYS_FILE: cannot read ${API_KEYS_FILE} (${(error as Error).message})`]);
    }
  }
  if (rawKeys === undefined) {
    if (settings.NODE_ENV === 'production') {
      throw new ConfigError(['API_KEYS: required when NODE_ENV=production; the development keys are public and refused there']);
    }
    return { ...settings, apiKeys: DEVELOPMENT_KEYS, usingDevelopmentKeys: true };
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
  return { ...settings, apiKeys: keys, usingDevelopmentKeys: false };
};
