import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFound } from '../../application/errors.js';
import type { FindQuery, RangeCondition } from '../../application/ports/readStore.js';
import { PERMISSIONS } from '../../application/roles.js';
import { ComplaintCategory, ComplaintChannel, ComplaintStatus, RemedyKind } from '../../domain/complaint/complaint.js';
import { ComplaintSeverity } from '../../domain/complaint/serviceLevels.js';
import { complaintSlaReport, SLA_GROUPS } from '../../projections/complaints/complaintSla.js';
import { clockReadings, COMPLAINT_DOCS, COMPLAINT_LIST, COMPLAINTS, type ComplaintView } from '../../projections/complaints/complaintsProjection.js';
import { revealPersonalData } from '../personalDataAccess.js';
import { awaitPosition } from '../readYourWrites.js';
import { IdParams, PageQuery, PeriodBound, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const MoneyOut = z.object({ minor: z.number(), currency: z.string() });
const RemedyOut = z.object({ kind: RemedyKind, amount: MoneyOut.optional() });

const ClockOut = z.object({
  state: z.enum(['running', 'paused', 'stopped']),
  targetMinutes: z.number(),
  dueAt: z.string().nullable().describe('When the clock runs out, in the past once its time is up; null while it stands with time left, or once stopped'),
  elapsedMinutes: z.number().describe('Counted minutes so far: working hours of the calendar, or every minute round the clock; paused time left out'),
  remainingMinutes: z.number(),
  overdue: z.boolean(),
  breached: z.boolean(),
  stoppedAt: z.string().nullable(),
  withinTarget: z.boolean().nullable(),
});

const ComplaintItem = z.object({
  id: z.string(),
  customerId: z.string(),
  region: z.string(),
  channel: ComplaintChannel,
  category: ComplaintCategory,
  severity: ComplaintSeverity,
  status: ComplaintStatus,
  summary: z.string(),
  orderId: z.string().nullable(),
  promiseId: z.string().nullable(),
  opportunityId: z.string().nullable(),
  sku: z.string().nullable(),
  sellerId: z.string().nullable(),
  assigneeId: z.string().nullable(),
  filedBy: z.string(),
  filedAt: z.string(),
  policyVersion: z.number(),
  escalationLevel: z.number(),
  escalatedTo: z.string().nullable(),
  nextDueAt: z.string().nullable(),
  overdue: z.boolean(),
  breached: z.boolean(),
  clocks: z.object({ firstResponse: ClockOut, resolution: ClockOut }),
  rating: z.object({ csat: z.number(), nps: z.number().nullable(), comment: z.string().nullable(), at: z.string() }).nullable(),
  updatedAt: z.string(),
});

const ComplaintDetail = ComplaintItem.extend({
  detail: z.string().nullable(),
  reporter: z.object({ name: z.string(), phone: z.string().optional(), email: z.string().optional() }).nullable(),
  calendar: z.string(),
  serviceLevel: z.object({
    firstResponseMinutes: z.number(),
    resolutionMinutes: z.number(),
    businessHours: z
      .object({
        calendar: z.string(),
        weekdays: z.array(z.number()),
        hours: z.array(z.object({ from: z.string(), to: z.string() })),
        holidays: z.array(z.string()),
        workingDays: z.array(z.string()),
      })
      .optional(),
  }),
  proposal: z.object({ resolution: z.string(), remedy: RemedyOut.nullable(), proposedBy: z.string(), at: z.string() }).nullable(),
  outcome: z.object({ resolution: z.string(), remedy: RemedyOut.nullable(), upheld: z.boolean().nullable(), resolvedBy: z.string(), resolvedAt: z.string() }).nullable(),
  resolvedCount: z.number(),
  reopenCount: z.number(),
  closedAt: z.string().nullable(),
  timeline: z.array(z.object({ at: z.string(), event: z.string(), by: z.string(), details: z.record(z.string(), z.unknown()) })),
});

const count = z.number().int();
const rate = z.number().nullable();
const ClockFigures = z.object({ stopped: count, medianMinutes: z.number().nullable(), p90Minutes: z.number().nullable(), breached: count, breachRate: rate });
const SlaFigures = z.object({
  complaints: count,
  firstResponse: ClockFigures,
  resolution: ClockFigures,
  reopenRate: rate,
  csat: z.object({ responses: count, average: z.number().nullable(), distribution: z.record(z.enum(['1', '2', '3', '4', '5']), count) }),
  nps: z.object({ responses: count, score: z.number().nullable(), promoters: count, passives: count, detractors: count }),
});
const SlaReport = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  groupBy: z.enum(SLA_GROUPS).nullable(),
  total: SlaFigures,
  groups: z.array(SlaFigures.extend({ key: z.string() })),
});

const fromBeforeTo = (q: { from?: string | undefined; to?: string | undefined }) => q.from === undefined || q.to === undefined || q.from < q.to;
const FROM_BEFORE_TO = { path: ['to'], message: 'must be after from' };

const Flag = z.enum(['true', 'false']);

/** What a complaint's document serves in a list: its clocks as they read now, without the timeline, the reporter or the fold behind them. */
const itemOf = (complaint: ComplaintView, now: string): z.infer<typeof ComplaintItem> => {
  const clocks = clockReadings(complaint, now);
  return {
    id: complaint.id,
    customerId: complaint.customerId,
    region: complaint.region,
    channel: complaint.channel,
    category: complaint.category,
    severity: complaint.severity,
    status: complaint.status,
    summary: complaint.summary,
    orderId: complaint.orderId,
    promiseId: complaint.promiseId,
    opportunityId: complaint.opportunityId,
    sku: complaint.sku,
    sellerId: complaint.sellerId,
    assigneeId: complaint.assigneeId,
    filedBy: complaint.filedBy,
    filedAt: complaint.filedAt,
    policyVersion: complaint.policyVersion,
    escalationLevel: complaint.escalationLevel,
    escalatedTo: complaint.escalatedTo,
    nextDueAt: complaint.nextDueAt,
    overdue: clocks.firstResponse.overdue || clocks.resolution.overdue,
    breached: complaint.breached,
    clocks,
    rating: complaint.rating,
    updatedAt: complaint.updatedAt,
  };
};

export const complaintViewRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const { views, clock } = services;

    app.get(
      '/views/complaints',
      {
        config: { allow: PERMISSIONS.readComplaints },
        schema: {
          tags: ['views', 'complaints'],
          summary: 'Complaints with their clocks as they read now, filtered and sorted, a page at a time',
          description:
            'overdue=true lists complaints with a clock past its due time and not yet stopped; breached=true those with a clock that ran out before it stopped (now or before). from (inclusive) and to (exclusive) bound filedAt, as a date (its first instant in the company zone, Asia/Shanghai) or an instant. sort: due | -due (by the earliest due time of a clock still running; complaints with none come last) | age (oldest first) | -age. Pass nextCursor back as cursor for the next page.',
          querystring: z
            .object({
              status: ComplaintStatus.optional(),
              severity: ComplaintSeverity.optional(),
              category: ComplaintCategory.optional(),
              assigneeId: ShortText(200).optional(),
              customerId: Uuid.optional(),
              sellerId: ShortText(200).optional(),
              sku: ShortText(100).optional(),
              overdue: Flag.optional(),
              breached: Flag.optional(),
              from: PeriodBound.optional(),
              to: PeriodBound.optional(),
              sort: z.enum(['due', '-due', 'age', '-age']).default('due'),
              ...PageQuery,
            })
            .strict()
            .refine(fromBeforeTo, FROM_BEFORE_TO),
          response: { 200: z.object({ items: z.array(ComplaintItem), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const { status, severity, category, assigneeId, customerId, sellerId, sku, overdue, breached, from, to, sort, limit, cursor, after } = request.query;
        await awaitPosition(services, request, [COMPLAINTS], after);
        const now = clock.now();
        const where: NonNullable<FindQuery['where']> = {};
        if (status) where.status = status;
        if (severity) where.severity = severity;
        if (category) where.category = category;
        if (assigneeId) where.assigneeId = assigneeId;
        if (customerId) where.customerId = customerId;
        if (sellerId) where.sellerId = sellerId;
        if (sku) where.sku = sku;
        if (breached) where.breached = breached === 'true';
        // A complaint is overdue while a clock not yet stopped is past its due time; dueOrder holds the earliest, or a time after every other.
        if (overdue) where.dueOrder = overdue === 'true' ? { lte: now } : { gt: now };
        if (from || to) where.filedAt = { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } satisfies RangeCondition;
        const page = await views.find(COMPLAINTS, COMPLAINT_LIST.collection, { where, orderBy: COMPLAINT_LIST.sorts[sort], limit, ...(cursor ? { cursor } : {}) });
        return { items: (page.items as ComplaintView[]).map((complaint) => itemOf(complaint, now)), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/views/complaints/sla',
      {
        config: { allow: PERMISSIONS.readComplaints },
        schema: {
          tags: ['views', 'complaints'],
          summary: 'Service levels met over the complaints filed in a period: response and resolution times, breach and reopen rates, satisfaction and NPS',
          description:
            'from (inclusive) and to (exclusive) are required, each a date (its first instant in the company zone, Asia/Shanghai) or an instant, from before to. Times are counted minutes (working hours for complaints whose severity counts in business hours, every minute for those round the clock; time waiting on the customer left out), median and 90th percentile (nearest rank) over the clocks that stopped. breachRate is breached over every complaint of the set; reopenRate is reopened over resolved. csat is the average of 1-5 and its distribution; nps.score is promoters (9-10) less detractors (0-6), in points. groupBy: severity | category | sku | assignee | region.',
          querystring: z
            .object({ from: PeriodBound, to: PeriodBound, groupBy: z.enum(SLA_GROUPS).optional(), after: PageQuery.after })
            .strict()
            .refine(fromBeforeTo, FROM_BEFORE_TO),
          response: { 200: SlaReport },
        },
      },
      async (request) => {
        const { from, to, groupBy, after } = request.query;
        await awaitPosition(services, request, [COMPLAINTS], after);
        return complaintSlaReport(views, { from, to }, groupBy ?? null);
      },
    );

    app.get(
      '/views/complaints/:id',
      {
        config: { allow: PERMISSIONS.readComplaints },
        schema: {
          tags: ['views', 'complaints'],
          summary: 'One complaint: its timeline and its clocks as they read now (due, paused, breached, elapsed minutes)',
          description:
            "The reporter is revealed to roles whose work needs it (the read is logged with the X-Access-Reason header), [withheld] for others, and [erased] once the customer's personal data was erased.",
          params: IdParams,
          querystring: z.object({ after: PageQuery.after }).strict(),
          response: { 200: ComplaintDetail },
        },
      },
      async (request) => {
        await awaitPosition(services, request, [COMPLAINTS], request.query.after);
        const complaint = (await views.get(COMPLAINTS, COMPLAINT_DOCS, request.params.id)) as ComplaintView | null;
        if (!complaint) throw new NotFound('Complaint', request.params.id);
        const { detail, reporter, calendar, serviceLevel, proposal, outcome, resolvedCount, reopenCount, closedAt, timeline } = complaint;
        return {
          ...itemOf(complaint, clock.now()),
          detail,
          reporter: reporter && (await revealPersonalData(services, request, complaint.customerId, reporter)),
          calendar,
          serviceLevel,
          proposal,
          outcome,
          resolvedCount,
          reopenCount,
          closedAt,
          timeline,
        };
      },
    );
  };
