import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Document, FindQuery } from '../../application/ports/readStore.js';
import { PERMISSIONS, type Role } from '../../application/roles.js';
import { kpiTable } from '../../domain/analytics/kpiTable.js';
import { COMPLAINT_DOCS, COMPLAINTS, type ComplaintView } from '../../projections/complaints/complaintsProjection.js';
import { FINDING_DOCS, FINDINGS, type FindingView } from '../../projections/findings/findingsProjection.js';
import { ORDER_DOCS, ORDERS, type OrderView } from '../../projections/orders/ordersProjection.js';
import { OPPORTUNITIES, PIPELINE, type OpportunityView } from '../../projections/pipeline/pipelineProjection.js';
import { QUOTE_DOCS, QUOTES, type QuoteView } from '../../projections/quotes/quotesProjection.js';
import { contentType, EXPORT_FORMATS, exportStream, type ExportFormat, type Row } from '../exportFormats.js';
import { askKpi, factsFor, KpiQuery, pointOut, splitOut } from '../kpiQuestion.js';
import { revealPersonalData } from '../personalDataAccess.js';
import { HttpProblem } from '../problems.js';
import { awaitPosition } from '../readYourWrites.js';
import { ownerFilter } from '../sellerScope.js';
import { AfterPosition } from '../schemas.js';
import type { ApiServices } from '../services.js';

/** Documents read from a view a page at a time: an export holds one page, whatever the view's size. */
const PAGE = 500;

async function* paged(services: ApiServices, projection: string, collection: string, query: Omit<FindQuery, 'limit' | 'cursor'>): AsyncGenerator<Document> {
  let cursor: string | undefined;
  do {
    const page = await services.views.find(projection, collection, { ...query, limit: PAGE, ...(cursor ? { cursor } : {}) });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** One view as an export: who may take it, its columns, and its rows for this caller. */
type ViewExport = {
  allow: readonly Role[];
  projection: string;
  columns: readonly string[];
  rows: (services: ApiServices, request: FastifyRequest) => Promise<AsyncIterable<Row>>;
};

async function* mapped<T>(documents: AsyncIterable<Document>, row: (doc: T) => Row | Promise<Row> | Row[] | Promise<Row[]>): AsyncGenerator<Row> {
  for await (const doc of documents) {
    const out = await row(doc as unknown as T);
    if (Array.isArray(out)) yield* out;
    else yield out;
  }
}

/** The views that export, each as its own GET /views route shows it: the seller's own records for a rep, their team's for a manager. */
const VIEW_EXPORTS = {
  pipeline: {
    allow: PERMISSIONS.readViews,
    projection: PIPELINE,
    columns: ['id', 'customerId', 'title', 'ownerId', 'stage', 'status', 'amountMinor', 'currency', 'openedAt', 'updatedAt', 'closedAt'],
    rows: async (services, request) => {
      const owners = await ownerFilter(services, request, undefined);
      return mapped<OpportunityView>(paged(services, PIPELINE, OPPORTUNITIES, { ...(owners ? { where: { ownerId: owners } } : {}), orderBy: { field: 'openedAt', direction: 'asc' } }), (o) => ({
        id: o.id,
        customerId: o.customerId,
        title: o.title,
        ownerId: o.ownerId,
        stage: o.stage,
        status: o.status,
        amountMinor: o.amountMinor,
        currency: o.currency,
        openedAt: o.openedAt,
        updatedAt: o.updatedAt,
        closedAt: o.closedAt,
      }));
    },
  },
  quotes: {
    allow: PERMISSIONS.readViews,
    projection: QUOTES,
    columns: ['id', 'opportunityId', 'customerId', 'ownerId', 'status', 'subtotalMinor', 'discountTotalMinor', 'totalMinor', 'currency', 'skus', 'validUntil', 'draftedAt', 'updatedAt'],
    rows: async (services, request) => {
      const owners = await ownerFilter(services, request, undefined);
      return mapped<QuoteView>(paged(services, QUOTES, QUOTE_DOCS, { ...(owners ? { where: { ownerId: owners } } : {}), orderBy: { field: 'draftedAt', direction: 'asc' } }), (q) => ({
        id: q.id,
        opportunityId: q.opportunityId,
        customerId: q.customerId,
        ownerId: q.ownerId,
        status: q.status,
        subtotalMinor: q.subtotal.minor,
        discountTotalMinor: q.discountTotal.minor,
        totalMinor: q.totalMinor,
        currency: q.currency,
        skus: [...new Set(q.lines.map((line) => line.sku))].join(' '),
        validUntil: q.validUntil,
        draftedAt: q.draftedAt,
        updatedAt: q.updatedAt,
      }));
    },
  },
  orders: {
    allow: PERMISSIONS.readViews,
    projection: ORDERS,
    columns: ['id', 'quoteId', 'customerId', 'status', 'totalMinor', 'currency', 'promisedDeliveryDate', 'fullyDelivered', 'late', 'lateDeliveries', 'creditOverridden', 'placedAt', 'updatedAt'],
    rows: async (services) =>
      mapped<OrderView>(paged(services, ORDERS, ORDER_DOCS, { orderBy: { field: 'placedAt', direction: 'asc' } }), (o) => ({
        id: o.id,
        quoteId: o.quoteId,
        customerId: o.customerId,
        status: o.status,
        totalMinor: o.totalMinor,
        currency: o.currency,
        promisedDeliveryDate: o.promisedDeliveryDate,
        fullyDelivered: o.fullyDelivered,
        late: o.late,
        lateDeliveries: o.lateDeliveries,
        creditOverridden: o.creditOverridden,
        placedAt: o.placedAt,
        updatedAt: o.updatedAt,
      })),
  },
  findings: {
    allow: PERMISSIONS.readFindings,
    projection: FINDINGS,
    columns: ['id', 'ruleId', 'ruleName', 'severity', 'policyRevision', 'status', 'sellerId', 'customerId', 'subjectKind', 'subjectId', 'detail', 'raisedAt', 'closedAt'],
    rows: async (services) =>
      mapped<FindingView>(paged(services, FINDINGS, FINDING_DOCS, { orderBy: { field: 'raisedAt', direction: 'asc' } }), (f) => ({
        id: f.id,
        ruleId: f.ruleId,
        ruleName: f.ruleName,
        severity: f.severity,
        policyRevision: f.policyRevision,
        status: f.status,
        sellerId: f.sellerId,
        customerId: f.customerId,
        subjectKind: f.subject.kind,
        subjectId: f.subject.id,
        detail: f.detail,
        raisedAt: f.raisedAt,
        closedAt: f.closedAt,
      })),
  },
  complaints: {
    allow: PERMISSIONS.readComplaints,
    projection: COMPLAINTS,
    columns: [
      'id',
      'customerId',
      'region',
      'channel',
      'category',
      'severity',
      'status',
      'summary',
      'sku',
      'sellerId',
      'assigneeId',
      'reporterName',
      'reporterPhone',
      'reporterEmail',
      'filedAt',
      'breached',
      'escalationLevel',
      'upheld',
      'csat',
      'nps',
      'closedAt',
    ],
    // The reporter is revealed, and the read logged, only to roles whose work needs it; analysts and auditors see it withheld.
    rows: async (services, request) =>
      mapped<ComplaintView>(paged(services, COMPLAINTS, COMPLAINT_DOCS, { orderBy: { field: 'filedAt', direction: 'asc' } }), async (c) => {
        const reporter = c.reporter && (await revealPersonalData(services, request, c.customerId, c.reporter));
        return {
          id: c.id,
          customerId: c.customerId,
          region: c.region,
          channel: c.channel,
          category: c.category,
          severity: c.severity,
          status: c.status,
          summary: c.summary,
          sku: c.sku,
          sellerId: c.sellerId,
          assigneeId: c.assigneeId,
          reporterName: reporter?.name ?? null,
          reporterPhone: reporter?.phone ?? null,
          reporterEmail: reporter?.email ?? null,
          filedAt: c.filedAt,
          breached: c.breached,
          escalationLevel: c.escalationLevel,
          upheld: c.outcome?.upheld ?? null,
          csat: c.rating?.csat ?? null,
          nps: c.rating?.nps ?? null,
          closedAt: c.closedAt,
        };
      }),
  },
} as const satisfies Record<string, ViewExport>;

/** Whoever may export at least one view reaches the route; each view then admits its own readers. */
const ANY_EXPORTER: readonly Role[] = [...new Set(Object.values(VIEW_EXPORTS).flatMap((exported: ViewExport) => exported.allow))];

const KPI_COLUMNS = ['metric', 'unit', 'groupBy', 'group', 'currency', 'stage', 'period', 'start', 'end', 'value', 'amountMinor', 'count', 'numerator', 'denominator', 'note'];

const Format = z.enum(EXPORT_FORMATS).default('csv');

const send = (reply: FastifyReply, name: string, format: ExportFormat, columns: readonly string[], rows: AsyncIterable<Row>) =>
  reply
    .header('content-type', contentType(format))
    .header('content-disposition', `attachment; filename="${name}.${format}"`)
    .header('cache-control', 'no-store')
    .send(exportStream(format, columns, rows));

export const exportRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/exports/kpis',
      {
        config: { allow: PERMISSIONS.readKpis },
        schema: {
          tags: ['exports'],
          summary: 'A KPI table as CSV (UTF-8 with a byte order mark) or JSON lines: a row per group, currency or stage, and period',
          description: 'Takes the query of GET /views/kpis, and format=csv|jsonl. Text cells a spreadsheet would run as a formula are written with a leading apostrophe.',
          querystring: z.object({ ...KpiQuery, format: Format }).strict(),
        },
      },
      async (request, reply) => {
        const { format, period = null, from, to, ...params } = request.query;
        const asked = await askKpi(services, request, params, { period, from, to });
        const series = kpiTable(asked.question, await factsFor(asked));
        const { metric } = asked;
        async function* rows(): AsyncGenerator<Row> {
          for (const { group, split, points } of series) {
            const { currency = null, stage = null } = splitOut(metric, split) as { currency?: string; stage?: string };
            for (const { bucket, measured } of points) {
              const point = pointOut(bucket.key, measured);
              yield {
                metric: metric.id,
                unit: metric.unit,
                groupBy: asked.question.groupBy,
                group,
                currency: point.amount?.currency ?? currency,
                stage,
                period: bucket.key,
                start: bucket.start,
                end: bucket.end,
                value: point.value,
                amountMinor: point.amount ? (point.amount.minor ?? point.amount.minorDecimal ?? null) : null,
                count: point.count,
                numerator: point.numerator ?? null,
                denominator: point.denominator ?? null,
                note: point.note ?? null,
              };
            }
          }
        }
        return send(reply, `kpis-${metric.id}`, format, KPI_COLUMNS, rows());
      },
    );

    app.get(
      '/exports/:view',
      {
        config: { allow: ANY_EXPORTER },
        schema: {
          tags: ['exports'],
          summary: 'A view as CSV (UTF-8 with a byte order mark) or JSON lines, streamed a page at a time',
          description:
            "view: pipeline, quotes, orders, findings, complaints (GET /exports/kpis for a KPI table). Each honours its view's roles and scope: a rep exports their own deals and quotes, a manager their team's; findings and complaints are for the roles that read them. In complaints, the reporter's name, phone and e-mail are revealed only to roles whose work needs them (each read logged with X-Access-Reason); analysts and auditors see [withheld]. Text cells a spreadsheet would run as a formula are written with a leading apostrophe.",
          params: z.object({ view: z.enum(Object.keys(VIEW_EXPORTS) as [keyof typeof VIEW_EXPORTS, ...(keyof typeof VIEW_EXPORTS)[]]) }).strict(),
          querystring: z.object({ format: Format, after: AfterPosition }).strict(),
        },
      },
      async (request, reply) => {
        const { view } = request.params;
        const { format, after } = request.query;
        const exported: ViewExport = VIEW_EXPORTS[view];
        if (!exported.allow.includes(request.actor.role as Role)) {
          throw new HttpProblem(403, 'forbidden', 'Not allowed', `The role ${request.actor.role} may not export ${view}`, { role: request.actor.role, allowedRoles: exported.allow });
        }
        await awaitPosition(services, request, [exported.projection], after);
        return send(reply, view, format, exported.columns, await exported.rows(services, request));
      },
    );
  };
