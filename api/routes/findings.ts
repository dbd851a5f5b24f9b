import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFound } from '../../application/errors.js';
import type { FindQuery, RangeCondition } from '../../application/ports/readStore.js';
import { PERMISSIONS } from '../../application/roles.js';
import { ClaimExplanation } from '../../domain/compliance/claimDetector.js';
import { findingRules, FindingSubjectKind } from '../../domain/compliance/finding.js';
import { Severity } from '../../domain/policy/policy.js';
import { FINDING_DOCS, FINDING_LIST, FINDINGS } from '../../projections/findings/findingsProjection.js';
import { findingsReport } from '../../projections/findings/findingsReport.js';
import { actionRoutes } from '../actionRoute.js';
import { awaitPosition } from '../readYourWrites.js';
import { IdParams, PageQuery, PeriodBound, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const FindingStatus = z.enum(['raised', 'acknowledged', 'remediated', 'waived', 'closed']);

const FindingItem = z.object({
  id: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  severity: Severity,
  policyRevision: z.number(),
  status: FindingStatus,
  detail: z.string(),
  customerId: z.string().nullable(),
  sellerId: z.string(),
  sellerManagerId: z.string().nullable(),
  subject: z.object({ kind: FindingSubjectKind, id: z.string() }),
  evidence: z.array(z.object({ streamId: z.string(), revision: z.number(), hash: z.string() })),
  claims: z.array(ClaimExplanation).optional(),
  raisedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  remediatedAt: z.string().nullable(),
  remediatedBy: z.string().nullable(),
  remediation: z.string().nullable(),
  waivedAt: z.string().nullable(),
  waivedBy: z.string().nullable(),
  waiverReason: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
  outcome: z.enum(['remediated', 'waived']).nullable(),
  minutesToRemediate: z.number().nullable(),
  updatedAt: z.string(),
});

const count = z.number().int();
const FindingsReport = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  total: count,
  byRule: z.array(z.object({ ruleId: z.string(), ruleName: z.string(), count })),
  byRep: z.array(z.object({ sellerId: z.string(), count })),
  bySeverity: z.record(Severity, count),
  byStatus: z.record(FindingStatus, count),
  remediated: count,
  medianMinutesToRemediate: z.number().nullable(),
});

const fromBeforeTo = (q: { from?: string | undefined; to?: string | undefined }) => q.from === undefined || q.to === undefined || q.from < q.to;
const FROM_BEFORE_TO = { path: ['to'], message: 'must be after from' };

const OptionalReason = z.object({ reason: Reason.optional() }).strict().default({});

export const findingRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const {
      commands: { findings },
      views,
    } = services;

    const action = actionRoutes(app, { tags: ['compliance'] });

    action('/compliance/findings/:id/acknowledge', {
      config: { allow: PERMISSIONS.answerFindings },
      summary: "Acknowledge a raised finding: the seller, the seller's manager or the compliance office (FND-12)",
      body: OptionalReason,
      handle: (id, { reason }, envelope) => findings.acknowledge(id, reason ? { reason } : {}, envelope),
    });

    action('/compliance/findings/:id/remediate', {
      config: { allow: PERMISSIONS.answerFindings },
      summary: 'Record what was done to put an acknowledged finding right, with the evidence',
      body: z.object({ evidence: z.string().trim().min(1).max(4000), reason: Reason.optional() }).strict(),
      handle: (id, { evidence, reason }, envelope) => findings.remediate(id, { evidence, ...(reason ? { reason } : {}) }, envelope),
    });

    action('/compliance/findings/:id/waive', {
      config: { allow: PERMISSIONS.waiveFindings, allowRule: findingRules.segregationOfDuties },
      summary: "Waive an acknowledged finding, with the reason: a compliance officer who is neither the seller nor the seller's manager (FND-09)",
      body: z.object({ reason: Reason }).strict(),
      handle: (id, waiver, envelope) => findings.waive(id, waiver, envelope),
    });

    action('/compliance/findings/:id/close', {
      config: { allow: PERMISSIONS.closeFindings },
      summary: 'Close a remediated or waived finding',
      body: OptionalReason,
      handle: (id, { reason }, envelope) => findings.close(id, reason ? { reason } : {}, envelope),
    });

    app.get(
      '/views/compliance/findings',
      {
        config: { allow: PERMISSIONS.readFindings },
        schema: {
          tags: ['views', 'compliance'],
          summary: 'Compliance findings, filtered and sorted, a page at a time',
          description:
            'sellerId is the rep the finding is about. from (inclusive) and to (exclusive) bound raisedAt, as a date (its first instant in the company zone, Asia/Shanghai) or an instant. sort: raised | -raised. Pass nextCursor back as cursor for the next page.',
          querystring: z
            .object({
              customerId: Uuid.optional(),
              sellerId: ShortText(200).optional(),
              ruleId: ShortText(50).optional(),
              severity: Severity.optional(),
              status: FindingStatus.optional(),
              from: PeriodBound.optional(),
              to: PeriodBound.optional(),
              sort: z.enum(['raised', '-raised']).default('-raised'),
              ...PageQuery,
            })
            .strict()
            .refine(fromBeforeTo, FROM_BEFORE_TO),
          response: { 200: z.object({ items: z.array(FindingItem), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const { customerId, sellerId, ruleId, severity, status, from, to, sort, limit, cursor, after } = request.query;
        await awaitPosition(services, request, [FINDINGS], after);
        const where: NonNullable<FindQuery['where']> = {};
        if (customerId) where.customerId = customerId;
        if (sellerId) where.sellerId = sellerId;
        if (ruleId) where.ruleId = ruleId;
        if (severity) where.severity = severity;
        if (status) where.status = status;
        if (from || to) where.raisedAt = { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } satisfies RangeCondition;
        const page = await views.find(FINDINGS, FINDING_LIST.collection, { where, orderBy: FINDING_LIST.sorts[sort], limit, ...(cursor ? { cursor } : {}) });
        return { items: page.items as z.infer<typeof FindingItem>[], nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/views/compliance/findings/:id',
      {
        config: { allow: PERMISSIONS.readFindings },
        schema: {
          tags: ['views', 'compliance'],
          summary: 'One finding with its grounds and its lifecycle, as the view has it',
          params: IdParams,
          querystring: z.object({ after: PageQuery.after }).strict(),
          response: { 200: FindingItem },
        },
      },
      async (request) => {
        await awaitPosition(services, request, [FINDINGS], request.query.after);
        const finding = await views.get(FINDINGS, FINDING_DOCS, request.params.id);
        if (!finding) throw new NotFound('Finding', request.params.id);
        return finding as z.infer<typeof FindingItem>;
      },
    );

    app.get(
      '/views/compliance/report',
      {
        config: { allow: PERMISSIONS.readFindings },
        schema: {
          tags: ['views', 'compliance'],
          summary: 'Periodic inspection (article 38): findings raised in a period, counted per rule, rep, severity and status, with the median time to remediate',
          description:
            'from (inclusive) and to (exclusive) are required, each a date (its first instant in the company zone, Asia/Shanghai) or an instant, from before to. Counts take each finding as it stands now. medianMinutesToRemediate runs from raised to remediated over the period\'s remediated findings (closed ones included); waived findings are not remediations and stay out; null when none.',
          querystring: z.object({ from: PeriodBound, to: PeriodBound, after: PageQuery.after }).strict().refine(fromBeforeTo, FROM_BEFORE_TO),
          response: { 200: FindingsReport },
        },
      },
      async (request) => {
        const { from, to, after } = request.query;
        await awaitPosition(services, request, [FINDINGS], after);
        return findingsReport(views, { from, to });
      },
    );
  };
