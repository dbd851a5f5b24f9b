import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorKeyFrom } from '../../application/anchors/anchorKey.js';
import { ConfigError, DEVELOPMENT_ANCHOR_KEY, DEVELOPMENT_KEYS, loadConfig } from '../../infrastructure/config.js';

/** A fresh Ed25519 seed, as `openssl rand -base64 32` would give. */
const anchorSeed = () => randomBytes(32).toString('base64');

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
  it('starts with defaults and the development keys on a bare laptop', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: './data', LOG_LEVEL: 'info', usingDevelopmentKeys: true, usingDevelopmentAnchorKey: true, ANCHOR_INTERVAL_MS: 900_000 });
    expect(config.anchorKey.keyId).toBe(anchorKeyFrom(DEVELOPMENT_ANCHOR_KEY).keyId);
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
    expect(loadConfig({ API_KEYS_FILE: file, NODE_ENV: 'production', ANCHOR_KEY: anchorSeed() }).apiKeys).toEqual(keys);
    expect(problemsOf({ API_KEYS: '{not json' })[0]).toMatch(/API_KEYS: not valid JSON/);
    expect(problemsOf({ API_KEYS: JSON.stringify({ 'k-1234567890abcdef': { actorId: 'x', role: 'king' } }) })[0]).toMatch(/role/);
  });

  describe('the anchor key', () => {
    const productionKeys = JSON.stringify({ 'k-1234567890abcdef': { actorId: 'ops', role: 'admin' } });

    it('is refused missing in production, naming ANCHOR_KEY, along with every other problem', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^API_KEYS: required/), expect.stringMatching(/^ANCHOR_KEY: required when NODE_ENV=production/)]);
      expect(problemsOf({ NODE_ENV: 'production', API_KEYS: productionKeys, ANCHOR_KEY: DEVELOPMENT_ANCHOR_KEY })).toEqual([
        expect.stringMatching(/^ANCHOR_KEY: the development anchor key is not allowed/),
      ]);
    });

    it('takes a base64 seed or a PEM, from ANCHOR_KEY or from the file ANCHOR_KEY_FILE names', () => {
      const seed = anchorSeed();
      const fromSeed = loadConfig({ NODE_ENV: 'production', API_KEYS: productionKeys, ANCHOR_KEY: seed });
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
