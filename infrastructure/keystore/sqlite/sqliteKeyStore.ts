import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { SubjectErased, type KeyStore } from '../../../application/ports/keyStore.js';

/**
 * Keys in their own SQLite file, apart from the log, so erasing a key never touches the
 * log. synchronous=FULL: losing a key would erase data nobody asked to erase.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly find;
  private readonly insert;
  private readonly shred;

  static open(filename: string): SqliteKeyStore {
    const db = new Database(filename);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE IF NOT EXISTS subject_keys (
      subject TEXT PRIMARY KEY,
      key BLOB,
      created_at TEXT NOT NULL,
      destroyed_at TEXT
    )`);
    return new SqliteKeyStore(db);
  }

  private constructor(private readonly db: Database.Database) {
    this.find = db.prepare<[string], { key: Buffer | null; destroyed_at: string | null }>('SELECT key, destroyed_at FROM subject_keys WHERE subject = ?');
    this.insert = db.prepare('INSERT OR IGNORE INTO subject_keys (subject, key, created_at) VALUES (?, ?, ?)');
    this.shred = db.prepare("UPDATE subject_keys SET key = NULL, destroyed_at = ? WHERE subject = ? AND key IS NOT NULL");
  }

  async keyFor(subject: string): Promise<Buffer> {
    this.insert.run(subject, randomBytes(32), new Date().toISOString());
    const row = this.find.get(subject)!;
    if (!row.key) throw new SubjectErased(subject);
    return row.key;
  }

  async findKey(subject: string): Promise<Buffer | null> {
    return this.find.get(subject)?.key ?? null;
  }

  async destroy(subject: string): Promise<boolean> {
    const known = this.find.get(subject);
    if (!known) {
      // Remember the erasure, so no key is ever created for this subject again.
      this.db.prepare('INSERT INTO subject_keys (subject, key, created_at, destroyed_at) VALUES (?, NULL, ?, ?)').run(subject, new Date().toISOString(), new Date().toISOString());
      return false;
    }
    return this.shred.run(new Date().toISOString(), subject).changes > 0;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
