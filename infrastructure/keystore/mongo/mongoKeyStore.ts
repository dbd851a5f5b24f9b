import { randomBytes } from 'node:crypto';
import { Binary, MongoClient, type Collection } from 'mongodb';
import { SubjectErased, type KeyStore } from '../../../application/ports/keyStore.js';

type KeyDocument = { _id: string; key: Binary | null; createdAt: string; destroyedAt: string | null };

/**
 * Keys in their own MongoDB collection: not a view, never dropped by a rebuild.
 * Writes use majority write concern: losing a key would erase data nobody asked to erase.
 */
export class MongoKeyStore implements KeyStore {
  static async connect(url: string, dbName: string): Promise<MongoKeyStore> {
    const client = await MongoClient.connect(url);
    return new MongoKeyStore(client, client.db(dbName).collection<KeyDocument>('personal_data_keys'));
  }

  private constructor(
    private readonly client: MongoClient,
    private readonly keys: Collection<KeyDocument>,
  ) {}

  async keyFor(subject: string): Promise<Buffer> {
    await this.keys.updateOne(
      { _id: subject },
      { $setOnInsert: { key: new Binary(randomBytes(32)), createdAt: new Date().toISOString(), destroyedAt: null } },
      { upsert: true, writeConcern: { w: 'majority' } },
    );
    const found = await this.keys.findOne({ _id: subject });
    if (!found?.key) throw new SubjectErased(subject);
    return Buffer.from(found.key.buffer);
  }

  async findKey(subject: string): Promise<Buffer | null> {
    const found = await this.keys.findOne({ _id: subject });
    return found?.key ? Buffer.from(found.key.buffer) : null;
  }

  async destroy(subject: string): Promise<boolean> {
    const now = new Date().toISOString();
    const before = await this.keys.findOneAndUpdate(
      { _id: subject },
      { $set: { key: null, destroyedAt: now }, $setOnInsert: { createdAt: now } },
      { upsert: true, returnDocument: 'before', writeConcern: { w: 'majority' } },
    );
    return Boolean(before?.key);
  }

  async ping(): Promise<void> {
    await this.client.db('admin').command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
