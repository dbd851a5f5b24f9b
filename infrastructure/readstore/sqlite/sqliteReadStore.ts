import Database from 'better-sqlite3';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  UnknownCollection,
  type CollectionSpec,
  type Document,
  type FindQuery,
  type FindResult,
  type IndexType,
  type ReadStore,
  type ReadStoreCommit,
  LeaseLost,
  type Lease,
  type Scalar,
} from '../../../application/ports/readStore.js';
import {
  checkCheckpoint,
  checkCollectionName,
  checkDeclaration,
  checkDoc,
  checkFence,
  checkLeaseRequest,
  checkId,
  checkKey,
  checkLimit,
  checkSpec,
  compoundIndexFields,
  compoundIndexName,
  decodeCursor,
  encodeCursor,
  fieldsToAdd,
  fieldsUsed,
  parseOrder,
  parseWhere,
  typeMismatch,
  unknownWrite,
  type Condition,
  type DeclaredFields,
  type Keyset,
  type Operator,
  type Order,
} from '../queryChecks.js';
import { OffThreadWriter, type OffThreadStep } from './offThreadWriter.js';

/**
 * Read models in SQLite: one table per collection holding each document as JSON, with an
 * expression index on (json_extract(doc, '$.field'), id) per declared field. Measured over
 * 200k documents, expression indexes served a 50-row keyset page as fast as indexed
 * generated columns (about 60 µs either way), and a field declared later needs no ALTER TABLE.
 *
 * Only names that passed queryChecks and were declared are spliced into SQL (the index only
 * serves a query whose expression matches it textually, so the JSON path cannot be a
 * bound parameter); every value is a bound parameter.
 *
 * A declared compound index (equality fields, then the sort field, then id) is named to the
 * planner for the queries of its shape (INDEXED BY): without statistics it weighs every index
 * that filters on one field alike, and may filter on a barely selective one and sort every match.
 * `explainFind` shows the plan of each statement a query runs.
 */

const SQL_OP: Record<Operator, string> = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

type SqlValue = string | number | null;
/** `sortKey`: the sorted field as the index holds it (a boolean as 1 or 0), selected for merging walks. */
type Row = { id: string; doc: string; sortKey?: SqlValue };
/** One run of the sort order that a single index range scan can serve. */
type Segment = { where: string[]; params: SqlValue[]; orderBy: string };
/** A statement `find` runs, but for its LIMIT, bound last. */
type Statement = { sql: string; params: SqlValue[] };
/** The statements of one walk in the sort order, one per segment, in the order their rows come. */
type Walk = Statement[];
/**
 * A list filter on a compound index's field is walked once per value and the walks merged, up to
 * this many values; past it one walk in the sort order, checking the list, costs less.
 */
const MAX_WALKS_PER_LIST = 50;
/** Free pages given back to the file system per turn of the event loop after a drop: about 4 MB, a few milliseconds' work. */
const PAGES_RECLAIMED_PER_TURN = 1024;
/**
 * From this many documents read, declaring indexes on a collection or dropping it is done on the
 * writer thread: each index and the type check read every document, about 1.5 ms per thousand.
 */
const OFF_THREAD_FROM_DOCUMENT_READS = 2_000;
const BUSY_TIMEOUT_MS = 5_000;

/** A collection's declaration as it will be stored, with the statements that bring the schema to it. */
type Declaration = {
  name: string;
  fields: DeclaredFields;
  added: [string, IndexType][];
  /** The stored declaration it was computed from (its `indexes` text), undefined for a new collection. */
  stored: string | undefined;
  schema: string[];
  /** Finds a document that does not fit the newly declared types, if any. */
  strays: string | null;
  /** How many times declaring it reads every document: each index not built yet, and the type check. */
  passes: number;
};

export class SqliteReadStore implements ReadStore {
  private readonly statements = new Map<string, Database.Statement<SqlValue[], unknown>>();

  /** Collection name -> its compound indexes' fields, in the order they were created, as the schema holds them. */
  private readonly compounds = new Map<string, string[][]>();

  /**
   * Set while the writer thread holds the file's write lock: this connection's writes wait for it
   * here, without blocking the event loop, rather than in SQLite's busy wait, which would.
   */
  private offThread: Promise<unknown> | null = null;

  private constructor(
    private readonly db: Database.Database,
    /** Collection name -> declared index fields, mirrored in the `collections` table. */
    private specs: Map<string, DeclaredFields>,
    private readonly writer: OffThreadWriter,
  ) {
    for (const name of specs.keys()) this.loadCompoundIndexes(name);
  }

  static open(filename: string): SqliteReadStore {
    const db = new Database(filename, { timeout: BUSY_TIMEOUT_MS });
    // Before the first table, or it takes a VACUUM: the pages of a dropped generation go back to
    // the file system (dropCollection), rather than stay in the file as free pages for ever.
    // A file created by an earlier version keeps none; deleting it rebuilds the views from the log.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // Views are rebuildable from the log, so a power cut losing the last commits is acceptable.
    db.pragma('synchronous = NORMAL');
    // TEXT, not a JSON type name: "JSON" would get NUMERIC affinity and turn '12' into 12.
    // `indexes` holds each declared field with its type, { "field": "string" }.
    db.exec(`
      CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS collections (name TEXT PRIMARY KEY, indexes TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token INTEGER NOT NULL, expires_at INTEGER NOT NULL);
    `);
    const rows = db.prepare('SELECT name, indexes FROM collections').all() as { name: string; indexes: string }[];
    const specs = new Map<string, DeclaredFields>();
    try {
      for (const row of rows) specs.set(row.name, checkDeclaration(row.name, JSON.parse(row.indexes)));
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteReadStore(db, specs, new OffThreadWriter(filename, BUSY_TIMEOUT_MS));
  }

  async ensureCollections(specs: CollectionSpec[]): Promise<void> {
    for (const spec of specs) checkSpec(spec);
    await this.writable();
    const declarations = specs.map((spec) => this.declaration(spec));
    const slow = declarations.some((declaration) => declaration.passes > 0 && this.holdsMany(declaration.name, declaration.passes));
    if (slow && (await this.declareOffThread(declarations))) return;
    // Merged with the stored declaration, not this process's copy, which another may have outdated.
    const declared = this.db
      .transaction(() =>
        specs.map((spec) => {
          const declaration = this.declaration(spec);
          for (const statement of declaration.schema) this.db.exec(statement);
          const stray = declaration.strays === null ? undefined : (this.db.prepare(declaration.strays).get() as Row | undefined);
          if (stray) throw this.strayError(declaration, stray);
          this.stmt(RECORD_DECLARATION).run(spec.name, JSON.stringify(Object.fromEntries(declaration.fields)));
          return declaration;
        }),
      )
      .immediate();
    this.declared(declared);
  }

  /**
   * The same declaration, its statements run on the writer thread: read here, then written there
   * unless another process has changed a declaration in between (false: not done, do it here).
   */
  private async declareOffThread(declarations: readonly Declaration[]): Promise<boolean> {
    const steps = declarations.flatMap((declaration): OffThreadStep[] => [
      { kind: 'unchanged', sql: 'SELECT indexes FROM collections WHERE name = ?', params: [declaration.name], equals: declaration.stored },
      ...declaration.schema.map((sql): OffThreadStep => ({ kind: 'exec', sql })),
      ...(declaration.strays === null ? [] : [{ kind: 'none', sql: declaration.strays, params: [] } satisfies OffThreadStep]),
      { kind: 'run', sql: RECORD_DECLARATION, params: [declaration.name, JSON.stringify(Object.fromEntries(declaration.fields))] },
    ]);
    const outcome = await this.offThreadJob(steps);
    if (!outcome.committed) {
      if (steps[outcome.step]!.kind === 'unchanged') return false;
      const refused = declarations[steps.slice(0, outcome.step).filter((step) => step.kind === 'unchanged').length - 1]!;
      throw this.strayError(refused, outcome.row as Row);
    }
    this.declared(declarations);
    return true;
  }

  private declaration(spec: CollectionSpec): Declaration {
    const clash = this.stmt('SELECT name FROM collections WHERE name = ? COLLATE NOCASE AND name <> ?').get(spec.name, spec.name) as { name: string } | undefined;
    // SQLite table names ignore case, so two such collections would share a table.
    if (clash) throw new Error(`Collection "${spec.name}" differs from "${clash.name}" only in case`);
    const row = this.stmt('SELECT indexes FROM collections WHERE name = ?').get(spec.name) as { indexes: string } | undefined;
    const declared = checkDeclaration(spec.name, row ? JSON.parse(row.indexes) : {});
    const added = fieldsToAdd(declared, spec);
    const fields: DeclaredFields = new Map([...declared, ...added]);
    const indexes: [name: string, columns: string][] = [
      ...[...fields.keys()].map((field): [string, string] => [`${spec.name}:${field}`, key(field)]),
      ...(spec.compoundIndexes ?? []).map((compound): [string, string] => [compoundIndexName(spec.name, compound), compound.map(key).join(', ')]),
    ];
    const built = new Set(this.stmt("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?").pluck().all(`view_${spec.name}`) as string[]);
    const strays = strayQuery(spec.name, added);
    return {
      name: spec.name,
      fields,
      added,
      stored: row?.indexes,
      schema: [
        `CREATE TABLE IF NOT EXISTS ${table(spec.name)} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)`,
        ...indexes.map(([name, columns]) => `CREATE INDEX IF NOT EXISTS "${name}" ON ${table(spec.name)} (${columns}, id)`),
      ],
      strays,
      passes: indexes.filter(([name]) => !built.has(name)).length + (strays === null ? 0 : 1),
    };
  }

  /** Refuses fields newly declared on a collection that already holds a document of another type in one of them: a generation is written before its indexes are declared, at the switch. */
  private strayError(declaration: Declaration, stray: Row): Error {
    return new Error(typeMismatch(declaration.name, declaration.added, parseDoc(stray.doc)) ?? `A document of "${declaration.name}" does not fit the declared types`);
  }

  private declared(declarations: readonly Declaration[]): void {
    for (const { name, fields } of declarations) {
      this.specs.set(name, fields);
      this.loadCompoundIndexes(name);
    }
  }

  /** Whether reading every document of the collection `passes` times is work for the writer thread. */
  private holdsMany(collection: string, passes: number): boolean {
    const exists = this.stmt("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(`view_${collection}`) !== undefined;
    const enough = Math.ceil(OFF_THREAD_FROM_DOCUMENT_READS / passes);
    return exists && this.db.prepare(`SELECT 1 FROM ${table(collection)} LIMIT 1 OFFSET ${enough - 1}`).get() !== undefined;
  }

  /** Runs on the writer thread, this connection's writes waiting until it is done. */
  private offThreadJob(steps: OffThreadStep[]) {
    const job = this.writer.run(steps);
    const done = job.finally(() => {
      if (this.offThread === done) this.offThread = null;
    });
    this.offThread = done;
    return job;
  }

  private async writable(): Promise<void> {
    while (this.offThread) await this.offThread.catch(() => undefined);
  }

  async dropCollection(name: string): Promise<void> {
    checkCollectionName(name);
    await this.writable();
    // Only an exactly declared name: table names ignore case, and "Deals" must not drop "deals".
    const declared = this.stmt('SELECT 1 FROM collections WHERE name = ?').get(name) !== undefined;
    if (declared && this.holdsMany(name, 1)) {
      await this.offThreadJob([
        { kind: 'run', sql: 'DELETE FROM collections WHERE name = ?', params: [name] },
        { kind: 'exec', sql: `DROP TABLE IF EXISTS ${table(name)}` },
      ]);
    } else {
      this.db
        .transaction(() => {
          if (this.stmt('DELETE FROM collections WHERE name = ?').run(name).changes > 0) this.db.exec(`DROP TABLE IF EXISTS ${table(name)}`);
        })
        .immediate();
    }
    this.specs.delete(name);
    this.compounds.delete(name);
    this.statements.clear();
    await this.reclaimFreePages();
  }

  /** Gives the free pages back to the file system a slice at a time, so requests are served in between. */
  private async reclaimFreePages(): Promise<void> {
    if (this.db.pragma('auto_vacuum', { simple: true }) !== INCREMENTAL) return;
    for (let free = this.freePages(); free > 0; ) {
      await this.writable();
      this.db.pragma(`incremental_vacuum(${PAGES_RECLAIMED_PER_TURN})`);
      const left = this.freePages();
      if (left >= free) return;
      free = left;
      await nextTurn();
    }
  }

  private freePages(): number {
    return this.db.pragma('freelist_count', { simple: true }) as number;
  }

  async get(collection: string, id: string): Promise<Document | null> {
    this.fields(collection);
    const row = this.stmt(`SELECT doc FROM ${table(collection)} WHERE id = ?`).get(checkId(id)) as Row | undefined;
    return row ? parseDoc(row.doc) : null;
  }

  async getMany(collection: string, ids: string[]): Promise<Document[]> {
    this.fields(collection);
    const wanted = [...new Set(ids.map(checkId))];
    const rows = this.stmt(`SELECT id, doc FROM ${table(collection)} WHERE id IN (SELECT value FROM json_each(?))`).all(
      JSON.stringify(wanted),
    ) as Row[];
    const byId = new Map(rows.map((r) => [r.id, r.doc]));
    return wanted.flatMap((id) => {
      const doc = byId.get(id);
      return doc === undefined ? [] : [parseDoc(doc)];
    });
  }

  async find(collection: string, query: FindQuery): Promise<FindResult> {
    const { variants, order, after, limit } = this.plan(collection, query);
    const rows =
      variants.length > 1 && order
        ? this.merge(variants.map((conditions) => (from: Keyset | null, count: number) => this.read(this.walk(collection, conditions, order, from), count)), order, after, limit + 1)
        : this.read(this.walk(collection, variants[0]!, order, after), limit + 1);
    const page = rows.map((r) => parseDoc(r.doc));
    const items = page.slice(0, limit);
    const last = page.length > limit ? items[limit - 1] : undefined;
    return {
      items,
      // The document's own value: json_extract would answer 1 or 0 for a boolean.
      nextCursor: last ? encodeCursor(order, order ? ((last[order.field] ?? null) as Scalar) : null, last.id) : null,
    };
  }

  /** The query plan of each statement `find` would run for `query` (a first read of each walk), as SQLite's EXPLAIN QUERY PLAN details it. */
  async explainFind(collection: string, query: FindQuery): Promise<{ sql: string; plan: string[] }[]> {
    const { variants, order, after, limit } = this.plan(collection, query);
    return variants
      .flatMap((conditions) => this.walk(collection, conditions, order, after))
      .map(({ sql, params }) => ({
        sql,
        plan: (this.db.prepare<SqlValue[]>(`EXPLAIN QUERY PLAN ${sql}`).all(...params, limit + 1) as { detail: string }[]).map((row) => row.detail),
      }));
  }

  /** The conditions of each walk a query takes: one, or one per value of a list whose field the walked index seeks on. */
  private plan(collection: string, query: FindQuery): { variants: Condition[][]; order: Order | null; after: Keyset | null; limit: number } {
    const fields = this.fields(collection, fieldsUsed(query));
    const conditions = parseWhere(collection, fields, query.where);
    const limit = checkLimit(query.limit);
    const order = parseOrder(collection, fields, query.orderBy);
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor, order);
    const list = order ? conditions.find((c) => c.op === 'in') : undefined;
    if (order && list?.op === 'in' && list.values.length <= MAX_WALKS_PER_LIST) {
      const each = list.values.map((value) => conditions.map((c): Condition => (c === list ? { field: c.field, op: 'eq', value } : c)));
      if (this.indexFor(collection, each[0]!, order)?.fields.includes(list.field)) return { variants: each, order, after, limit };
    }
    return { variants: [conditions], order, after, limit };
  }

  /** Up to `count` rows of a walk, segment after segment. */
  private read(walk: Walk, count: number): Row[] {
    const rows: Row[] = [];
    for (const statement of walk) {
      if (rows.length >= count) break;
      rows.push(...(this.stmt(statement.sql).all(...statement.params, count - rows.length) as Row[]));
    }
    return rows;
  }

  /**
   * The first `wanted` rows of the union of several walks, each in the sort order, reading each
   * only as far as the union needs: a few rows of each, then more of those whose last row read
   * still comes before the union's `wanted`-th, until none does. A rare combination of filters then
   * costs about one walk's worth of rows, not one per value of the list.
   */
  private merge(walks: ((from: Keyset | null, count: number) => Row[])[], order: Order, after: Keyset | null, wanted: number): Row[] {
    const compare = sortOrder(order.direction);
    const state = walks.map((read) => ({ read, rows: [] as Row[], done: false, chunk: Math.ceil(wanted / walks.length) + 1 }));
    for (;;) {
      const union = state.flatMap((w) => w.rows).sort(compare);
      const boundary = union.length >= wanted ? union[wanted - 1]! : null;
      const behind = state.filter((w) => !w.done && (boundary === null || w.rows.length === 0 || compare(w.rows.at(-1)!, boundary) < 0));
      if (behind.length === 0) return union.slice(0, wanted);
      for (const w of behind) {
        const last = w.rows.at(-1);
        const more = w.read(last ? { value: last.sortKey ?? null, id: last.id } : after, w.chunk);
        w.rows.push(...more);
        w.done = more.length < w.chunk;
        w.chunk *= 2;
      }
    }
  }

  private walk(collection: string, conditions: readonly Condition[], order: Order | null, after: Keyset | null): Walk {
    const where: string[] = [];
    const params: SqlValue[] = [];
    for (const c of conditions) {
      if (c.op === 'in') {
        where.push(`${key(c.field)} IN (SELECT value FROM json_each(?))`);
        params.push(JSON.stringify(c.values));
      } else {
        where.push(c.value === null ? `${key(c.field)} IS NULL` : `${key(c.field)} ${SQL_OP[c.op]} ?`);
        if (c.value !== null) params.push(toSql(c.value));
      }
    }
    const index = order ? this.indexFor(collection, conditions, order) : null;
    const select = `SELECT id, doc${order ? `, ${key(order.field)} AS sortKey` : ''} FROM ${table(collection)}${index ? ` INDEXED BY "${index.name}"` : ''}`;
    return segments(order, after).map((segment) => {
      // Keyset terms first: given two bounds on the same index, SQLite seeks with the first,
      // and a filter's fixed bound there made deep pages scan from the filter's edge.
      const clauses = [...segment.where, ...where];
      return {
        sql: `${select}${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY ${segment.orderBy} LIMIT ?`,
        params: [...segment.params, ...params],
      };
    });
  }

  /**
   * The index a sorted query walks: the longest declared compound index whose leading fields are
   * all filtered by equality and whose last is the sort field (the first declared, of equals), or,
   * with no equality filter at all, the sort field's own. Null leaves the choice to the planner:
   * a shape nobody declared.
   */
  private indexFor(collection: string, conditions: readonly Condition[], order: Order): { name: string; fields: readonly string[] } | null {
    const equal = new Set(conditions.filter((c) => c.op === 'eq').map((c) => c.field));
    let best: string[] | null = null;
    for (const fields of this.compounds.get(collection) ?? []) {
      const serves = fields.at(-1) === order.field && fields.slice(0, -1).every((field) => equal.has(field));
      if (serves && fields.length > (best?.length ?? 0)) best = fields;
    }
    if (best) return { name: compoundIndexName(collection, best), fields: best };
    return equal.size === 0 ? { name: `${collection}:${order.field}`, fields: [order.field] } : null;
  }

  async commit(batch: ReadStoreCommit): Promise<void> {
    const { name, position } = checkCheckpoint(batch.checkpoint);
    const fence = batch.fence && checkFence(batch.fence);
    if (this.offThread) await this.writable();
    // IMMEDIATE takes the write lock up front, so a second writer waits instead of failing mid-way.
    this.db
      .transaction(() => {
        for (const write of batch.writes) {
          const fields = this.fields(write.collection);
          if (write.op === 'put') {
            const doc = checkDoc(write.collection, fields, write.doc);
            this.stmt(
              `INSERT INTO ${table(write.collection)} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
            ).run(doc.id, JSON.stringify(doc));
          } else if (write.op === 'delete') {
            this.stmt(`DELETE FROM ${table(write.collection)} WHERE id = ?`).run(checkId(write.id));
          } else {
            unknownWrite(write);
          }
        }
        this.stmt(
          'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
        ).run(name, position);
        // Last, inside the same write lock: a throw rolls back every write above.
        if (fence) {
          const held = this.stmt('SELECT token FROM leases WHERE name = ?').get(fence.lease) as { token: number } | undefined;
          if (held?.token !== fence.token) throw new LeaseLost(fence.lease, fence.token);
        }
      })
      .immediate();
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<Lease | null> {
    checkLeaseRequest(name, holder, ttlMs, now);
    if (this.offThread) await this.writable();
    return this.db
      .transaction((): Lease | null => {
        const row = this.stmt('SELECT holder, token, expires_at FROM leases WHERE name = ?').get(name) as
          | { holder: string; token: number; expires_at: number }
          | undefined;
        if (row && row.holder !== holder && row.expires_at > now) return null;
        const token = !row ? 1 : row.holder === holder && row.expires_at > now ? row.token : row.token + 1;
        const expiresAt = now + ttlMs;
        this.stmt(
          'INSERT INTO leases (name, holder, token, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at',
        ).run(name, holder, token, expiresAt);
        return { name, holder, token, expiresAt };
      })
      .immediate();
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    // Lapsed at once, the token kept: the next holder's take-over still increments it.
    if (this.offThread) await this.writable();
    this.stmt('UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ?').run(checkKey(name), checkKey(holder));
  }

  async leases(): Promise<Lease[]> {
    const rows = this.stmt('SELECT name, holder, token, expires_at FROM leases ORDER BY name').all() as { name: string; holder: string; token: number; expires_at: number }[];
    return rows.map((row) => ({ name: row.name, holder: row.holder, token: row.token, expiresAt: row.expires_at }));
  }

  async getCheckpoint(name: string): Promise<number | null> {
    const row = this.stmt('SELECT position FROM checkpoints WHERE name = ?').get(checkKey(name)) as { position: number } | undefined;
    return row ? row.position : null;
  }

  async deleteCheckpoint(name: string): Promise<void> {
    if (this.offThread) await this.writable();
    this.stmt('DELETE FROM checkpoints WHERE name = ?').run(checkKey(name));
  }

  async getMeta(key: string): Promise<unknown | null> {
    const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(checkKey(key)) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as unknown) : null;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    if (value === undefined) throw new TypeError('A meta value must be JSON; use null to clear it');
    if (this.offThread) await this.writable();
    this.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
      checkKey(key),
      JSON.stringify(value),
    );
  }

  async ping(): Promise<void> {
    this.stmt('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.writable();
    await this.writer.close();
    this.db.close();
  }

  /**
   * The declared fields of a collection; throws for a collection never declared. Another
   * process on the same file may have declared it, or added `wanted` fields, since this one
   * last looked, so a miss reads the declaration again.
   */
  private fields(collection: string, wanted: readonly string[] = []): DeclaredFields {
    let fields = this.specs.get(collection);
    if ((!fields || !wanted.every((f) => fields?.has(f))) && typeof collection === 'string') {
      const row = this.stmt('SELECT indexes FROM collections WHERE name = ?').get(collection) as { indexes: string } | undefined;
      fields = row ? checkDeclaration(collection, JSON.parse(row.indexes)) : undefined;
      if (fields) this.specs.set(collection, fields);
      else this.specs.delete(collection);
      this.loadCompoundIndexes(collection);
    }
    if (!fields) throw new UnknownCollection(String(collection));
    return fields;
  }

  /** Read from the schema, which another process on the same file may have added to. */
  private loadCompoundIndexes(collection: string): void {
    const names = this.stmt("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY rowid").pluck().all(`view_${collection}`) as string[];
    const compounds = names.flatMap((name) => {
      const fields = compoundIndexFields(collection, name);
      return fields ? [fields] : [];
    });
    this.compounds.set(collection, compounds);
  }

  private stmt(sql: string): Database.Statement<SqlValue[], unknown> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<SqlValue[]>(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

const RECORD_DECLARATION = 'INSERT INTO collections (name, indexes) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET indexes = excluded.indexes';

/** A query finding a document whose value in one of `added` is not of its declared type; null when nothing is added. */
const strayQuery = (collection: string, added: readonly [string, IndexType][]): string | null => {
  if (added.length === 0) return null;
  const strays = added.map(([field, type]) => `json_type(doc, '$.${field}') NOT IN ('null', ${JSON_TYPES[type].map((t) => `'${t}'`).join(', ')})`);
  return `SELECT id, doc FROM ${table(collection)} WHERE ${strays.join(' OR ')} LIMIT 1`;
};

/** PRAGMA auto_vacuum's answer for incremental. */
const INCREMENTAL = 2;

const table = (collection: string) => `"view_${collection}"`;
const key = (field: string) => `json_extract(doc, '$.${field}')`;
/** What json_type answers for a value of each declared type; a missing field answers NULL. */
const JSON_TYPES: Record<IndexType, readonly string[]> = { string: ['text'], number: ['integer', 'real'], boolean: ['true', 'false'] };
/**
 * json_extract yields 1/0 for JSON booleans, so a boolean value is compared as such; a boolean
 * field holds nothing but booleans and null, so no number is ever compared with it.
 */
const toSql = (value: Scalar): SqlValue => (typeof value === 'boolean' ? Number(value) : value);

/**
 * The sort order split where NULL sits (first ascending, last descending), so that each
 * part is one index range scan: a single query with `OR key IS NULL` makes SQLite walk the
 * index from the start and filter, which grows with the page number.
 */
function segments(order: Order | null, after: Keyset | null): Segment[] {
  if (!order) return [{ where: after ? ['id > ?'] : [], params: after ? [after.id] : [], orderBy: 'id ASC' }];
  const k = key(order.field);
  const dir = order.direction === 'asc' ? 'ASC' : 'DESC';
  const past = order.direction === 'asc' ? '>' : '<';
  const nulls: Segment = { where: [`${k} IS NULL`], params: [], orderBy: `id ${dir}` };
  const values: Segment = { where: [`${k} IS NOT NULL`], params: [], orderBy: `${k} ${dir}, id ${dir}` };
  const all = order.direction === 'asc' ? [nulls, values] : [values, nulls];
  if (after === null) return all;
  if (after.value === null) {
    nulls.where.push(`id ${past} ?`);
    nulls.params.push(after.id);
    return all.slice(all.indexOf(nulls));
  }
  // Spelled as a bound on the key plus a tie-break: SQLite does not use an expression
  // index for the row value (key, id) > (?, ?). The bound also excludes NULL.
  const v = toSql(after.value);
  values.where = [`${k} ${past}= ?`, `(${k} ${past} ? OR id ${past} ?)`];
  values.params = [v, v, after.id];
  return all.slice(all.indexOf(values));
}

function parseDoc(json: string): Document {
  return JSON.parse(json) as Document;
}

/** Code point order, which is SQLite's BINARY order of UTF-8 text (JavaScript's < compares UTF-16 units). */
const textOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Two values of one declared field as SQLite orders them: null lowest, numbers by value, text in BINARY order. */
const valueOrder = (a: SqlValue, b: SqlValue): number => {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === 'string' && typeof b === 'string') return textOrder(a, b);
  return Number(a) - Number(b);
};

/** The order `segments` walks in: ascending is (value, id) with nulls first; descending is its exact reverse. */
const sortOrder = (direction: Order['direction']) => (x: Row, y: Row): number => {
  const ascending = valueOrder(x.sortKey ?? null, y.sortKey ?? null) || textOrder(x.id, y.id);
  return direction === 'asc' ? ascending : -ascending;
};
