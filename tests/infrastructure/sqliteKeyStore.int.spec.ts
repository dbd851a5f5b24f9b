import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteKeyStore } from '../../infrastructure/keystore/sqlite/sqliteKeyStore.js';
import { keyStoreContract } from '../contracts/keyStoreContract.js';

const dir = mkdtempSync(join(tmpdir(), 'keystore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

keyStoreContract('SQLite', async () => {
  const store = SqliteKeyStore.open(join(dir, 'keys.sqlite'));
  return { store, dispose: () => store.close() };
});
