import { getRandomValues } from 'node:crypto';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

/** Namespace for ids derived from idempotency keys, so a retried create lands on the same stream. */
const DERIVED_ID_NAMESPACE = 'a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b';

/** Random bytes for new ids, drawn from the system 256 ids at a time: a request takes several ids, and a draw costs more than the id. */
const pool = new Uint8Array(16 * 256);
let drawn = pool.length;
const sixteenRandomBytes = () => {
  if (drawn === pool.length) {
    getRandomValues(pool);
    drawn = 0;
  }
  drawn += 16;
  return pool.subarray(drawn - 16, drawn);
};

/** Ids made in the same millisecond count up from a random start, as uuid does when it draws its own bytes, so they stay in order. */
const last = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };

export const newId = (): string => {
  const random = sixteenRandomBytes();
  const now = Date.now();
  if (now > last.msecs) {
    last.msecs = now;
    last.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    last.seq = (last.seq + 1) | 0;
    if (last.seq === 0) last.msecs += 1;
  }
  return uuidv7({ random, msecs: last.msecs, seq: last.seq });
};

/** The same (scope, key) always yields the same id; different scopes never collide. */
export const idFromKey = (scope: string, key: string): string => uuidv5(`${scope}\u0000${key}`, DERIVED_ID_NAMESPACE);
