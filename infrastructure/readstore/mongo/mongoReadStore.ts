import { MongoServerError, type AnyBulkWriteOperation, type Db, type Filter, type MongoClient, type Sort } from 'mongodb';
import {
  UnknownCollection,
  type CollectionSpec,
  type Document,
  type FindQuery,
  type FindResult,
  type IndexType,
  type ReadStore,
  type ReadStoreCommit,
  type Scalar,
  LeaseLost,
  type Lease,
} from '../../../application/ports/readStore.js';
import {
  checkCheckpoint,
  checkCollectionName,
  checkDeclaration,
  checkDoc,
  checkFence,
  checkId,
  checkLeaseRequest,
  checkKey,
  checkLimit,
  checkSpec,
  decodeCursor,
  encodeCursor,
  fieldsToAdd,
  fieldsUsed,
  parseOrder,
  parseWhere,
  typeMismatch,
  unknownWrite,
  type DeclaredFields,
  type Keyset,
  type Operator,
  type Order,
} from '../queryChecks.js';
import { connectReplicaSet, pingWithin, PRIMARY_MAJORITY } from '../../mongo/mongoConnection.js';

/**
 * Read models in MongoDB: one collection per view collection, documents stored with
 * `_id = id`, and a compound index { field: 1, _id: 1 } per declared field so that a keyset
 * page is one index walk in either direction, and { ...fields: 1, _id: 1 } per declared
 * compound index, for a page filtered on its leading fields and sorted on its last.
 *
 * `commit` runs in a multi-document transaction, which MongoDB only offers on a replica
 * set or a sharded cluster, so `connect` refuses a standalone server (a single-node replica
 * set is enough for development).
 *
 * Filters are built here from declared field names and checked scalar values; no object
 * from a caller is passed to the driver, so there is no way to smuggle in an operator.
 */

const MONGO_OP: Record<Operator, string> = { eq: '$eq', gt: '$gt', gte: '$gte', lt: '$lt', lte: '$lte' };
/** MongoDB's NamespaceExists: createCollection on a collection that is already there. */
const NAMESPACE_EXISTS = 48;

type Stored = { _id: string } & Record<string, unknown>;
type CheckpointRecord = { _id: string; position: number };
type MetaRecord = { _id: string; value: unknown };
/** `types`: each declared field with its type; a record from before types has `indexes`, a list of names, instead. */
type DeclarationRecord = { _id: string; types?: Record<string, IndexType> };
type LeaseRecord = { _id: string; holder: string; token: number; expiresAt: number };
/** MongoDB's DuplicateKey: an upsert that found the lease held by another and tried to insert it again. */
const DUPLICATE_KEY = 11000;

/** The BSON types a JSON value of each declared type is stored as. */
const BSON_TYPES: Record<IndexType, readonly string[]> = { string: ['string'], number: ['int', 'double', 'long'], boolean: ['bool'] };

export class MongoReadStore implements ReadStore {
  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    /** Collection name -> declared index fields, mirrored in `_collections`. */
    private specs: Map<string, DeclaredFields>,
  ) {}

  /** `dbName` defaults to the database named in the URL, else the driver's default. */
  static async connect(url: string, dbName?: string): Promise<MongoReadStore> {
    const client = await connectReplicaSet(url);
    try {
      const db = client.db(dbName, PRIMARY_MAJORITY);
      // Created up front so the first commit's transaction never has to create them.
      for (const name of ['_checkpoints', '_meta', '_collections', '_leases']) await createIfMissing(db, name);
      const specs = new Map<string, DeclaredFields>();
      for (const record of await db.collection<DeclarationRecord>('_collections').find().toArray()) {
        specs.set(record._id, checkDeclaration(record._id, record.types));
      }
      return new MongoReadStore(client, db, specs);
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  async ensureCollections(specs: CollectionSpec[]): Promise<void> {
    for (const spec of specs) checkSpec(spec);
    // Each step is idempotent, so a failure part-way is repaired by calling again.
    for (const spec of specs) {
      // The name passed checkSpec (letters, digits, underscores), so it is safe inside a pattern.
      const clash = await this.declarations().findOne({ _id: { $regex: `^${spec.name}$`, $options: 'i', $ne: spec.name } });
      // Refused on every store alike: the SQLite adapter's table names ignore case.
      if (clash) throw new Error(`Collection "${spec.name}" differs from "${clash._id}" only in case`);
      await createIfMissing(this.db, spec.name);
      let record = await this.declarations().findOneAndUpdate(
        { _id: spec.name },
        { $setOnInsert: { types: {} } },
        { upsert: true, returnDocument: 'after' },
      );
      if (!record) throw new Error(`Declaring collection "${spec.name}" returned nothing`);
      const added = fieldsToAdd(checkDeclaration(record._id, record.types), spec);
      // Indexes first, so that a declared field always has its index.
      for (const field of Object.keys(spec.indexes)) await this.collection(spec.name).createIndex({ [field]: 1, _id: 1 });
      // The same keys as on SQLite; MongoDB's planner walks one for a page of its shape, and merges
      // the walks of a list's values ($in) in sort order itself.
      for (const fields of spec.compoundIndexes ?? []) {
        await this.collection(spec.name).createIndex({ ...Object.fromEntries(fields.map((field) => [field, 1])), _id: 1 });
      }
      await this.checkHeldTypes(spec.name, added);
      if (added.length > 0) {
        // Set only where no other type is: a field another process declared meanwhile keeps its type.
        record = await this.declarations().findOneAndUpdate(
          { _id: spec.name, ...Object.fromEntries(added.map(([field, type]) => [`types.${field}`, { $in: [type, null] }])) },
          { $set: Object.fromEntries(added.map(([field, type]) => [`types.${field}`, type])) },
          { returnDocument: 'after' },
        );
        if (!record) throw new Error(`Collection "${spec.name}" was dropped, or some of its fields declared with other types, while it was being declared`);
      }
      this.specs.set(spec.name, checkDeclaration(record._id, record.types));
    }
  }

  async dropCollection(name: string): Promise<void> {
    checkCollectionName(name);
    this.specs.delete(name);
    // Only declared collections are dropped: the database may hold others.
    if (!(await this.declarations().findOne({ _id: { $eq: name } }))) return;
    // Dropped before it is forgotten, so that a retry after a crash in between finishes the job.
    await this.db.collection(name).drop();
    await this.declarations().deleteOne({ _id: name });
  }

  async get(collection: string, id: string): Promise<Document | null> {
    await this.fields(collection);
    const stored = await this.collection(collection).findOne({ _id: { $eq: checkId(id) } });
    return stored ? fromStored(stored) : null;
  }

  async getMany(collection: string, ids: string[]): Promise<Document[]> {
    await this.fields(collection);
    const wanted = [...new Set(ids.map(checkId))];
    const found = await this.collection(collection)
      .find({ _id: { $in: wanted } })
      .toArray();
    const byId = new Map(found.map((s) => [s._id, s]));
    return wanted.flatMap((id) => {
      const stored = byId.get(id);
      return stored ? [fromStored(stored)] : [];
    });
  }

  async find(collection: string, query: FindQuery): Promise<FindResult> {
    const fields = await this.fields(collection, fieldsUsed(query));
    const conditions = parseWhere(collection, fields, query.where);
    const limit = checkLimit(query.limit);
    const order = parseOrder(collection, fields, query.orderBy);
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor, order);

    const clauses: Filter<Stored>[] = conditions.map((c) => (c.op === 'in' ? { [c.field]: { $in: [...c.values] } } : { [c.field]: { [MONGO_OP[c.op]]: c.value } }));
    if (after) clauses.push(order ? keysetFilter(order, after) : { _id: { $gt: after.id } });
    const dir = order?.direction === 'desc' ? -1 : 1;
    const sort: Sort = order ? { [order.field]: dir, _id: dir } : { _id: 1 };
    const found = await this.collection(collection)
      .find(clauses.length ? { $and: clauses } : {}, { sort, limit: limit + 1 })
      .toArray();
    const last = found.length > limit ? found[limit - 1] : undefined;
    return {
      items: found.slice(0, limit).map(fromStored),
      nextCursor: last ? encodeCursor(order, order ? sortValue(last[order.field]) : null, last._id) : null,
    };
  }

  async commit(batch: ReadStoreCommit): Promise<void> {
    const { name, position } = checkCheckpoint(batch.checkpoint);
    const fence = batch.fence && checkFence(batch.fence);
    // Everything is checked before the transaction opens, so a refused batch touches nothing.
    const byCollection = new Map<string, AnyBulkWriteOperation<Stored>[]>();
    for (const write of batch.writes) {
      const fields = await this.fields(write.collection);
      let operation: AnyBulkWriteOperation<Stored>;
      if (write.op === 'put') {
        const { id, ...rest } = toJson(checkDoc(write.collection, fields, write.doc)) as Document;
        operation = { replaceOne: { filter: { _id: id }, replacement: rest, upsert: true } };
      } else if (write.op === 'delete') {
        operation = { deleteOne: { filter: { _id: checkId(write.id) } } };
      } else {
        unknownWrite(write);
      }
      const operations = byCollection.get(write.collection) ?? [];
      operations.push(operation);
      byCollection.set(write.collection, operations);
    }
    const session = this.client.startSession();
    try {
      // withTransaction may run the callback again on a transient error; every write here is
      // an idempotent replace or delete, so a rerun is harmless. A transaction takes its concerns
      // from the client, not the database handle, so they are given again.
      await session.withTransaction(async () => {
        for (const [collection, operations] of byCollection) {
          await this.collection(collection).bulkWrite(operations, { session, ordered: true });
        }
        await this.db
          .collection<CheckpointRecord>('_checkpoints')
          .updateOne({ _id: name }, { $set: { position } }, { upsert: true, session });
        if (fence) {
          // A write, not a read: a take-over of the lease during the transaction then conflicts with it and aborts one of them.
          const held = await this.db
            .collection<LeaseRecord>('_leases')
            .updateOne({ _id: { $eq: fence.lease }, token: { $eq: fence.token } }, { $set: { lastCommitAt: position } }, { session });
          if (held.matchedCount === 0) throw new LeaseLost(fence.lease, fence.token);
        }
      }, PRIMARY_MAJORITY);
    } finally {
      await session.endSession();
    }
  }

  async getCheckpoint(name: string): Promise<number | null> {
    const record = await this.db.collection<CheckpointRecord>('_checkpoints').findOne({ _id: { $eq: checkKey(name) } });
    return record ? record.position : null;
  }

  async deleteCheckpoint(name: string): Promise<void> {
    await this.db.collection<CheckpointRecord>('_checkpoints').deleteOne({ _id: { $eq: checkKey(name) } });
  }

  async getMeta(key: string): Promise<unknown | null> {
    const record = await this.db.collection<MetaRecord>('_meta').findOne({ _id: { $eq: checkKey(key) } });
    return record ? record.value : null;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    if (value === undefined) throw new TypeError('A meta value must be JSON; use null to clear it');
    await this.db
      .collection<MetaRecord>('_meta')
      .replaceOne({ _id: checkKey(key) }, { value: toJson(value) }, { upsert: true });
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<Lease | null> {
    checkLeaseRequest(name, holder, ttlMs, now);
    try {
      // One atomic update: taken when free, lapsed or already the holder's; the token grows on a change of holder.
      const record = await this.db.collection<LeaseRecord>('_leases').findOneAndUpdate(
        { _id: { $eq: name }, $or: [{ holder: { $eq: holder } }, { expiresAt: { $lte: now } }] },
        [
          {
            $set: {
              token: { $cond: [{ $and: [{ $eq: ['$holder', holder] }, { $gt: ['$expiresAt', now] }] }, '$token', { $add: [{ $ifNull: ['$token', 0] }, 1] }] },
              holder: { $literal: holder },
              expiresAt: { $literal: now + ttlMs },
            },
          },
        ],
        { upsert: true, returnDocument: 'after', writeConcern: { w: 'majority' } },
      );
      return record ? { name, holder: record.holder, token: record.token, expiresAt: record.expiresAt } : null;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return null;
      throw error;
    }
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db
      .collection<LeaseRecord>('_leases')
      .updateOne({ _id: { $eq: checkKey(name) }, holder: { $eq: checkKey(holder) } }, { $set: { expiresAt: 0 } }, { writeConcern: { w: 'majority' } });
  }

  async leases(): Promise<Lease[]> {
    const records = await this.db.collection<LeaseRecord>('_leases').find({}).sort({ _id: 1 }).toArray();
    return records.map((record) => ({ name: record._id, holder: record.holder, token: record.token, expiresAt: record.expiresAt }));
  }

  async ping(): Promise<void> {
    await pingWithin(this.db);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /**
   * The declared fields of a collection; throws for a collection never declared. Another
   * process (a projection runner starting a new generation) may have declared it, or added
   * `wanted` fields, since this one last looked, so a miss reads the declaration again.
   */
  private async fields(collection: string, wanted: readonly string[] = []): Promise<DeclaredFields> {
    let fields = this.specs.get(collection);
    if ((!fields || !wanted.every((f) => fields?.has(f))) && typeof collection === 'string') {
      const record = await this.declarations().findOne({ _id: { $eq: collection } });
      fields = record ? checkDeclaration(record._id, record.types) : undefined;
      if (fields) this.specs.set(collection, fields);
      else this.specs.delete(collection);
    }
    if (!fields) throw new UnknownCollection(String(collection));
    return fields;
  }

  /**
   * Refuses fields newly declared on a collection that already holds a document of another type
   * in one of them: a generation is written before its indexes are declared, at the switch.
   */
  private async checkHeldTypes(collection: string, added: readonly [string, IndexType][]): Promise<void> {
    if (added.length === 0) return;
    // $type as an expression names the field's own type; as a query operator it would also match an array's elements.
    const strays = added.map(([field, type]) => ({ $not: [{ $in: [{ $type: `$${field}` }, ['missing', 'null', ...BSON_TYPES[type]]] }] }));
    const stray = await this.collection(collection).findOne({ $expr: { $or: strays } });
    if (stray) throw new Error(typeMismatch(collection, added, fromStored(stray)) ?? `A document of "${collection}" does not fit the declared types`);
  }

  private declarations() {
    return this.db.collection<DeclarationRecord>('_collections');
  }

  private collection(name: string) {
    return this.db.collection<Stored>(name);
  }
}

async function createIfMissing(db: Db, name: string): Promise<void> {
  try {
    await db.createCollection(name);
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) throw error;
  }
}

function fromStored({ _id, ...rest }: Stored): Document {
  return { id: _id, ...rest };
}

/** Missing and null sort together, lowest, as they do on SQLite. */
const sortValue = (value: unknown): Scalar => (value === undefined ? null : (value as Scalar));

/**
 * Documents after (value, id) in the order (field, _id). Null sorts lowest: ascending, the
 * nulls come first and every non-null follows them; descending, they come last.
 */
function keysetFilter(order: Order, after: Keyset): Filter<Stored> {
  const f = order.field;
  if (after.value === null) {
    return order.direction === 'asc'
      ? { $or: [{ [f]: { $eq: null }, _id: { $gt: after.id } }, { [f]: { $ne: null } }] }
      : { [f]: { $eq: null }, _id: { $lt: after.id } };
  }
  const past = order.direction === 'asc' ? '$gt' : '$lt';
  const beyond: Filter<Stored>[] = [{ [f]: { [past]: after.value } }, { [f]: { $eq: after.value }, _id: { [past]: after.id } }];
  return { $or: order.direction === 'asc' ? beyond : [...beyond, { [f]: { $eq: null } }] };
}

/** JSON in, JSON out, as on SQLite: a Date becomes its ISO string, undefined fields vanish. */
const toJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;
