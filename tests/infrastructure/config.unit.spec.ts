import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEVELOPMENT_KEYS, loadConfig } from '../../infrastructure/config.js';

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
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: './data', LOG_LEVEL: 'info', usingDevelopmentKeys: true });
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
    expect(loadConfig({ API_KEYS_FILE: file, NODE_ENV: 'production' }).apiKeys).toEqual(keys);
    expect(problemsOf({ API_KEYS: '{not json' })[0]).toMatch(/API_KEYS: not valid JSON/);
    expect(problemsOf({ API_KEYS: JSON.stringify({ 'k-1234567890abcdef': { actorId: 'x', role: 'king' } }) })[0]).toMatch(/role/);
  });
});
