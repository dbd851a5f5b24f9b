import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePolicyInForce } from '../../application/policy/policyInForce.js';
import { PERMISSIONS } from '../../application/roles.js';
import { attainmentBps, roundHalfUp } from '../../domain/incentive/arithmetic.js';
import { Money } from '../../domain/shared/money.js';
import { Period } from '../../domain/shared/period.js';
import { ATTAINMENT, ATTAINMENT_DOCS, type AttainmentView, type ByCurrency } from '../../projections/attainment/attainmentProjection.js';
import { INCENTIVES, PLAN_DOCS, type PlanView } from '../../projections/incentives/incentivesProjection.js';
import { forecast } from '../../projections/pipeline/forecast.js';
import { EXACT_TOTALS_SINCE, OWNER_STAGE_TOTALS, PIPELINE, type StageTotalView } from '../../projections/pipeline/pipelineProjection.js';
import { REP_DOCS, REPS, type RepView } from '../../projections/reps/repsProjection.js';
import { HttpProblem } from '../problems.js';
import { awaitPosition } from '../readYourWrites.js';
import { ownerFilter } from '../sellerScope.js';
import { AfterPosition } from '../schemas.js';
import type { ApiServices } from '../services.js';

const AttainmentRow = z.object({
  subjectKind: z.enum(['rep', 'team', 'region']),
  subjectId: z.string(),
  rank: z.number().int().nullable(),
  team: z.string().nullable(),
  target: Money.nullable(),
  booked: Money.nullable(),
  collected: Money.nullable(),
  grossMargin: Money.nullable(),
  /** 8325 is 83.25% */
  attainmentBps: z.number().int().nullable(),
  newCustomers: z.object({ target: z.number().int().nullable(), reached: z.number().int() }),
  weightedPipeline: Money.nullable(),
  pipelineCoverage: z.number().nullable(),
  repTargetsTotal: Money.nullable(),
  withheld: z.boolean(),
});
type Row = z.infer<typeof AttainmentRow>;

const inCurrency = (sums: ByCurrency, currency: string): Money => ({ minor: sums[currency] ?? 0, currency });

export const attainmentRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const { views, eventStore, clock } = services;

    /** The open pipeline of some owners, weighed by the stage probabilities in force, in one currency. */
    const weightedPipeline = async (owners: readonly string[], currency: string, probabilities: Parameters<typeof forecast>[1]): Promise<bigint> => {
      if (owners.length === 0) return 0n;
      const totals = (await views.all(PIPELINE, OWNER_STAGE_TOTALS, { where: { ownerId: { in: owners } }, sinceVersion: EXACT_TOTALS_SINCE })) as StageTotalView[];
      const inOne = totals.filter((t) => t.currency === currency).map((t) => ({ stage: t.stage, currency: t.currency, count: t.count, totalMinor: BigInt(t.totalMinor) }));
      return forecast(inOne, probabilities).weighted.find((w) => w.currency === currency)?.minor ?? 0n;
    };

    app.get(
      '/views/attainment',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views', 'incentives'],
          summary: 'Attainment per rep, team or region for a period: target, booked, collected, percentage, pipeline coverage; reps ranked (the leaderboard)',
          description:
            "booked: orders placed in the period less those cancelled, credited to the seller who owned the deal when it was ordered, their team then, and the customer's region; collected: payments less refunds by the day they moved; attainment is booked against the bookings target, in the target's currency. pipelineCoverage = open pipeline weighed by the policy's stage probabilities / (target - booked); null when the target is met or there is none, and for regions. A team's target is its own figure, set for the team: it need not equal the sum of its reps' targets, which repTargetsTotal shows beside it. A sales rep sees only their own row; a sales manager their reps' and their team's; analysts see each rep's attainment but not the amounts, unless the rep's plan makes its results public (withheld).",
          querystring: z.object({ period: Period, groupBy: z.enum(['rep', 'team', 'region']).default('rep'), after: AfterPosition }).strict(),
          response: { 200: z.object({ period: z.string(), groupBy: z.string(), policyRevision: z.number().int(), items: z.array(AttainmentRow) }) },
        },
      },
      async (request) => {
        const { period, groupBy, after } = request.query;
        await awaitPosition(services, request, [ATTAINMENT, PIPELINE], after);
        const { role, id: actorId } = request.actor;
        const scope = await ownerFilter(services, request, undefined);
        const ownTeam = role === 'sales_manager' ? ((await views.get(REPS, REP_DOCS, actorId)) as RepView | null)?.team : undefined;
        if (role === 'sales_rep' && groupBy !== 'rep') throw new HttpProblem(403, 'forbidden', 'Not allowed: outside your records', 'A sales rep sees their own attainment only: groupBy=rep');
        if (role === 'sales_manager' && groupBy === 'region') throw new HttpProblem(403, 'forbidden', 'Not allowed: outside your records', "A sales manager sees their reps' and their team's attainment");
        const policy = await requirePolicyInForce(eventStore, clock.now());
        const docs = (await views.all(ATTAINMENT, ATTAINMENT_DOCS, { where: { period, subjectKind: groupBy } })) as AttainmentView[];
        const visible = docs.filter((doc) => {
          if (scope === undefined) return true;
          if (groupBy === 'team') return doc.subjectId === ownTeam;
          return typeof scope === 'string' ? doc.subjectId === scope : scope.in.includes(doc.subjectId);
        });
        const reps = (await views.all(REPS, REP_DOCS)) as RepView[];
        const repDocs = groupBy === 'team' ? ((await views.all(ATTAINMENT, ATTAINMENT_DOCS, { where: { period, subjectKind: 'rep' } })) as AttainmentView[]) : [];
        const publicReps = new Set<string>();
        const publicTeams = new Set<string>();
        if (role === 'analyst') {
          for (const plan of (await views.all(INCENTIVES, PLAN_DOCS)) as PlanView[]) {
            if (!plan.publicResults) continue;
            plan.appliesTo.reps.forEach((rep) => publicReps.add(rep));
            plan.appliesTo.teams.forEach((team) => publicTeams.add(team));
          }
        }
        const rows: Row[] = [];
        for (const doc of visible) {
          const target = doc.targets.bookings ?? null;
          const currency = target?.currency ?? Object.keys(doc.booked)[0] ?? 'CNY';
          const booked = inCurrency(doc.booked, currency);
          const members = groupBy === 'rep' ? [doc.subjectId] : groupBy === 'team' ? reps.filter((rep) => rep.team === doc.subjectId).map((rep) => rep.id) : [];
          const weighted = groupBy === 'region' ? null : await weightedPipeline(members, currency, policy.stageProbabilities);
          const remaining = target ? BigInt(target.minor) - BigInt(booked.minor) : null;
          const coverage = weighted !== null && remaining !== null && remaining > 0n ? Number(roundHalfUp(weighted * 100n, remaining)) / 100 : null;
          const repTargets = groupBy === 'team' ? repDocs.filter((r) => r.team === doc.subjectId && r.targets.bookings?.currency === currency).map((r) => r.targets.bookings!.minor) : [];
          const withheld = role === 'analyst' && groupBy === 'rep' && !publicReps.has(doc.subjectId) && !(doc.team !== null && publicTeams.has(doc.team));
          rows.push({
            subjectKind: doc.subjectKind,
            subjectId: doc.subjectId,
            rank: null,
            team: doc.team,
            target: withheld ? null : target,
            booked: withheld ? null : booked,
            collected: withheld ? null : inCurrency(doc.collected, currency),
            grossMargin: withheld ? null : inCurrency(doc.grossMargin, currency),
            attainmentBps: target ? attainmentBps(BigInt(booked.minor), BigInt(target.minor)) : null,
            newCustomers: { target: doc.targets.new_customers ?? null, reached: doc.newCustomers },
            weightedPipeline: withheld || weighted === null ? null : { minor: Number(weighted), currency },
            pipelineCoverage: withheld ? null : coverage,
            repTargetsTotal: groupBy === 'team' ? { minor: repTargets.reduce((sum, minor) => sum + minor, 0), currency } : null,
            withheld,
          });
        }
        rows.sort((a, b) => (b.attainmentBps ?? -1) - (a.attainmentBps ?? -1) || a.subjectId.localeCompare(b.subjectId));
        const ranked = rows.map((row, index) => ({ ...row, rank: row.attainmentBps === null ? null : index + 1 }));
        return { period, groupBy, policyRevision: policy.revision, items: ranked };
      },
    );
  };
