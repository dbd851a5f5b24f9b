import { Binary, type Collection, type Db, type Filter, type MongoClient } from 'mongodb';
import type { KeyCensus, KeyReplacement, LiveKey, StoredKey, WrappedKey, WrappedKeyStore } from '../../../application/ports/keyStore.js';
import { connectReplicaSet, pingWithin, PRIMARY_MAJORITY } from '../../mongo/mongoConnection.js';

type KeyDocument = {
  _id: string;
  /** A key in the clear: only in documents written before keys were wrapped; migration removes it. */
  key?: Binary | null;
  wrapped?: Binary | null;
  masterKeyId?: string | null;
  createdAt: string;
  destroyedAt: string | null;
};

const toLive = (doc: KeyDocument): LiveKey => {
  if (doc.wrapped && doc.masterKeyId) return { state: 'wrapped', wrapped: { masterKeyId: doc.masterKeyId, bytes: Buffer.from(doc.wrapped.buffer) } };
  if (doc.key) return { state: 'unwrapped', key: Buffer.from(doc.key.buffer) };
  throw new Error(`The key document of ${doc._id} holds neither a key nor an erasure`);
};

const toStored = (doc: KeyDocument): StoredKey => (doc.destroyedAt ? { state: 'erased' } : toLive(doc));

/**
 * Wrapped keys in their own MongoDB collection: not a view, never dropped by a rebuild.
 * Every read and write goes to the primary with majority concerns (PRIMARY_MAJORITY): losing a
 * key would erase data nobody asked to erase, and reading an erasure that is later rolled back
 * would refuse a subject that was never erased.
 */
export class MongoKeyStore implements WrappedKeyStore {
  static async connect(url: string, dbName: string): Promise<MongoKeyStore> {
    const client = await connectReplicaSet(url);
    const db = client.db(dbName, PRIMARY_MAJORITY);
    return new MongoKeyStore(client, db, db.collection<KeyDocument>('personal_data_keys'));
  }

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly keys: Collection<KeyDocument>,
  ) {}

  /**
   * One atomic upsert that answers the record it kept: two first uses at once end with one key,
   * and an erasure is never overwritten. The server retries an upsert that loses the race on _id.
   */
  async create(subject: string, wrapped: WrappedKey): Promise<StoredKey> {
    const kept = await this.keys.findOneAndUpdate(
      { _id: subject },
      { $setOnInsert: { wrapped: new Binary(wrapped.bytes), masterKeyId: wrapped.masterKeyId, createdAt: new Date().toISOString(), destroyedAt: null } },
      { upsert: true, returnDocument: 'after' },
    );
    if (!kept) throw new Error(`Keeping a key for ${subject} returned no record`);
    return toStored(kept);
  }

  async find(subject: string): Promise<StoredKey | null> {
    const found = await this.keys.findOne({ _id: subject });
    return found ? toStored(found) : null;
  }

  async replace(replacements: readonly KeyReplacement[]): Promise<boolean[]> {
    return Promise.all(
      replacements.map(async ({ subject, current, next }) => {
        const unchanged: Filter<KeyDocument> =
          current.state === 'wrapped'
            ? { _id: subject, destroyedAt: null, wrapped: new Binary(current.wrapped.bytes), masterKeyId: current.wrapped.masterKeyId }
            : { _id: subject, destroyedAt: null, key: new Binary(current.key) };
        const result = await this.keys.updateOne(unchanged, { $set: { wrapped: new Binary(next.bytes), masterKeyId: next.masterKeyId }, $unset: { key: '' } });
        return result.modifiedCount === 1;
      }),
    );
  }

  async destroy(subject: string): Promise<boolean> {
    const now = new Date().toISOString();
    const before = await this.keys.findOneAndUpdate(
      { _id: subject },
      { $set: { wrapped: null, masterKeyId: null, destroyedAt: now }, $unset: { key: '' }, $setOnInsert: { createdAt: now } },
      { upsert: true, returnDocument: 'before' },
    );
    return Boolean(before && !before.destroyedAt);
  }

  async liveKeys(after: string | null, limit: number): Promise<{ subject: string; key: LiveKey }[]> {
    const docs = await this.keys
      .find({ destroyedAt: null, ...(after === null ? {} : { _id: { $gt: after } }) })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map((doc) => ({ subject: doc._id, key: toLive(doc) }));
  }

  async census(): Promise<KeyCensus> {
    const groups = await this.keys
      .aggregate<{ _id: { masterKeyId: string | null; unwrapped: boolean; erased: boolean }; records: number }>([
        {
          $group: {
            _id: {
              masterKeyId: { $ifNull: ['$masterKeyId', null] },
              unwrapped: { $ne: [{ $ifNull: ['$key', null] }, null] },
              erased: { $ne: [{ $ifNull: ['$destroyedAt', null] }, null] },
            },
            records: { $sum: 1 },
          },
        },
      ])
      .toArray();
    const census: KeyCensus = { wrappedBy: {}, unwrapped: 0, erased: 0 };
    for (const { _id: { masterKeyId, unwrapped, erased }, records } of groups) {
      if (erased) census.erased += records;
      else if (unwrapped) census.unwrapped += records;
      else if (masterKeyId) census.wrappedBy[masterKeyId] = (census.wrappedBy[masterKeyId] ?? 0) + records;
    }
    return census;
  }

  /**
   * Nothing a client can do: WiredTiger reuses the blocks a replaced or destroyed key held
   * when it needs them; `compact`, run by an operator on every member, reclaims them sooner.
   */
  async scrub(): Promise<void> {}

  async ping(): Promise<void> {
    await pingWithin(this.db);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
