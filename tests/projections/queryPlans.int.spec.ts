import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindQuery, IndexType, Scalar } from '../../application/ports/readStore.js';
import { compoundIndexFields, encodeCursor } from '../../infrastructure/readstore/queryChecks.js';
import { SqliteReadStore } from '../../infrastructure/readstore/sqlite/sqliteReadStore.js';
import { allProjections } from '../../projections/all.js';
import { COMPLAINT_LIST } from '../../projections/complaints/complaintsProjection.js';
import { FINDING_LIST } from '../../projections/findings/findingsProjection.js';
import { ORDER_LIST } from '../../projections/orders/ordersProjection.js';
import { OPEN_OPPORTUNITIES } from '../../projections/pipeline/pipelineProjection.js';
import type { ListQuery, ListSort, Projection } from '../../projections/projection.js';
import { QUOTE_LIST } from '../../projections/quotes/quotesProjection.js';
import { startTestApp } from '../support/testApp.js';

/**
 * Every documented query of every view, asked of SQLite's query planner: each combination of a
 * list's filters, in each of its orders, a first page and a next one, must seek one index on its
 * equality filters and walk it in the order asked, never walk the whole table, never sort in a
 * temporary B-tree. The lists are those the projections declare; a route that pages through a view
 * (it takes `sort`) must be one of them, with the same filters and sorts, so a new one is covered.
 */

/** The list each paged route reads; a paged route missing here fails the first test. */
const LIST_ROUTES: Record<string, ListQuery> = {
  '/views/pipeline': OPEN_OPPORTUNITIES,
  '/views/quotes': QUOTE_LIST,
  '/views/orders': ORDER_LIST,
  '/views/compliance/findings': FINDING_LIST,
  '/views/complaints': COMPLAINT_LIST,
};

/** What a route takes besides its filters: the page, the order, read-your-writes, a past moment (replayed from the log, not read from the view). */
const NOT_FILTERS = new Set(['sort', 'limit', 'cursor', 'after', 'asOf']);

type Parameter = { in: string; name: string; schema?: { enum?: string[] } };
type Operation = { parameters?: Parameter[] };

const documented = allProjections.flatMap((projection) => (projection.queries ?? []).map((list) => ({ projection, list })));

describe('the documented queries of the views', () => {
  let pagedRoutes: [string, Parameter[]][] = [];

  beforeAll(async () => {
    const t = await startTestApp({ roster: false });
    try {
      const paths = (await t.app.inject('/openapi.json')).json().paths as Record<string, { get?: Operation }>;
      pagedRoutes = Object.entries(paths).flatMap(([path, item]) => {
        const query = (item.get?.parameters ?? []).filter((p) => p.in === 'query');
        return query.some((p) => p.name === 'sort') ? [[path, query] as [string, Parameter[]]] : [];
      });
    } finally {
      await t.close();
    }
  });

  it('include the list behind every route that pages through a view, with its filters and sorts', () => {
    expect(pagedRoutes.map(([path]) => path).sort()).toEqual(Object.keys(LIST_ROUTES).sort());
    for (const [path, parameters] of pagedRoutes) {
      const list = LIST_ROUTES[path]!;
      expect(documented.some((d) => d.list === list), `${path}: its list is one a projection declares`).toBe(true);
      expect(parameters.map((p) => p.name).filter((name) => !NOT_FILTERS.has(name)).sort(), path).toEqual(Object.keys(list.filters).sort());
      expect(parameters.find((p) => p.name === 'sort')?.schema?.enum?.slice().sort(), path).toEqual(Object.keys(list.sorts).sort());
    }
  });

  describe.each(documented.map(({ projection, list }) => [`${projection.name}: ${list.collection} by ${Object.keys(list.sorts).join(', ')}`, projection, list] as const))(
    '%s',
    (_, projection, list) => {
      const dir = mkdtempSync(join(tmpdir(), 'query-plans-'));
      let store: SqliteReadStore;
      beforeAll(async () => {
        store = SqliteReadStore.open(join(dir, 'views.sqlite'));
        await store.ensureCollections(projection.collections);
      });
      afterAll(async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      });

      it('seeks and walks one index in order for every combination of its filters, a first page and a next', async () => {
        const failures: string[] = [];
        for (const query of queriesOf(projection, list)) {
          for (const { sql, plan } of await store.explainFind(list.collection, query)) {
            const wrong = wrongStep(list, query, plan);
            if (wrong) failures.push(`${JSON.stringify(query)}\n  ${sql}\n  ${plan.join(' | ')}\n  ${wrong}`);
          }
        }
        expect(failures.slice(0, 5).join('\n\n'), `${failures.length} statements`).toBe('');
      });
    },
  );
});

type Filter = { field: string; match: 'equal' | 'range' };

/** Each field a list filters on once: a period's two bounds are one range. */
const filterFields = (list: ListQuery): Filter[] => [...new Map(Object.values(list.filters).map((f) => [`${f.field}:${f.match}`, f])).values()];

const sample = (type: IndexType): Scalar => (type === 'string' ? 'x' : type === 'number' ? 1 : true);

/** Every subset of the filters, with the seller scope's list of owners where the route applies it, in every order; a next page for each filter alone. */
function* queriesOf(projection: Projection, list: ListQuery): Generator<FindQuery> {
  const types = projection.collections.find((c) => c.name === list.collection)!.indexes;
  const filters = filterFields(list);
  for (let subset = 0; subset < 1 << filters.length; subset++) {
    const chosen = filters.filter((_, i) => subset & (1 << i));
    const where: NonNullable<FindQuery['where']> = { ...list.always };
    for (const { field, match } of chosen) where[field] = match === 'equal' ? sample(types[field]!) : { gte: sample(types[field]!) as string | number };
    const scopes = list.scopedBy && !chosen.some((f) => f.field === list.scopedBy) ? [where, { ...where, [list.scopedBy]: { in: ['a', 'b', 'c'] } }] : [where];
    for (const scoped of scopes) {
      for (const orderBy of Object.values<ListSort>(list.sorts)) {
        yield { where: scoped, orderBy, limit: 50 };
        if (chosen.length <= 1) {
          const order = { ...orderBy, type: types[orderBy.field]! };
          yield { where: scoped, orderBy, limit: 50, cursor: encodeCursor(order, sample(order.type), 'id') };
          yield { where: scoped, orderBy, limit: 50, cursor: encodeCursor(order, null, 'id') };
        }
      }
    }
  }
}

/** Why a statement's plan is not one ordered walk of one index seeking on the query's equality filters; null when it is. */
function wrongStep(list: ListQuery, query: FindQuery, plan: string[]): string | null {
  if (plan.some((step) => step.includes('TEMP B-TREE'))) return 'sorts in a temporary B-tree';
  const steps = plan.filter((step) => step.includes(`view_${list.collection}`));
  if (steps.length !== 1) return `reads the collection in ${steps.length} steps`;
  const [step] = steps as [string];
  const used = /^(SEARCH|SCAN) \S+ USING (?:COVERING )?INDEX (\S+)/.exec(step);
  if (!used) return 'reads the table without an index';
  const [, how, index] = used as unknown as [string, 'SEARCH' | 'SCAN', string];
  const fields = compoundIndexFields(list.collection, index) ?? [index.slice(list.collection.length + 1)];
  const equal = Object.entries(query.where ?? {}).flatMap(([field, value]) => (value === null || typeof value !== 'object' || 'in' in value ? [field] : []));
  const chosen = equal.filter((field) => !(field in (list.always ?? {})));
  if (fields.at(-1) !== query.orderBy!.field) return `walks ${index}, which is not in the order asked`;
  if (!fields.slice(0, -1).every((field) => equal.includes(field))) return `walks ${index}, whose leading fields are not all filtered by equality`;
  if (chosen.length > 0 && !fields.some((field) => chosen.includes(field))) return `walks ${index}, which seeks on none of the filters given`;
  if (how === 'SCAN' && equal.length > 0) return `scans ${index} whole`;
  return null;
}
