import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * A keys file exactly as the key store wrote it before keys were wrapped: its schema, keys
 * in the clear, erasures as a row without a key. Answers what it holds.
 */
export const writeKeysFileFromBeforeWrapping = (filename: string, count = 5) => {
  const keys = Array.from({ length: count }, () => ({ subject: randomUUID(), key: randomBytes(32) }));
  const erased = [randomUUID(), randomUUID()];
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS subject_keys (
    subject TEXT PRIMARY KEY,
    key BLOB,
    created_at TEXT NOT NULL,
    destroyed_at TEXT
  )`);
  const now = new Date().toISOString();
  const insert = db.prepare('INSERT INTO subject_keys (subject, key, created_at, destroyed_at) VALUES (?, ?, ?, ?)');
  for (const { subject, key } of keys) insert.run(subject, key, now, null);
  for (const subject of erased) insert.run(subject, null, now, now);
  db.close();
  return { keys, erased };
};
