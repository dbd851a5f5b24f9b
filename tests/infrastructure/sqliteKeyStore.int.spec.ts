import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvelopeKeyStore } from '../../application/keys/envelopeKeyStore.js';
import { MasterKey } from '../../application/keys/masterKey.js';
import { SubjectErased } from '../../application/ports/keyStore.js';
import { SqliteKeyStore } from '../../infrastructure/keystore/sqlite/sqliteKeyStore.js';
import { keyStoreContract } from '../contracts/keyStoreContract.js';
import { writeKeysFileFromBeforeWrapping } from '../support/unwrappedKeys.js';

const dir = mkdtempSync(join(tmpdir(), 'keystore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'keys.sqlite');

keyStoreContract('SQLite', async () => {
  const store = SqliteKeyStore.open(file);
  return {
    store,
    dispose: () => store.close(),
    async writeUnwrapped(keys, erased) {
      const db = new Database(file);
      const now = new Date().toISOString();
      const insert = db.prepare('INSERT INTO subject_keys (subject, key, created_at, destroyed_at) VALUES (?, ?, ?, ?)');
      db.transaction(() => {
        for (const { subject, key } of keys) insert.run(subject, key, now, null);
        for (const subject of erased) insert.run(subject, null, now, now);
      })();
      db.close();
    },
  };
});

describe('SQLite key store', () => {
  it('opens a keys file written before keys were wrapped: adds the wrapped columns, wraps its keys, keeps its erasures', async () => {
    const legacyFile = join(dir, 'legacy-keys.sqlite');
    const { keys, erased } = writeKeysFileFromBeforeWrapping(legacyFile);
    const masterKey = new MasterKey(randomBytes(32));

    const opened = await EnvelopeKeyStore.open(SqliteKeyStore.open(legacyFile), { current: masterKey, previous: [] });
    try {
      expect(opened.wrappedAtOpen).toBe(keys.length);
      for (const { subject, key } of keys) expect(await opened.findKey(subject)).toEqual(key);
      for (const subject of erased) await expect(opened.keyFor(subject)).rejects.toBeInstanceOf(SubjectErased);
    } finally {
      await opened.close();
    }
  });

  it('refuses to create a keys file when asked to read an existing one', () => {
    const missing = join(dir, 'missing.sqlite');
    expect(() => SqliteKeyStore.open(missing, { mustExist: true })).toThrow(`There is no keys file at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });
});
