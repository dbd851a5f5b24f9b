import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFound } from '../../application/errors.js';
import { PERMISSIONS } from '../../application/roles.js';
import { CreditOn, Measure, TierMode } from '../../domain/incentive/plan.js';
import { Severity } from '../../domain/policy/policy.js';
import { companyDay } from '../../domain/shared/calendar.js';
import { Money } from '../../domain/shared/money.js';
import { INCENTIVES, PLAN_DOCS, type PlanView } from '../../projections/incentives/incentivesProjection.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { awaitPosition } from '../readYourWrites.js';
import { AfterPosition, CalendarDay, IdParams, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const Currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code in capitals, such as CNY');
/** A percentage is a number (5 is 5%); whether it is possible (a rate above 100%, more than two decimals) is the plan's rule INC-07, answered by name. */
const Pct = z.number();

const RevisionBody = z
  .object({
    effectiveFrom: CalendarDay,
    creditOn: CreditOn,
    measure: Measure,
    tierMode: TierMode,
    tiers: z.array(z.object({ fromPct: Pct, toPct: Pct.optional(), ratePct: Pct }).strict()).min(1).max(20),
    cap: Money.optional(),
    spiffs: z.array(z.object({ sku: ShortText(100), amountPerUnit: Money, from: CalendarDay, to: CalendarDay }).strict()).max(100).default([]),
    discountPenalty: z.object({ abovePct: Pct, reducePct: Pct }).strict().optional(),
    compliance: z
      .object({
        holdSeverities: z.array(Severity).max(4).default([]),
        deduct: z.partialRecord(Severity, z.object({ amount: Money.optional(), pct: Pct.optional() }).strict()).default({}),
      })
      .strict()
      .default({ holdSeverities: [], deduct: {} }),
    clawbackDays: z.number().int(),
    changeNote: z.string().trim().max(2000).optional(),
  })
  .strict();

const RevisionItem = z.object({
  planId: z.string(),
  revision: z.number().int(),
  effectiveFrom: z.string(),
  creditOn: CreditOn,
  measure: Measure,
  tierMode: TierMode,
  tiers: z.array(z.object({ fromPct: z.number(), toPct: z.number().optional(), ratePct: z.number() })),
  cap: Money.optional(),
  spiffs: z.array(z.object({ sku: z.string(), amountPerUnit: Money, from: z.string(), to: z.string() })),
  discountPenalty: z.object({ abovePct: z.number(), reducePct: z.number() }).optional(),
  compliance: z.object({ holdSeverities: z.array(Severity), deduct: z.partialRecord(Severity, z.object({ amount: Money.optional(), pct: z.number().optional() })) }),
  clawbackDays: z.number().int(),
  changeNote: z.string().optional(),
  publishedBy: z.string(),
  inForce: z.boolean(),
});

export const incentivePlanRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const {
      commands: { incentivePlans },
      views,
      clock,
    } = services;

    app.post(
      '/incentive-plans',
      {
        config: { allow: PERMISSIONS.runIncentives },
        schema: {
          tags: ['incentives'],
          summary: 'Create an incentive plan: its name, currency, whom it pays and the days it pays for (finance)',
          description:
            'appliesTo names teams and reps; a plan naming a rep outright pays them rather than one naming their team. from (default today) and to (exclusive, open when absent) are company days. No team or rep may be named by two plans whose windows overlap (INC-03). publicResults lets analysts see each rep\'s amounts in the attainment view. The rules come in revisions: POST /incentive-plans/{id}/revisions.',
          body: z
            .object({
              id: Uuid.optional(),
              name: ShortText(200),
              currency: Currency,
              appliesTo: z.object({ teams: z.array(ShortText(200)).max(100).optional(), reps: z.array(ShortText(200)).max(500).optional() }).strict(),
              from: CalendarDay.optional(),
              to: CalendarDay.optional(),
              publicResults: z.boolean().optional(),
            })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const planId = newStreamId(request, request.body.id);
        const { id: _id, from, to, publicResults, ...plan } = request.body;
        const window = { from: from ?? companyDay(clock.now()), ...(to !== undefined ? { to } : {}) };
        const result = await incentivePlans.create({ planId, ...plan, window, ...(publicResults !== undefined ? { publicResults } : {}) }, commandEnvelope(request));
        return sendCommandResult(reply, planId, result, 201);
      },
    );

    app.post(
      '/incentive-plans/:id/revisions',
      {
        config: { allow: PERMISSIONS.runIncentives },
        schema: {
          tags: ['incentives'],
          summary: "Publish a revision of a plan's rules, in force from a company day (finance)",
          description:
            'creditOn: order_completed (the order completed credits its total) or payment_received (each payment credits its amount). measure: bookings, or gross_margin (price less the unit cost the catalog had when ordered). tiers by attainment of the rep\'s target for the period and the measure: a tier runs from above fromPct up to and including toPct, from 0% upward without gaps, the last open-ended (INC-06); marginal pays each slice at its own rate, retroactive pays all at the rate of the tier reached. Rates from 0 to 100, at most two decimals (INC-07). cap: the most the deals of a period earn. spiffs: an amount per unit of a sku ordered between from and to, both included. discountPenalty: a deal more than abovePct off list earns reducePct less commission. compliance: a deal with an open finding of a holdSeverities severity is held until the finding is remediated or waived; each remediated finding of the rep deducts an amount and/or a percentage of the period\'s commission, per severity. clawbackDays: a deal cancelled or refunded within so many days after it was credited gives back what it earned. Amounts in the plan\'s currency (INC-08); effectiveFrom not in the past, within the plan\'s window and not before the revision before (INC-09).',
          params: IdParams,
          body: RevisionBody,
          response: { 201: commandResponses[201].extend({ revisionNumber: z.number().int() }) },
        },
      },
      async (request, reply) => {
        const { changeNote, ...rules } = request.body;
        const result = await incentivePlans.publishRevision(request.params.id, { ...rules, ...(changeNote ? { changeNote } : {}) }, commandEnvelope(request));
        const [published] = await services.eventStore.readStream(result.streamId, { fromRevision: result.revision, maxCount: 1 });
        return sendCommandResult(reply, request.params.id, result, 201, { revisionNumber: (published?.data as { revision: number }).revision });
      },
    );

    const revisionsOf = async (planId: string, after: number | undefined, request: Parameters<typeof awaitPosition>[1]) => {
      await awaitPosition(services, request, [INCENTIVES], after);
      const plan = (await views.get(INCENTIVES, PLAN_DOCS, planId)) as PlanView | null;
      if (!plan) throw new NotFound('Incentive plan', planId);
      const today = companyDay(clock.now());
      const current = plan.revisions.filter((revision) => revision.effectiveFrom <= today).at(-1)?.revision;
      return plan.revisions.map((revision) => ({ ...revision, inForce: revision.revision === current }));
    };

    app.get(
      '/incentive-plans/:id/revisions',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['incentives'],
          summary: "A plan's revisions, oldest first, each marked whether it is in force today: the published rules every statement is computed by",
          params: IdParams,
          querystring: z.object({ after: AfterPosition }).strict(),
          response: { 200: z.object({ items: z.array(RevisionItem) }) },
        },
      },
      async (request) => ({ items: await revisionsOf(request.params.id, request.query.after, request) }),
    );

    app.get(
      '/incentive-plans/:id/revisions/:n',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['incentives'],
          summary: 'One revision of a plan',
          params: z.object({ id: Uuid, n: z.coerce.number().int().positive() }).strict(),
          querystring: z.object({ after: AfterPosition }).strict(),
          response: { 200: RevisionItem },
        },
      },
      async (request) => {
        const revision = (await revisionsOf(request.params.id, request.query.after, request)).find((r) => r.revision === request.params.n);
        if (!revision) throw new NotFound('Incentive plan revision', `${request.params.id} revision ${request.params.n}`);
        return revision;
      },
    );
  };
