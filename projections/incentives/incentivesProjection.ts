import type { Document } from '../../application/ports/readStore.js';
import type { IncentiveDisputeEvent } from '../../domain/incentive/dispute.js';
import type { IncentivePlanEvent, PlanRevision } from '../../domain/incentive/plan.js';
import type { ApprovalStep, IncentiveStatementEvent } from '../../domain/incentive/statement.js';
import type { StatementLine } from '../../domain/incentive/statementLine.js';
import type { Money } from '../../domain/shared/money.js';
import type { DocumentRef, Projection } from '../projection.js';

export const INCENTIVES = 'incentives';
export const PLAN_DOCS = 'incentive_plans';
export const STATEMENT_DOCS = 'incentive_statements';
export const HOLD_DOCS = 'incentive_holds';

export type PlanView = Document & {
  name: string;
  currency: string;
  appliesTo: { teams: string[]; reps: string[] };
  window: { from: string; to?: string };
  publicResults: boolean;
  revisions: PlanRevision[];
  createdAt: string;
};

export type DisputeEntry = { id: string; lineId: string; reason: string; status: 'open' | 'upheld' | 'rejected'; amount: Money | null; resolution: string | null };

export type StatementView = Document & {
  repId: string;
  period: string;
  team: string;
  managerId: string | null;
  planId: string;
  planRevision: number;
  currency: string;
  cutPosition: number;
  target: Money | null;
  measureTotal: Money;
  attainmentBps: number | null;
  lines: StatementLine[];
  total: Money;
  payable: Money;
  payableMinor: number;
  status: 'calculated' | 'granted';
  approvals: { step: ApprovalStep; by: string; at: string }[];
  granted: Money | null;
  disputes: DisputeEntry[];
  calculatedAt: string;
  updatedAt: string;
};

/** A deal's earnings withheld on a statement for open findings, until a later statement releases them. */
export type HoldView = Document & {
  statementId: string;
  lineId: string;
  repId: string;
  managerId: string | null;
  period: string;
  orderId: string;
  amount: Money;
  findingIds: string[];
  released: boolean;
  releasedBy: string | null;
};

const holdId = (statementId: string, lineId: string) => `${statementId}/${lineId}`;

type Handled = IncentivePlanEvent['type'] | IncentiveStatementEvent['type'] | IncentiveDisputeEvent['type'];

/** Plans with their revisions; statements with their lines, approvals and disputes; holds until released. */
export const incentivesProjection: Projection<Handled> = {
  name: INCENTIVES,
  version: 1,
  collections: [
    { name: PLAN_DOCS, indexes: { currency: 'string' } },
    { name: STATEMENT_DOCS, indexes: { repId: 'string', period: 'string', managerId: 'string', team: 'string', status: 'string', payableMinor: 'number' } },
    { name: HOLD_DOCS, indexes: { repId: 'string', managerId: 'string', period: 'string', released: 'boolean' } },
  ],
  handles: [
    'IncentivePlanCreated',
    'IncentivePlanRevisionPublished',
    'IncentiveCalculated',
    'IncentiveClawedBack',
    'IncentiveStatementApproved',
    'IncentiveGranted',
    'IncentiveLineDisputed',
    'IncentiveDisputeResolved',
  ],
  documentsFor: (event): DocumentRef[] => {
    switch (event.type) {
      case 'IncentivePlanCreated':
      case 'IncentivePlanRevisionPublished':
        return [{ collection: PLAN_DOCS, id: event.data.planId }];
      case 'IncentiveCalculated':
        return event.data.lines.flatMap((line) => (line.releases ? [{ collection: HOLD_DOCS, id: holdId(line.releases.statementId, line.releases.lineId) }] : []));
      default:
        return [{ collection: STATEMENT_DOCS, id: event.data.statementId }];
    }
  },
  apply(event, view) {
    const at = new Date(String(event.metadata.occurredAt)).toISOString();
    switch (event.type) {
      case 'IncentivePlanCreated': {
        const { planId, name, currency, appliesTo, window, publicResults } = event.data;
        const plan: PlanView = { id: planId, name, currency, appliesTo, window, publicResults, revisions: [], createdAt: at };
        view.put(PLAN_DOCS, plan);
        return;
      }
      case 'IncentivePlanRevisionPublished': {
        const plan = view.get(PLAN_DOCS, event.data.planId) as PlanView | null;
        if (plan) view.put(PLAN_DOCS, { ...plan, revisions: [...plan.revisions, event.data] });
        return;
      }
      case 'IncentiveCalculated': {
        const { statementId, repId, period, team, managerId, planId, planRevision, currency, cutPosition, target, measureTotal, attainmentBps, lines, total, payable } = event.data;
        const statement: StatementView = {
          id: statementId,
          repId,
          period,
          team,
          managerId: managerId ?? null,
          planId,
          planRevision: planRevision.revision,
          currency,
          cutPosition,
          target: target?.amount ?? null,
          measureTotal,
          attainmentBps: attainmentBps ?? null,
          lines,
          total,
          payable,
          payableMinor: payable.minor,
          status: 'calculated',
          approvals: [],
          granted: null,
          disputes: [],
          calculatedAt: at,
          updatedAt: at,
        };
        view.put(STATEMENT_DOCS, statement);
        for (const line of lines) {
          if (line.kind === 'hold' && line.orderId !== undefined) {
            const hold: HoldView = {
              id: holdId(statementId, line.lineId),
              statementId,
              lineId: line.lineId,
              repId,
              managerId: managerId ?? null,
              period,
              orderId: line.orderId,
              amount: { minor: -line.amount.minor, currency: line.amount.currency },
              findingIds: line.findingIds ?? [],
              released: false,
              releasedBy: null,
            };
            view.put(HOLD_DOCS, hold);
          }
          if (line.releases) {
            const held = view.get(HOLD_DOCS, holdId(line.releases.statementId, line.releases.lineId)) as HoldView | null;
            if (held) view.put(HOLD_DOCS, { ...held, released: true, releasedBy: statementId });
          }
        }
        return;
      }
      default:
        break;
    }
    const statement = view.get(STATEMENT_DOCS, event.data.statementId) as StatementView | null;
    if (!statement) return;
    const put = (changes: Partial<StatementView>) => view.put(STATEMENT_DOCS, { ...statement, ...changes, updatedAt: at });
    switch (event.type) {
      case 'IncentiveClawedBack':
        return;
      case 'IncentiveStatementApproved':
        return put({ approvals: [...statement.approvals, { step: event.data.step, by: event.data.approvedBy, at }] });
      case 'IncentiveGranted':
        return put({ status: 'granted', granted: event.data.amount });
      case 'IncentiveLineDisputed': {
        const { disputeId, lineId, reason } = event.data;
        return put({ disputes: [...statement.disputes, { id: disputeId, lineId, reason, status: 'open', amount: null, resolution: null }] });
      }
      case 'IncentiveDisputeResolved': {
        const { disputeId, outcome, amount, reason } = event.data;
        return put({ disputes: statement.disputes.map((d) => (d.id === disputeId ? { ...d, status: outcome, amount: amount ?? null, resolution: reason } : d)) });
      }
    }
  },
};
