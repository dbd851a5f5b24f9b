import { MongoClient, ReadConcern, ReadPreference, WriteConcern, type Db, type DbOptions, type Document, type TransactionOptions } from 'mongodb';
import { ConfigError } from '../config.js';

/**
 * What every read and write of the views and the keys runs with, whatever the connection string
 * says: the primary, and majority read and write concerns. A secondary may lag, and a write only
 * the primary holds may be undone at a failover: a key read there could show an erased subject
 * as never erased or the reverse, and a projection could go on from a commit later undone.
 * Set on the database handle and the transactions rather than the client, where a connection
 * string's readConcernLevel=local would still win.
 */
export const PRIMARY_MAJORITY = {
  readPreference: ReadPreference.primary,
  readConcern: new ReadConcern('majority'),
  writeConcern: new WriteConcern('majority'),
} satisfies DbOptions & TransactionOptions;

/** How long a readiness ping waits for an answer; the driver would wait 30 s to select a server. */
export const PING_TIMEOUT_MS = 2_000;

/**
 * Why the server that answered `hello` cannot run the transactions the views need, or null when it
 * can: a replica set member names its set, a mongos says it is one; a standalone server does neither.
 */
export function transactionsUnavailable(hello: Document): string | null {
  if (typeof hello.setName === 'string' || hello.msg === 'isdbgrid') return null;
  return (
    'the server is a standalone MongoDB server, and the views and keys need transactions and majority writes, which only a replica set or a sharded cluster offers. ' +
    'A single node will do: start mongod with --replSet rs0, run rs.initiate() once, and add replicaSet=rs0 to the connection string ' +
    "(or directConnection=true, when the member's own host name does not resolve from here)"
  );
}

/**
 * Connects and refuses, before anything is served, a server that could not commit: a standalone
 * server accepts every read and fails the first transaction, long after the process said it was ready.
 */
export async function connectReplicaSet(url: string): Promise<MongoClient> {
  const client = new MongoClient(url);
  try {
    await client.connect();
    const problem = transactionsUnavailable(await client.db('admin').command({ hello: 1 }));
    // The connection string is not shown: it may carry a password.
    if (problem) throw new ConfigError([`MONGODB_URL: ${problem}`]);
    return client;
  } catch (error) {
    await client.close();
    throw error;
  }
}

/**
 * A ping that answers within `timeoutMs`, so readiness reports a server gone quiet instead of
 * hanging. The driver's `timeoutMS` has no effect since version 7, and `maxTimeMS` bounds only the
 * server's work; an abort signal stops server selection, connection checkout and the read alike.
 */
export async function pingWithin(db: Db, timeoutMs = PING_TIMEOUT_MS): Promise<void> {
  await db.command({ ping: 1 }, { signal: AbortSignal.timeout(timeoutMs) });
}
