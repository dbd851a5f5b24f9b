import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { anchorKeyFrom } from '../../application/anchors/anchorKey.js';
import { MasterKey } from '../../application/keys/masterKey.js';
import { ConfigError, DEVELOPMENT_ANCHOR_KEY, DEVELOPMENT_KEYS, DEVELOPMENT_MASTER_KEY, loadConfig } from '../../infrastructure/config.js';

/** A fresh Ed25519 seed, as `openssl rand -base64 32` would give. */
const anchorSeed = () => randomBytes(32).toString('base64');
/** A fresh master key, as `openssl rand -hex 32` would give. */
const masterKey = () => randomBytes(32).toString('hex');

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('starts with defaults, the development keys and the development master key on a bare laptop', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
      usingDevelopmentKeys: true,
      usingDevelopmentAnchorKey: true,
      ANCHOR_INTERVAL_MS: 900_000,
      usingDevelopmentMasterKey: true,
      newMasterKey: null,
    });
    expect(config.anchorKey.keyId).toBe(anchorKeyFrom(DEVELOPMENT_ANCHOR_KEY).keyId);
    expect(config.masterKeys).toEqual({ current: DEVELOPMENT_MASTER_KEY, previous: [] });
    expect(Object.values(config.apiKeys).map((k) => k.role)).toEqual(
      expect.arrayContaining(['sales_rep', 'sales_manager', 'finance', 'compliance_officer', 'auditor', 'analyst', 'admin']),
    );
  });

  it('names every bad value with what was given', () => {
    const problems = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', EVENTSTORE_URL: 'http://localhost:2113' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/PORT: .*\(got "eighty"\)/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL: .*\(got "loud"\)/);
    expect(problems.join('\n')).toMatch(/EVENTSTORE_URL: must be an esdb:\/\/ or kurrentdb:\/\/ connection string/);
  });

  it('never repeats a connection string it refuses, which may carry a password', () => {
    const problems = problemsOf({ EVENTSTORE_URL: 'https://ledger:s3cret-pass@db:2113', MONGODB_URL: 'mysql://ledger:s3cret-pass@db/x' });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toContain('s3cret-pass');
  });

  it('accepts the esdb://, kurrentdb:// and kurrent:// connection strings, and refuses throwOnAppendFailure=false', () => {
    for (const url of ['esdb://db:2113?tls=false', 'esdb+discover://cluster', 'kurrentdb://db:2113', 'kurrentdb+discover://cluster', 'kurrent://db', 'kurrent+discover://cluster']) {
      expect(loadConfig({ EVENTSTORE_URL: url }).EVENTSTORE_URL).toBe(url);
    }
    expect(problemsOf({ EVENTSTORE_URL: 'kurrentdb://db:2113?throwOnAppendFailure=false' })[0]).toMatch(
      /EVENTSTORE_URL: throwOnAppendFailure=false would report a refused append as written; remove it/,
    );
  });

  it('refuses to start in production without keys, or with the development keys', () => {
    expect(problemsOf({ NODE_ENV: 'production' })[0]).toMatch(/API_KEYS: required when NODE_ENV=production/);
    const devKey = Object.keys(DEVELOPMENT_KEYS)[0]!;
    const keys = JSON.stringify({ [devKey]: { actorId: 'x', role: 'admin' } });
    expect(problemsOf({ NODE_ENV: 'production', API_KEYS: keys })[0]).toMatch(/development key is not allowed/);
  });

  it('reads keys from API_KEYS or from the file API_KEYS_FILE names, and checks their roles', () => {
    const keys = { 'k-1234567890abcdef': { actorId: 'li.wei', role: 'sales_manager' } };
    expect(loadConfig({ API_KEYS: JSON.stringify(keys) }).apiKeys).toEqual(keys);
    const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.json');
    writeFileSync(file, JSON.stringify(keys));
    expect(loadConfig({ API_KEYS_FILE: file, NODE_ENV: 'production', ANCHOR_KEY: anchorSeed(), MASTER_KEY: masterKey() }).apiKeys).toEqual(keys);
    expect(problemsOf({ API_KEYS: '{not json' })[0]).toMatch(/API_KEYS: not valid JSON/);
    expect(problemsOf({ API_KEYS: JSON.stringify({ 'k-1234567890abcdef': { actorId: 'x', role: 'king' } }) })[0]).toMatch(/role/);
  });

  describe('the anchor key', () => {
    const productionKeys = JSON.stringify({ 'k-1234567890abcdef': { actorId: 'ops', role: 'admin' } });

    it('is refused missing in production, naming ANCHOR_KEY, along with every other problem', () => {
      expect(problemsOf({ NODE_ENV: 'production', MASTER_KEY: masterKey() })).toEqual([
        expect.stringMatching(/^API_KEYS: required/),
        expect.stringMatching(/^ANCHOR_KEY: required when NODE_ENV=production/),
      ]);
      expect(problemsOf({ NODE_ENV: 'production', API_KEYS: productionKeys, ANCHOR_KEY: DEVELOPMENT_ANCHOR_KEY, MASTER_KEY: masterKey() })).toEqual([
        expect.stringMatching(/^ANCHOR_KEY: the development anchor key is not allowed/),
      ]);
    });

    it('takes a base64 seed or a PEM, from ANCHOR_KEY or from the file ANCHOR_KEY_FILE names', () => {
      const seed = anchorSeed();
      const fromSeed = loadConfig({ NODE_ENV: 'production', API_KEYS: productionKeys, ANCHOR_KEY: seed, MASTER_KEY: masterKey() });
      expect(fromSeed).toMatchObject({ usingDevelopmentAnchorKey: false, anchorKey: { algorithm: 'Ed25519', keyId: anchorKeyFrom(seed).keyId } });
      const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const file = join(mkdtempSync(join(tmpdir(), 'anchor-key-')), 'anchor.pem');
      writeFileSync(file, pem);
      const fromFile = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'data-')), ANCHOR_KEY_FILE: file });
      expect(fromFile.anchorKey.keyId).toBe(anchorKeyFrom(pem).keyId);
      expect(fromFile.anchorKey.verify('statement', fromFile.anchorKey.sign('statement'))).toBe(true);
    });

    it('refuses a key file under DATA_DIR, also through a link, so whoever can edit the log cannot re-sign it', () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'data-'));
      const inside = join(dataDir, 'keys', 'anchor.key');
      mkdirSync(join(dataDir, 'keys'));
      writeFileSync(inside, anchorSeed());
      expect(problemsOf({ DATA_DIR: dataDir, ANCHOR_KEY_FILE: inside })[0]).toMatch(/^ANCHOR_KEY_FILE: .* lies under DATA_DIR/);
      const link = join(mkdtempSync(join(tmpdir(), 'elsewhere-')), 'anchor.key');
      symlinkSync(inside, link);
      expect(problemsOf({ DATA_DIR: dataDir, ANCHOR_KEY_FILE: link })[0]).toMatch(/lies under DATA_DIR/);
    });

    it('names a key that is not Ed25519, a file it cannot read, both variables set, and a bad interval', () => {
      expect(problemsOf({ ANCHOR_KEY: 'not a key' })[0]).toMatch(/^ANCHOR_KEY: not an Ed25519 private key/);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      expect(problemsOf({ ANCHOR_KEY: rsa })[0]).toMatch(/^ANCHOR_KEY: an rsa key, not Ed25519/);
      expect(problemsOf({ ANCHOR_KEY_FILE: join(tmpdir(), 'no-such-anchor-key') })[0]).toMatch(/^ANCHOR_KEY_FILE: cannot read/);
      expect(problemsOf({ ANCHOR_KEY: anchorSeed(), ANCHOR_KEY_FILE: '/etc/hostname' })[0]).toMatch(/set one, not both/);
      expect(problemsOf({ ANCHOR_INTERVAL_MS: '-1' })[0]).toMatch(/ANCHOR_INTERVAL_MS: .*\(got "-1"\)/);
      expect(loadConfig({ ANCHOR_INTERVAL_MS: '0' }).ANCHOR_INTERVAL_MS).toBe(0);
    });
  });
});

describe('the cursor secret', () => {
  it('is read from CURSOR_SECRET or the file CURSOR_SECRET_FILE names, never shown when too short', () => {
    const secret = randomBytes(24).toString('base64');
    const file = join(mkdtempSync(join(tmpdir(), 'cursor-')), 'cursor.secret');
    writeFileSync(file, `${secret}\n`);
    expect(loadConfig({ CURSOR_SECRET_FILE: file }).CURSOR_SECRET).toBe(secret);
    expect(loadConfig({ CURSOR_SECRET: secret }).CURSOR_SECRET).toBe(secret);
    writeFileSync(file, 'short-secret');
    const problems = problemsOf({ CURSOR_SECRET_FILE: file });
    expect(problems).toEqual(['CURSOR_SECRET_FILE: at least 32 characters (got 12, not shown)']);
    expect(problemsOf({ CURSOR_SECRET: secret, CURSOR_SECRET_FILE: file })).toEqual(['CURSOR_SECRET and CURSOR_SECRET_FILE: set one, not both']);
  });
});

describe('master keys', () => {
  const apiKeys = JSON.stringify({ 'k-1234567890abcdef': { actorId: 'li.wei', role: 'admin' } });
  const ANCHOR_KEY = anchorSeed();
  const bytes = randomBytes(32);
  const id = new MasterKey(bytes).id;

  it('refuses to start in production without MASTER_KEY, or with the development master key', () => {
    expect(problemsOf({ NODE_ENV: 'production', ANCHOR_KEY, API_KEYS: apiKeys })).toEqual([expect.stringMatching(/^MASTER_KEY: required when NODE_ENV=production/)]);
    const development = Buffer.from('dev-master-key-public-not-secret').toString('base64');
    expect(problemsOf({ NODE_ENV: 'production', ANCHOR_KEY, API_KEYS: apiKeys, MASTER_KEY: development })).toEqual([
      'MASTER_KEY: the development master key is not allowed when NODE_ENV=production',
    ]);
    expect(problemsOf({ NODE_ENV: 'production', ANCHOR_KEY, API_KEYS: apiKeys, MASTER_KEY: bytes.toString('hex'), NEW_MASTER_KEY: development })[0]).toMatch(
      /^NEW_MASTER_KEY: the development master key is not allowed/,
    );
    // As the previous key it is accepted: that is how a store is rotated away from it.
    const config = loadConfig({ NODE_ENV: 'production', ANCHOR_KEY, API_KEYS: apiKeys, MASTER_KEY: bytes.toString('hex'), MASTER_KEY_PREVIOUS: development });
    expect(config.masterKeys.previous).toEqual([DEVELOPMENT_MASTER_KEY]);
  });

  it('names every missing key at once in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^API_KEYS: required/),
      expect.stringMatching(/^ANCHOR_KEY: required/),
      expect.stringMatching(/^MASTER_KEY: required/),
    ]);
  });

  it('reads 32 bytes as hex or base64, from the variable or the file its _FILE names, for MASTER_KEY, MASTER_KEY_PREVIOUS and NEW_MASTER_KEY', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'master-key-')), 'master.key');
    writeFileSync(file, `${bytes.toString('base64')}\n`);
    const other = randomBytes(32);
    const config = loadConfig({ MASTER_KEY: bytes.toString('hex'), MASTER_KEY_PREVIOUS: other.toString('base64'), NEW_MASTER_KEY_FILE: file });
    expect(config.usingDevelopmentMasterKey).toBe(false);
    expect(config.masterKeys.current.id).toBe(id);
    expect(config.masterKeys.previous.map((key) => key.id)).toEqual([new MasterKey(other).id]);
    expect(config.newMasterKey?.id).toBe(id);
    expect(loadConfig({ MASTER_KEY_FILE: file, MASTER_KEY: '' }).masterKeys.current.id).toBe(id);
  });

  it('refuses a master key file under DATA_DIR, also through a link: a copy of the data would carry the key that opens it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'data-'));
    const inside = join(dataDir, 'master.key');
    writeFileSync(inside, bytes.toString('hex'));
    expect(problemsOf({ DATA_DIR: dataDir, MASTER_KEY_FILE: inside })).toEqual([expect.stringMatching(/^MASTER_KEY_FILE: .* lies under DATA_DIR/)]);
    const link = join(mkdtempSync(join(tmpdir(), 'elsewhere-')), 'master.key');
    symlinkSync(inside, link);
    expect(problemsOf({ DATA_DIR: dataDir, NEW_MASTER_KEY_FILE: link })).toEqual([expect.stringMatching(/^NEW_MASTER_KEY_FILE: .* lies under DATA_DIR/)]);
  });

  it('names a bad master key by its length, never repeating it', () => {
    const tooShort = randomBytes(16).toString('hex');
    const notBase64 = `${bytes.toString('base64').slice(0, -2)}!=`;
    const problems = problemsOf({ MASTER_KEY: tooShort, MASTER_KEY_PREVIOUS: notBase64, NEW_MASTER_KEY: bytes.toString('hex'), NEW_MASTER_KEY_FILE: '/x' });
    expect(problems).toEqual([
      'MASTER_KEY: must be 32 bytes written as 64 hex digits or as base64 (got 32 characters, not shown)',
      'MASTER_KEY_PREVIOUS: must be 32 bytes written as 64 hex digits or as base64 (got 44 characters, not shown)',
      'NEW_MASTER_KEY and NEW_MASTER_KEY_FILE: set one, not both',
    ]);
    for (const secret of [tooShort, notBase64, bytes.toString('hex')]) expect(problems.join('\n')).not.toContain(secret);
    expect(problemsOf({ MASTER_KEY_FILE: '/nowhere/master.key' })[0]).toMatch(/^MASTER_KEY_FILE: cannot read \/nowhere\/master.key/);
  });

  it('keeps a master key out of the configuration it answers: only its id shows', () => {
    const config = loadConfig({ MASTER_KEY: bytes.toString('base64') });
    const shown = `${JSON.stringify(config)} ${inspect(config, { depth: 10, showHidden: true })}`;
    expect(shown).toContain(id);
    for (const written of [bytes.toString('hex'), bytes.toString('base64')]) expect(shown).not.toContain(written);
  });
});
