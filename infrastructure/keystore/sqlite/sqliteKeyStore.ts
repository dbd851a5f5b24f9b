import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { KeyCensus, KeyReplacement, LiveKey, StoredKey, WrappedKey, WrappedKeyStore } from '../../../application/ports/keyStore.js';

type KeyRow = { subject: string; key: Buffer | null; wrapped_key: Buffer | null; master_key_id: string | null; destroyed_at: string | null };

const toLive = (row: KeyRow): LiveKey => {
  if (row.wrapped_key && row.master_key_id) return { state: 'wrapped', wrapped: { masterKeyId: row.master_key_id, bytes: row.wrapped_key } };
  if (row.key) return { state: 'unwrapped', key: row.key };
  throw new Error(`The key record of ${row.subject} holds neither a key nor an erasure`);
};

const toStored = (row: KeyRow): StoredKey => (row.destroyed_at ? { state: 'erased' } : toLive(row));

/** user_version of a file scrubbed since its last key in the clear was wrapped: no such key left, not even in free space. */
const SCRUBBED = 1;

/**
 * Wrapped keys in their own SQLite file, apart from the log, so erasing a key never touches
 * the log. synchronous=FULL: losing a key would erase data nobody asked to erase.
 *
 * A replaced or destroyed key must not linger in the file: secure_delete zeroes most of it
 * at once, but a page rebalanced by SQLite keeps old bytes in its unused space, so the file
 * is rewritten (VACUUM, then the WAL emptied) after a destroy and after a pass of
 * replacements. That blocks this connection for a moment that grows with the file; it
 * happens on erasure, migration and rotation only.
 */
export class SqliteKeyStore implements WrappedKeyStore {
  private readonly select;
  private readonly insert;
  private readonly rewrapWrapped;
  private readonly wrapUnwrapped;
  private readonly rememberErasure;
  private readonly shred;
  private readonly live;
  private readonly anyInTheClear;
  private readonly count;

  /** `mustExist`: for tools that read a store, so a wrong path fails instead of creating an empty one. */
  static open(filename: string, { mustExist = false } = {}): SqliteKeyStore {
    if (mustExist && !existsSync(filename)) throw new Error(`There is no keys file at ${filename}`);
    const db = new Database(filename);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('secure_delete = ON');
    // `key` held keys in the clear before keys were wrapped; nothing writes it now, migration empties it.
    db.exec(`CREATE TABLE IF NOT EXISTS subject_keys (
      subject TEXT PRIMARY KEY,
      key BLOB,
      created_at TEXT NOT NULL,
      destroyed_at TEXT,
      wrapped_key BLOB,
      master_key_id TEXT
    )`);
    db.transaction(() => {
      const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('subject_keys')").all().map(({ name }) => name);
      if (!columns.includes('wrapped_key')) db.exec('ALTER TABLE subject_keys ADD COLUMN wrapped_key BLOB; ALTER TABLE subject_keys ADD COLUMN master_key_id TEXT');
    }).immediate();
    const store = new SqliteKeyStore(db);
    // A migration that wrapped its last key in the clear but stopped before its scrub: finish it.
    if (db.pragma('user_version', { simple: true }) !== SCRUBBED && !store.holdsKeysInTheClear()) store.rewriteFile();
    return store;
  }

  private constructor(private readonly db: Database.Database) {
    const columns = 'subject, key, wrapped_key, master_key_id, destroyed_at';
    this.select = db.prepare<[string], KeyRow>(`SELECT ${columns} FROM subject_keys WHERE subject = ?`);
    this.insert = db.prepare<[string, Buffer, string, string]>('INSERT OR IGNORE INTO subject_keys (subject, wrapped_key, master_key_id, created_at) VALUES (?, ?, ?, ?)');
    this.rewrapWrapped = db.prepare<[Buffer, string, string, Buffer, string]>(
      'UPDATE subject_keys SET wrapped_key = ?, master_key_id = ? WHERE subject = ? AND destroyed_at IS NULL AND wrapped_key = ? AND master_key_id = ?',
    );
    this.wrapUnwrapped = db.prepare<[Buffer, string, string, Buffer]>(
      'UPDATE subject_keys SET key = NULL, wrapped_key = ?, master_key_id = ? WHERE subject = ? AND destroyed_at IS NULL AND key = ?',
    );
    this.rememberErasure = db.prepare<[string, string, string]>('INSERT OR IGNORE INTO subject_keys (subject, created_at, destroyed_at) VALUES (?, ?, ?)');
    this.shred = db.prepare<[string, string]>(
      'UPDATE subject_keys SET key = NULL, wrapped_key = NULL, master_key_id = NULL, destroyed_at = ? WHERE subject = ? AND destroyed_at IS NULL',
    );
    this.live = db.prepare<{ after: string | null; limit: number }, KeyRow>(
      `SELECT ${columns} FROM subject_keys WHERE destroyed_at IS NULL AND (@after IS NULL OR subject > @after) ORDER BY subject LIMIT @limit`,
    );
    this.anyInTheClear = db.prepare<[], { found: number }>('SELECT 1 AS found FROM subject_keys WHERE key IS NOT NULL LIMIT 1');
    this.count = db.prepare<[], { master_key_id: string | null; unwrapped: number; erased: number; records: number }>(
      'SELECT master_key_id, key IS NOT NULL AS unwrapped, destroyed_at IS NOT NULL AS erased, count(*) AS records FROM subject_keys GROUP BY 1, 2, 3',
    );
  }

  async create(subject: string, wrapped: WrappedKey): Promise<StoredKey> {
    this.insert.run(subject, wrapped.bytes, wrapped.masterKeyId, new Date().toISOString());
    return toStored(this.select.get(subject)!);
  }

  async find(subject: string): Promise<StoredKey | null> {
    const row = this.select.get(subject);
    return row ? toStored(row) : null;
  }

  async replace(replacements: readonly KeyReplacement[]): Promise<boolean[]> {
    const applied = this.db.transaction(() =>
      replacements.map(({ subject, current, next }) =>
        current.state === 'wrapped'
          ? this.rewrapWrapped.run(next.bytes, next.masterKeyId, subject, current.wrapped.bytes, current.wrapped.masterKeyId).changes > 0
          : this.wrapUnwrapped.run(next.bytes, next.masterKeyId, subject, current.key).changes > 0,
      ),
    )();
    return applied;
  }

  async destroy(subject: string): Promise<boolean> {
    const now = new Date().toISOString();
    // Remember the erasure, so no key is ever created for this subject again.
    if (this.rememberErasure.run(subject, now, now).changes > 0) return false;
    const destroyed = this.shred.run(now, subject).changes > 0;
    if (destroyed) this.rewriteFile();
    return destroyed;
  }

  async liveKeys(after: string | null, limit: number): Promise<{ subject: string; key: LiveKey }[]> {
    return this.live.all({ after, limit }).map((row) => ({ subject: row.subject, key: toLive(row) }));
  }

  async census(): Promise<KeyCensus> {
    const census: KeyCensus = { wrappedBy: {}, unwrapped: 0, erased: 0 };
    for (const { master_key_id, unwrapped, erased, records } of this.count.all()) {
      if (erased) census.erased += records;
      else if (unwrapped) census.unwrapped += records;
      else if (master_key_id) census.wrappedBy[master_key_id] = (census.wrappedBy[master_key_id] ?? 0) + records;
    }
    return census;
  }

  async scrub(): Promise<void> {
    this.rewriteFile();
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Every page written anew, then copied from the WAL into the file and the WAL emptied: no old bytes left in either. */
  private rewriteFile() {
    this.db.exec('VACUUM');
    if (!this.holdsKeysInTheClear()) this.db.pragma(`user_version = ${SCRUBBED}`);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  private holdsKeysInTheClear(): boolean {
    return this.anyInTheClear.get() !== undefined;
  }
}
