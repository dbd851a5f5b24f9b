import {
  InvalidCursor,
  InvalidQuery,
  MAX_IN_VALUES,
  UnknownField,
  type CollectionSpec,
  type Document,
  type FindQuery,
  type IndexType,
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

/** A collection's declared fields, each with the one type it holds besides null. */
export type DeclaredFields = ReadonlyMap<string, IndexType>;

/** A comparison in neutral terms; each adapter spells it in its own query language. */
export type Operator = 'eq' | keyof RangeCondition;
export type Condition = { field: string; op: Operator; value: Scalar } | { field: string; op: 'in'; values: readonly (string | number | boolean)[] };
export type Order = { field: string; direction: 'asc' | 'desc'; type: IndexType };
/** Where the next page starts: after this sort value, ties broken by id. */
export type Keyset = { value: Scalar; id: string };

/** `id` is excluded: documents are already keyed and tie-broken by it. */
const isFieldName = (field: unknown): field is string => typeof field === 'string' && NAME.test(field) && field !== 'id';

const isRangeOp = (op: string): op is keyof RangeCondition => op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte';

const INDEX_TYPES: ReadonlySet<unknown> = new Set<IndexType>(['string', 'number', 'boolean']);
const isIndexType = (type: unknown): type is IndexType => INDEX_TYPES.has(type);

/**
 * Re-checked on every read: the stored names become table, collection and field names in
 * queries, and the stored copy could have been edited by hand. A declaration written before
 * fields had types (a list of names, or none) declares no field yet: each is served again once
 * declared with its type, which checks the documents already there, as the projection runner
 * does for every view when it starts.
 */
export function checkDeclaration(name: string, types: unknown): DeclaredFields {
  const entries = types === undefined || Array.isArray(types) ? [] : isPlainObject(types) ? Object.entries(types) : null;
  if (!NAME.test(name) || !entries || !entries.every(([field, type]) => isFieldName(field) && isIndexType(type))) {
    throw new Error(`Stored declaration of collection "${name}" is malformed`);
  }
  return new Map(entries as [string, IndexType][]);
}

/**
 * The fields `spec` declares that `declared` lacks, with their types. A field declared before
 * with another type is refused: the documents already written hold the old one.
 */
export function fieldsToAdd(declared: DeclaredFields, spec: CollectionSpec): [string, IndexType][] {
  const added: [string, IndexType][] = [];
  for (const [field, type] of Object.entries(spec.indexes)) {
    const before = declared.get(field);
    if (before === undefined) added.push([field, type]);
    else if (before !== type) throw new Error(`Field "${field}" of "${spec.name}" is declared ${before}; it cannot be declared ${type} as well (declare it in a new collection)`);
  }
  return added;
}

export const fieldsUsed = (query: FindQuery): string[] => [...Object.keys(query.where ?? {}), ...(query.orderBy ? [query.orderBy.field] : [])];

export function checkCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) throw new TypeError(`Invalid collection name ${JSON.stringify(name)}`);
}

export function checkSpec(spec: CollectionSpec): void {
  checkCollectionName(spec.name);
  if (!isPlainObject(spec.indexes)) throw new TypeError(`The indexes of "${spec.name}" must name each field with its type`);
  for (const [field, type] of Object.entries(spec.indexes)) {
    if (!isFieldName(field)) throw new TypeError(`Invalid index field ${JSON.stringify(field)} on "${spec.name}"`);
    if (!isIndexType(type)) throw new TypeError(`Index field "${field}" on "${spec.name}" must be declared string, number or boolean, not ${JSON.stringify(type)}`);
  }
  const compound = spec.compoundIndexes ?? [];
  if (!Array.isArray(compound)) throw new TypeError(`The compound indexes of "${spec.name}" must be a list of field lists`);
  for (const fields of compound) {
    const valid =
      Array.isArray(fields) &&
      fields.length >= 2 &&
      new Set(fields).size === fields.length &&
      fields.every((field) => typeof field === 'string' && Object.hasOwn(spec.indexes, field));
    if (!valid) throw new TypeError(`Compound index ${JSON.stringify(fields)} on "${spec.name}" must name two or more distinct fields declared in its indexes`);
  }
}

/** How a compound index is named in the stores that name indexes: its fields joined by "+", which no field name holds. */
export const compoundIndexName = (collection: string, fields: readonly string[]) => `${collection}:${fields.join('+')}`;

/** The fields of a compound index from its name, or null for a name that is not one. */
export function compoundIndexFields(collection: string, indexName: string): string[] | null {
  const prefix = `${collection}:`;
  if (!indexName.startsWith(prefix)) return null;
  const fields = indexName.slice(prefix.length).split('+');
  return fields.length >= 2 && fields.every(isFieldName) ? fields : null;
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

/** Indexed fields must hold scalars of their declared type so that filters and sort mean the same on every store. */
export function checkDoc(collection: string, fields: DeclaredFields, doc: unknown): Document {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InvalidQuery(`A document in "${collection}" must be an object`);
  const record = doc as Record<string, unknown>;
  checkId(record.id);
  if (record._id !== undefined) throw new InvalidQuery('A document may not carry "_id"; its key is "id"');
  for (const field of fields.keys()) {
    const value = record[field];
    if (value !== undefined && !isScalar(value)) throw new InvalidQuery(`Field "${field}" of "${collection}/${String(record.id)}" must be a scalar`);
  }
  const mismatch = typeMismatch(collection, fields, record);
  if (mismatch) throw new InvalidQuery(mismatch);
  return record as Document;
}

const withArticle = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

/**
 * The first of `fields` whose value in `doc` is neither null, missing nor of its declared type,
 * described; null when the document fits. Only types are named: an indexed value may be an id.
 */
export function typeMismatch(collection: string, fields: Iterable<readonly [string, IndexType]>, doc: Record<string, unknown>): string | null {
  for (const [field, type] of fields) {
    const value = doc[field];
    if (value === undefined || value === null || typeof value === type) continue;
    return `Field "${field}" of "${collection}/${String(doc.id)}" is declared ${type} but holds ${withArticle(Array.isArray(value) ? 'array' : typeof value)}`;
  }
  return null;
}

/** For a write whose `op` is neither 'put' nor 'delete', which the types alone cannot rule out. */
export function unknownWrite(write: never): never {
  throw new InvalidQuery(`Unknown write operation "${String((write as { op: unknown }).op)}"`);
}

const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

/** Not null: null is a value of every field, and never a bound or one of a list. */
const isOfType = (value: unknown, type: IndexType): value is string | number | boolean => value !== null && isScalar(value) && typeof value === type;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** `{ in: [...] }`: one to MAX_IN_VALUES values of the field's type, none null, since null never equals anything in SQL. */
const inValues = (field: string, type: IndexType, value: Record<string, unknown>): (string | number | boolean)[] => {
  const values = value.in;
  if (
    Object.keys(value).length !== 1 ||
    !Array.isArray(values) ||
    values.length === 0 ||
    values.length > MAX_IN_VALUES ||
    !values.every((v) => isOfType(v, type))
  ) {
    throw new InvalidQuery(`Filter on "${field}" with "in" needs 1 to ${MAX_IN_VALUES} values, each ${withArticle(type)}`);
  }
  return values as (string | number | boolean)[];
};

/**
 * Equality on null or a value of the field's type, a range whose bounds are of the field's type
 * (strings or numbers), or one of a list of such values. Anything else, such as `{ $ne: null }`
 * or 1 for a boolean, is refused rather than interpreted.
 */
export function parseWhere(collection: string, fields: DeclaredFields, where: FindQuery['where']): Condition[] {
  const conditions: Condition[] = [];
  for (const [field, value] of Object.entries(where ?? {})) {
    const type = fields.get(field);
    if (type === undefined) throw new UnknownField(collection, field);
    if (value === null || isOfType(value, type)) {
      conditions.push({ field, op: 'eq', value });
      continue;
    }
    if (isPlainObject(value) && 'in' in value) {
      conditions.push({ field, op: 'in', values: inValues(field, type, value) });
      continue;
    }
    const bounds = isPlainObject(value) ? Object.entries(value).filter(([, bound]) => bound !== undefined) : [];
    if (type === 'boolean' || bounds.length === 0 || !bounds.every(([op, bound]) => isRangeOp(op) && isOfType(bound, type))) {
      const range = type === 'boolean' ? '' : `, a range { gt, gte, lt, lte } of ${type}s`;
      throw new InvalidQuery(`Filter on "${field}" must be ${withArticle(type)}, null${range} or { in: [${type}s] }`);
    }
    for (const [op, bound] of bounds) conditions.push({ field, op: op as keyof RangeCondition, value: bound as string | number });
  }
  return conditions;
}

export function parseOrder(collection: string, fields: DeclaredFields, orderBy: FindQuery['orderBy']): Order | null {
  if (orderBy === undefined) return null;
  const type = fields.get(orderBy.field);
  if (type === undefined) throw new UnknownField(collection, orderBy.field);
  if (orderBy.direction !== 'asc' && orderBy.direction !== 'desc') throw new InvalidQuery('orderBy.direction must be "asc" or "desc"');
  return { field: orderBy.field, direction: orderBy.direction, type };
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
  const fitsOrder = value === null || (order !== null && isOfType(value, order.type));
  if (!fitsOrder || typeof id !== 'string' || id === '') throw new InvalidCursor();
  return { value, id };
}
