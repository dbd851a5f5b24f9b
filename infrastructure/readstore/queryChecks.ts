import {
  InvalidCursor,
  InvalidQuery,
  MAX_IN_VALUES,
  UnknownField,
  type CollectionSpec,
  type Document,
  type FindQuery,
  type RangeCondition,
  type ReadStoreCommit,
  type Scalar,
} from '../../application/ports/readStore.js';

/**
 * The input checks and the cursor format of every read-store adapter, in one copy so that
 * all of them accept and refuse the same input. Adapters splice into their queries only
 * names that passed these checks.
 */

const NAME = /^[a-z][a-z0-9_]*$/i;

/** A comparison in neutral terms; each adapter spells it in its own query language. */
export type Operator = 'eq' | keyof RangeCondition;
export type Condition = { field: string; op: Operator; value: Scalar } | { field: string; op: 'in'; values: readonly (string | number | boolean)[] };
export type Order = { field: string; direction: 'asc' | 'desc' };
/** Where the next page starts: after this sort value, ties broken by id. */
export type Keyset = { value: Scalar; id: string };

/** `id` is excluded: documents are already keyed and tie-broken by it. */
const isFieldName = (field: unknown): field is string => typeof field === 'string' && NAME.test(field) && field !== 'id';

const isRangeOp = (op: string): op is keyof RangeCondition => op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte';

/**
 * Re-checked on every read: the stored names become table, collection and field names in
 * queries, and the stored copy could have been edited by hand.
 */
export function checkDeclaration(name: string, indexes: unknown): ReadonlySet<string> {
  if (!NAME.test(name) || !Array.isArray(indexes) || !indexes.every(isFieldName)) {
    throw new Error(`Stored declaration of collection "${name}" is malformed`);
  }
  return new Set(indexes);
}

export const fieldsUsed = (query: FindQuery): string[] => [...Object.keys(query.where ?? {}), ...(query.orderBy ? [query.orderBy.field] : [])];

export function checkCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) throw new TypeError(`Invalid collection name ${JSON.stringify(name)}`);
}

export function checkSpec(spec: CollectionSpec): void {
  checkCollectionName(spec.name);
  for (const field of spec.indexes) {
    if (!isFieldName(field)) throw new TypeError(`Invalid index field ${JSON.stringify(field)} on "${spec.name}"`);
  }
}

export function checkKey(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('Expected a string key');
  return value;
}

export function checkId(id: unknown): string {
  if (typeof id !== 'string' || id === '') throw new InvalidQuery('A document id must be a non-empty string');
  return id;
}

export function checkLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) throw new InvalidQuery('limit must be a positive integer');
  return limit;
}

export function checkCheckpoint(checkpoint: ReadStoreCommit['checkpoint']): { name: string; position: number } {
  if (!checkpoint || typeof checkpoint.position !== 'number' || !Number.isSafeInteger(checkpoint.position)) {
    throw new TypeError('A checkpoint needs a name and an integer position');
  }
  return { name: checkKey(checkpoint.name), position: checkpoint.position };
}

export function checkFence(fence: NonNullable<ReadStoreCommit['fence']>): { lease: string; token: number } {
  if (!fence || !Number.isSafeInteger(fence.token)) throw new TypeError('A fence needs a lease name and an integer token');
  return { lease: checkKey(fence.lease), token: fence.token };
}

export function checkLeaseRequest(name: unknown, holder: unknown, ttlMs: unknown, now: unknown): void {
  checkKey(name);
  checkKey(holder);
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new TypeError('A lease lasts a positive whole number of milliseconds');
  if (typeof now !== 'number' || !Number.isSafeInteger(now)) throw new TypeError('A lease is taken at a time in whole milliseconds');
}

/** Indexed fields must hold scalars so that filters and sort mean the same on every store. */
export function checkDoc(collection: string, fields: ReadonlySet<string>, doc: unknown): Document {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InvalidQuery(`A document in "${collection}" must be an object`);
  const record = doc as Record<string, unknown>;
  checkId(record.id);
  if (record._id !== undefined) throw new InvalidQuery('A document may not carry "_id"; its key is "id"');
  for (const field of fields) {
    const value = record[field];
    if (value !== undefined && !isScalar(value)) throw new InvalidQuery(`Field "${field}" of "${collection}/${String(record.id)}" must be a scalar`);
  }
  return record as Document;
}

/** For a write whose `op` is neither 'put' nor 'delete', which the types alone cannot rule out. */
export function unknownWrite(write: never): never {
  throw new InvalidQuery(`Unknown write operation "${String((write as { op: unknown }).op)}"`);
}

const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

const isBound = (value: unknown): value is string | number =>
  typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** `{ in: [...] }`: one to MAX_IN_VALUES scalars, none null, since null never equals anything in SQL. */
const inValues = (field: string, value: Record<string, unknown>): (string | number | boolean)[] => {
  const values = value.in;
  if (
    Object.keys(value).length !== 1 ||
    !Array.isArray(values) ||
    values.length === 0 ||
    values.length > MAX_IN_VALUES ||
    !values.every((v) => v !== null && isScalar(v))
  ) {
    throw new InvalidQuery(`Filter on "${field}" with "in" needs 1 to ${MAX_IN_VALUES} values, none null`);
  }
  return values as (string | number | boolean)[];
};

/**
 * Equality on a scalar, a range whose bounds are strings or numbers, or one of a list of values.
 * Anything else, such as `{ $ne: null }`, is refused rather than interpreted.
 */
export function parseWhere(collection: string, fields: ReadonlySet<string>, where: FindQuery['where']): Condition[] {
  const conditions: Condition[] = [];
  for (const [field, value] of Object.entries(where ?? {})) {
    if (!fields.has(field)) throw new UnknownField(collection, field);
    if (isScalar(value)) {
      conditions.push({ field, op: 'eq', value });
      continue;
    }
    if (isPlainObject(value) && 'in' in value) {
      conditions.push({ field, op: 'in', values: inValues(field, value) });
      continue;
    }
    const bounds = isPlainObject(value) ? Object.entries(value).filter(([, bound]) => bound !== undefined) : [];
    if (bounds.length === 0 || !bounds.every(([op, bound]) => isRangeOp(op) && isBound(bound))) {
      throw new InvalidQuery(`Filter on "${field}" must be a scalar, a range { gt, gte, lt, lte } of strings or numbers, or { in: [values] }`);
    }
    for (const [op, bound] of bounds) conditions.push({ field, op: op as keyof RangeCondition, value: bound as string | number });
  }
  return conditions;
}

export function parseOrder(collection: string, fields: ReadonlySet<string>, orderBy: FindQuery['orderBy']): Order | null {
  if (orderBy === undefined) return null;
  if (!fields.has(orderBy.field)) throw new UnknownField(collection, orderBy.field);
  if (orderBy.direction !== 'asc' && orderBy.direction !== 'desc') throw new InvalidQuery('orderBy.direction must be "asc" or "desc"');
  return { field: orderBy.field, direction: orderBy.direction };
}

/** The cursor names the order it belongs to, so reusing it under another order is refused. */
export function encodeCursor(order: Order | null, value: Scalar, id: string): string {
  return Buffer.from(JSON.stringify([order?.field ?? null, order?.direction ?? 'asc', value, id])).toString('base64url');
}

export function decodeCursor(cursor: unknown, order: Order | null): Keyset {
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw new InvalidCursor();
  const [field, direction, value, id] = parsed as unknown[];
  if (field !== (order?.field ?? null) || direction !== (order?.direction ?? 'asc')) throw new InvalidCursor();
  if (!isScalar(value) || (order === null && value !== null) || typeof id !== 'string' || id === '') throw new InvalidCursor();
  return { value, id };
}
