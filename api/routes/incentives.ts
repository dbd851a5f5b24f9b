import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFound } from '../../application/errors.js';
import type { FindQuery, InCondition } from '../../application/ports/readStore.js';
import { PERMISSIONS } from '../../application/roles.js';
import { DisputeOutcome } from '../../domain/incentive/dispute.js';
import { ApprovalStep } from '../../domain/incentive/statement.js';
import { ComputedStatement, StatementLine } from '../../domain/incentive/statementLine.js';
import { Money } from '../../domain/shared/money.js';
import { Period } from '../../domain/shared/period.js';
import { HOLD_DOCS, INCENTIVES, STATEMENT_DOCS, type HoldView, type StatementView } from '../../projections/incentives/incentivesProjection.js';
import { FINDING_DOCS, FINDINGS, type FindingView } from '../../projections/findings/findingsProjection.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, sendCommandResult } from '../commands.js';
import { HttpProblem } from '../problems.js';
import { awaitPosition } from '../readYourWrites.js';
import { ownerFilter } from '../sellerScope.js';
import { AfterPosition, IdParams, Reason, ShortText } from '../schemas.js';
import type { ApiServices } from '../services.js';

const StatementItem = z.object({
  id: z.string(),
  repId: z.string(),
  period: z.string(),
  team: z.string(),
  managerId: z.string().nullable(),
  planId: z.string(),
  planRevision: z.number().int(),
  currency: z.string(),
  cutPosition: z.number().int(),
  target: Money.nullable(),
  measureTotal: Money,
  attainmentBps: z.number().int().nullable(),
  lines: z.array(StatementLine),
  total: Money,
  payable: Money,
  status: z.enum(['calculated', 'granted']),
  approvals: z.array(z.object({ step: ApprovalStep, by: z.string(), at: z.string() })),
  granted: Money.nullable(),
  disputes: z.array(
    z.object({ id: z.string(), lineId: z.string(), reason: z.string(), status: z.enum(['open', 'upheld', 'rejected']), amount: Money.nullable(), resolution: z.string().nullable() }),
  ),
  calculatedAt: z.string(),
  updatedAt: z.string(),
});

const LineDiff = z.object({ lineId: z.string(), recorded: StatementLine, recomputed: StatementLine });

const SCOPE_NOTE = "A sales rep sees their own, a sales manager their team's (another rep's is 403); finance, auditors and admins see all.";

/** The reps whose incentives a caller may see: undefined for all; a rep themselves, a manager their team (article 36). */
const repScope = (services: ApiServices, request: FastifyRequest, repId: string | undefined): Promise<string | InCondition | undefined> => ownerFilter(services, request, repId);

export const incentiveRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const {
      commands: { incentives },
      views,
    } = services;

    app.post(
      '/incentives/periods/:period/close',
      {
        config: { allow: PERMISSIONS.runIncentives },
        schema: {
          tags: ['incentives'],
          summary: "Close an incentive period: compute every paid rep's statement from the log and record it (finance)",
          description:
            "Only once the period's last company day has ended (INC-21), in order and never over days a closed period paid (INC-22). Records the log position the statements read (cutPosition), then one statement per rep a plan pays on the period's last day, each line naming the event it rests on by stream, revision and hash. A second close of a closed period is refused (INC-20); a close cut short by a crash (the period recorded, a statement missing) is finished by closing again, each statement's id derived from the period and the rep.",
          params: z.object({ period: Period }).strict(),
          body: z.object({}).strict().default({}),
          response: {
            200: commandResponses[200].extend({ period: z.string(), cutPosition: z.number().int(), statements: z.array(z.object({ statementId: z.string(), repId: z.string() })) }),
          },
        },
      },
      async (request, reply) => {
        const { period } = request.params;
        const closed = await incentives.close(period, commandEnvelope(request));
        return sendCommandResult(reply, period, closed.result, 200, {
          period,
          cutPosition: closed.cutPosition,
          statements: closed.statements.map(({ statementId, repId }) => ({ statementId, repId })),
        });
      },
    );

    app.get(
      '/incentives/statements',
      {
        config: { allow: PERMISSIONS.readStatements },
        schema: {
          tags: ['incentives'],
          summary: 'Incentive statements, by rep and period, with every line and the event it rests on',
          description: SCOPE_NOTE,
          querystring: z.object({ repId: ShortText(200).optional(), period: Period.optional(), after: AfterPosition }).strict(),
          response: { 200: z.object({ items: z.array(StatementItem) }) },
        },
      },
      async (request) => {
        const { repId, period, after } = request.query;
        await awaitPosition(services, request, [INCENTIVES], after);
        const reps = await repScope(services, request, repId);
        const where: NonNullable<FindQuery['where']> = {};
        if (reps !== undefined) where.repId = reps;
        if (period) where.period = period;
        return { items: (await views.all(INCENTIVES, STATEMENT_DOCS, { where })) as StatementView[] };
      },
    );

    app.get(
      '/incentives/statements/:id',
      {
        config: { allow: PERMISSIONS.readStatements },
        schema: { tags: ['incentives'], summary: 'One incentive statement', description: SCOPE_NOTE, params: IdParams, querystring: z.object({ after: AfterPosition }).strict(), response: { 200: StatementItem } },
      },
      async (request) => {
        await awaitPosition(services, request, [INCENTIVES], request.query.after);
        const statement = (await views.get(INCENTIVES, STATEMENT_DOCS, request.params.id)) as StatementView | null;
        if (!statement) throw new NotFound('Incentive statement', request.params.id);
        await repScope(services, request, statement.repId);
        return statement;
      },
    );

    const action = actionRoutes(app, { tags: ['incentives'] });

    action('/incentives/statements/:id/approve', {
      config: { allow: PERMISSIONS.approveStatements },
      summary: "Approve a statement: the rep's manager's step, then finance's; the second grants it (IncentiveGranted)",
      description:
        "step defaults to manager for a sales manager, finance for finance, and the step still open for an admin. No one approves their own statement (INC-32); the manager's step is the rep's manager's or an admin's (INC-33); finance's step is finance's or an admin's, never the rep's own manager's (INC-34); the two steps are two people (INC-35).",
      body: z.object({ step: ApprovalStep.optional() }).strict().default({}),
      handle: (id, { step }, envelope) => incentives.approve(id, step, envelope),
    });

    app.post(
      '/incentives/statements/:id/dispute',
      {
        config: { allow: PERMISSIONS.disputeStatements },
        schema: {
          tags: ['incentives'],
          summary: 'Dispute a line of your own statement, saying why (INC-40, INC-41); one dispute per line',
          params: IdParams,
          body: z.object({ lineId: ShortText(300), reason: Reason }).strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { disputeId, result } = await incentives.dispute(request.params.id, request.body, commandEnvelope(request));
        return sendCommandResult(reply, disputeId, result, 201);
      },
    );

    action('/incentives/disputes/:id/resolve', {
      config: { allow: PERMISSIONS.runIncentives },
      summary: "Resolve a dispute (finance): upheld with the amount owed, which lands on the rep's next statement as an adjustment, or rejected",
      body: z.object({ outcome: DisputeOutcome, amount: Money.optional(), reason: Reason }).strict(),
      handle: (id, resolution, envelope) => incentives.resolve(id, resolution, envelope),
    });

    app.post(
      '/incentives/recompute',
      {
        config: { allow: PERMISSIONS.readStatements },
        schema: {
          tags: ['incentives'],
          summary: "Recompute a rep's statement from the log and compare it with the recorded one; appends nothing",
          description: `Reads the log to the position the close read and computes the statement again, under the plan revision it was computed under or, for finance, auditors and admins, under another revision of the same plan (a what-if). Answers both statements and the difference, line by line (added, removed, changed), and whether they are identical. ${SCOPE_NOTE}`,
          body: z.object({ repId: ShortText(200), period: Period, planRevision: z.number().int().positive().optional() }).strict(),
          response: {
            200: z.object({
              recorded: ComputedStatement,
              recomputed: ComputedStatement,
              diff: z.object({ added: z.array(StatementLine), removed: z.array(StatementLine), changed: z.array(LineDiff), total: z.object({ recorded: Money, recomputed: Money }), identical: z.boolean() }),
            }),
          },
        },
      },
      async (request) => {
        const { repId, period, planRevision } = request.body;
        if (planRevision !== undefined && !(PERMISSIONS.whatIf as readonly string[]).includes(request.actor.role)) {
          throw new HttpProblem(403, 'forbidden', 'Not allowed', `A ${request.actor.role} recomputes a statement under its own plan revision only`);
        }
        await repScope(services, request, repId);
        return incentives.recompute(repId, period, planRevision);
      },
    );

    app.get(
      '/views/incentives/payouts',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views', 'incentives'],
          summary: 'The payout ledger of a period: each statement, what it pays and whether it is granted, with the totals',
          description: `Totals per currency of what the period's statements pay and what was granted. ${SCOPE_NOTE} Analysts and compliance see the totals only.`,
          querystring: z.object({ period: Period, after: AfterPosition }).strict(),
          response: {
            200: z.object({
              period: z.string(),
              items: z.array(z.object({ statementId: z.string(), repId: z.string(), team: z.string(), payable: Money, status: z.enum(['calculated', 'granted']), granted: Money.nullable() })).nullable(),
              totals: z.array(z.object({ currency: z.string(), payable: z.number().int(), granted: z.number().int(), statements: z.number().int() })),
            }),
          },
        },
      },
      async (request) => {
        const { period, after } = request.query;
        await awaitPosition(services, request, [INCENTIVES], after);
        const perRep = (PERMISSIONS.readStatements as readonly string[]).includes(request.actor.role);
        const reps = perRep ? await repScope(services, request, undefined) : undefined;
        const statements = (await views.all(INCENTIVES, STATEMENT_DOCS, { where: { period, ...(reps !== undefined ? { repId: reps } : {}) } })) as StatementView[];
        const totals = new Map<string, { currency: string; payable: number; granted: number; statements: number }>();
        for (const s of statements) {
          const total = totals.get(s.currency) ?? { currency: s.currency, payable: 0, granted: 0, statements: 0 };
          totals.set(s.currency, { ...total, payable: total.payable + s.payable.minor, granted: total.granted + (s.granted?.minor ?? 0), statements: total.statements + 1 });
        }
        return {
          period,
          items: perRep ? statements.map((s) => ({ statementId: s.id, repId: s.repId, team: s.team, payable: s.payable, status: s.status, granted: s.granted })) : null,
          totals: [...totals.values()],
        };
      },
    );

    app.get(
      '/views/incentives/holds',
      {
        config: { allow: PERMISSIONS.readStatements },
        schema: {
          tags: ['views', 'incentives'],
          summary: 'Earnings held on statements for open findings, each with its findings as they stand now, and whether a later statement released it',
          description: `A hold is released by the first statement closed after every finding it waits on is remediated, waived or closed. ${SCOPE_NOTE}`,
          querystring: z.object({ repId: ShortText(200).optional(), released: z.enum(['true', 'false']).optional(), after: AfterPosition }).strict(),
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  statementId: z.string(),
                  lineId: z.string(),
                  repId: z.string(),
                  period: z.string(),
                  orderId: z.string(),
                  amount: Money,
                  released: z.boolean(),
                  releasedBy: z.string().nullable(),
                  findings: z.array(z.object({ id: z.string(), severity: z.string(), status: z.string(), ruleId: z.string() })),
                  releasable: z.boolean(),
                }),
              ),
            }),
          },
        },
      },
      async (request) => {
        const { repId, released, after } = request.query;
        await awaitPosition(services, request, [INCENTIVES, FINDINGS], after);
        const reps = await repScope(services, request, repId);
        const holds = (await views.all(INCENTIVES, HOLD_DOCS, {
          where: { ...(reps !== undefined ? { repId: reps } : {}), ...(released !== undefined ? { released: released === 'true' } : {}) },
        })) as HoldView[];
        const items = [];
        for (const hold of holds) {
          const findings = (await Promise.all(hold.findingIds.map((id) => views.get(FINDINGS, FINDING_DOCS, id)))).filter((f): f is FindingView => f !== null);
          items.push({
            statementId: hold.statementId,
            lineId: hold.lineId,
            repId: hold.repId,
            period: hold.period,
            orderId: hold.orderId,
            amount: hold.amount,
            released: hold.released,
            releasedBy: hold.releasedBy,
            findings: findings.map((f) => ({ id: f.id, severity: f.severity, status: f.status, ruleId: f.ruleId })),
            releasable: !hold.released && findings.every((f) => f.status !== 'raised' && f.status !== 'acknowledged'),
          });
        }
        return { items };
      },
    );
  };
