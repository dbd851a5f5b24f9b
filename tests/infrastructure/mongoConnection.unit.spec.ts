import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { pingWithin, PRIMARY_MAJORITY, transactionsUnavailable } from '../../infrastructure/mongo/mongoConnection.js';

/** Nothing listens there, so the driver waits its whole server selection timeout for an answer. */
const SILENT_URL = 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=30000';

describe('the MongoDB connection, without a server', () => {
  const clients: MongoClient[] = [];
  const client = (url: string) => {
    const made = new MongoClient(url);
    clients.push(made);
    return made;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  it('accepts the hello reply of a replica set member, primary or not, and of a mongos', () => {
    expect(transactionsUnavailable({ isWritablePrimary: true, setName: 'rs0', hosts: ['db-1:27017'], ok: 1 })).toBeNull();
    expect(transactionsUnavailable({ isWritablePrimary: false, secondary: true, setName: 'rs0', ok: 1 })).toBeNull();
    expect(transactionsUnavailable({ isWritablePrimary: true, msg: 'isdbgrid', ok: 1 })).toBeNull();
  });

  it("refuses a standalone server's hello reply, saying how to run a single-node replica set", () => {
    const problem = transactionsUnavailable({ isWritablePrimary: true, maxWireVersion: 25, ok: 1 });
    expect(problem).toMatch(/standalone/);
    expect(problem).toContain('--replSet rs0');
    expect(problem).toContain('rs.initiate()');
    expect(problem).toContain('replicaSet=rs0');
    expect(problem).toContain('directConnection=true');
    expect(transactionsUnavailable({ isWritablePrimary: true, setName: 42, ok: 1 })).not.toBeNull();
  });

  it('reads from the primary with majority concerns whatever the connection string asks for', () => {
    const asked = client('mongodb://127.0.0.1:1/app?readPreference=secondaryPreferred&readConcernLevel=local&w=1');
    expect(asked.readPreference.mode).toBe('secondaryPreferred');

    const db = asked.db('views', PRIMARY_MAJORITY);
    for (const handle of [db, db.collection('personal_data_keys')]) {
      expect(handle.readPreference?.mode).toBe('primary');
      expect(handle.readConcern?.level).toBe('majority');
      expect(handle.writeConcern?.w).toBe('majority');
    }
    expect(PRIMARY_MAJORITY.readPreference.mode).toBe('primary');
    expect(PRIMARY_MAJORITY.readConcern.level).toBe('majority');
    expect(PRIMARY_MAJORITY.writeConcern.w).toBe('majority');
  });

  it('gives up a ping within its timeout when no server answers, though the driver would wait 30 s', async () => {
    const started = performance.now();
    await expect(pingWithin(client(SILENT_URL).db('views'), 300)).rejects.toThrow(/timeout|timed out|aborted/i);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
