import { z } from 'zod';
import { Severity } from '../policy/policy.js';
import { ClaimExplanation } from './claimDetector.js';
import type { Aggregate } from '../shared/aggregate.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';

/**
 * A compliance finding (articles 4, 37, 38): a rule broken, under which policy revision, on what
 * evidence, by whom. It is raised, acknowledged, then remediated or waived, then closed; the trail
 * is what periodic inspection reads.
 */
export const FINDING_CATEGORY = 'finding';
export const findingStreamId = (findingId: string) => `${FINDING_CATEGORY}-${findingId}`;

/**
 * The natural key of a finding: one rule broken by one event of one stream. The application derives
 * the finding id from it, so a re-check or a replay never raises the same finding twice.
 */
export const findingKey = (ruleId: string, subjectStreamId: string, subjectRevision: number) => `${ruleId}:${subjectStreamId}@${subjectRevision}`;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const FindingSubjectKind = z.enum(['promise', 'quote', 'order', 'complaint']);
export type FindingSubjectKind = z.infer<typeof FindingSubjectKind>;

/** An event the finding rests on, pinned by its hash so the evidence cannot change unseen. */
export const FindingEvidence = z.object({
  streamId: z.string(),
  revision: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lower-case hex'),
});
export type FindingEvidence = z.infer<typeof FindingEvidence>;

export const findingEventSchemas = {
  FindingRaised: z.object({
    findingId: z.string(),
    ruleId: z.string(),
    ruleName: z.string(),
    severity: Severity,
    policyRevision: z.number().int().positive(),
    detail: z.string(),
    evidence: z.array(FindingEvidence).min(1),
    customerId: z.string().optional(),
    sellerId: z.string(),
    sellerManagerId: z.string().optional(),
    subject: z.object({ kind: FindingSubjectKind, id: z.string() }),
    raisedAt: z.iso.datetime(),
    /** For a claim (CMP-01), each claim found, where it stands in the statement and what matched; absent on other rules and on findings raised before. */
    claims: z.array(ClaimExplanation).optional(),
  }),
  FindingAcknowledged: z.object({
    findingId: z.string(),
    acknowledgedBy: z.string(),
    reason: z.string().optional(),
  }),
  FindingRemediated: z.object({
    findingId: z.string(),
    remediatedBy: z.string(),
    /** What was done to put it right, and where to see it. */
    evidence: z.string(),
    reason: z.string().optional(),
  }),
  FindingWaived: z.object({
    findingId: z.string(),
    waivedBy: z.string(),
    reason: z.string(),
  }),
  FindingClosed: z.object({
    findingId: z.string(),
    closedBy: z.string(),
    outcome: z.enum(['remediated', 'waived']),
    reason: z.string().optional(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type FindingEvent = EventOf<typeof findingEventSchemas>;

// State

export type FindingStatus = 'raised' | 'acknowledged' | 'remediated' | 'waived' | 'closed';

export type Finding =
  | { status: 'none' }
  | {
      status: FindingStatus;
      findingId: string;
      ruleId: string;
      sellerId: string;
      sellerManagerId?: string;
      /** Carried into the metadata of every later event, so a customer's trail holds its findings. */
      customerId?: string;
      /** How it was settled, once remediated or waived. */
      outcome?: 'remediated' | 'waived';
    };

export const initialState = (): Finding => ({ status: 'none' });

export const evolve = (state: Finding, event: FindingEvent): Finding => {
  if (event.type === 'FindingRaised') {
    const { findingId, ruleId, sellerId, sellerManagerId, customerId } = event.data;
    return {
      status: 'raised',
      findingId,
      ruleId,
      sellerId,
      ...(sellerManagerId !== undefined ? { sellerManagerId } : {}),
      ...(customerId !== undefined ? { customerId } : {}),
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'FindingAcknowledged':
      return { ...state, status: 'acknowledged' };
    case 'FindingRemediated':
      return { ...state, status: 'remediated', outcome: 'remediated' };
    case 'FindingWaived':
      return { ...state, status: 'waived', outcome: 'waived' };
    case 'FindingClosed':
      return { ...state, status: 'closed' };
  }
};

// Commands

export type RaiseFinding = {
  type: 'RaiseFinding';
  findingId: string;
  ruleId: string;
  ruleName: string;
  severity: Severity;
  policyRevision: number;
  detail: string;
  evidence: FindingEvidence[];
  customerId?: string;
  sellerId: string;
  sellerManagerId?: string;
  subject: { kind: FindingSubjectKind; id: string };
  claims?: ClaimExplanation[];
};
export type AcknowledgeFinding = { type: 'AcknowledgeFinding'; reason?: string };
export type RemediateFinding = { type: 'RemediateFinding'; evidence: string; reason?: string };
export type WaiveFinding = { type: 'WaiveFinding'; reason: string };
export type CloseFinding = { type: 'CloseFinding'; reason?: string };

export type FindingCommand = RaiseFinding | AcknowledgeFinding | RemediateFinding | WaiveFinding | CloseFinding;

export const findingRules = {
  raisedOnce: { id: 'FND-01', name: 'A finding is raised once' },
  raisedFirst: { id: 'FND-02', name: 'A finding is raised before anything else is done with it' },
  groundsStated: { id: 'FND-03', name: 'A finding names its rule, what was wrong and the events it rests on' },
  closedIsFinal: { id: 'FND-04', name: 'A closed finding takes no further change' },
  acknowledgeOnlyRaised: { id: 'FND-05', name: 'Only a newly raised finding is acknowledged' },
  settleOnlyAcknowledged: { id: 'FND-06', name: 'A finding is remediated or waived once acknowledged, and only once' },
  remediationEvidenced: { id: 'FND-07', name: 'A remediation shows the evidence of what was put right' },
  waiverExplained: { id: 'FND-08', name: 'A waiver states its reason' },
  segregationOfDuties: { id: 'FND-09', name: "Only a compliance officer who is neither the seller nor the seller's manager waives a finding" },
  closeOnlySettled: { id: 'FND-10', name: 'A finding is closed only once remediated or waived' },
  notClosedBySeller: { id: 'FND-11', name: 'No one closes a finding on their own conduct' },
  answeredByThoseConcerned: { id: 'FND-12', name: "A finding is acknowledged or remediated by the seller, the seller's manager or the compliance office" },
} as const satisfies Record<string, Rule>;

const WAIVING_ROLE = 'compliance_officer';
/** Roles that answer any finding; a rep or a manager answers only for their own conduct or their own team's. */
const ANSWERING_ROLES: readonly string[] = ['compliance_officer', 'admin'];

const raise = (command: RaiseFinding, context: DecisionContext): FindingEvent[] | Refusal => {
  const { type: _type, ruleId, ruleName, detail, evidence, customerId, sellerManagerId, claims, ...rest } = command;
  if (!ruleId.trim() || !ruleName.trim()) return refuse(findingRules.groundsStated, 'Name the rule that was broken');
  if (!detail.trim()) return refuse(findingRules.groundsStated, 'Say what was wrong');
  if (evidence.length === 0) return refuse(findingRules.groundsStated, 'Name at least one event the finding rests on');
  return [
    {
      type: 'FindingRaised',
      data: {
        ...rest,
        ruleId,
        ruleName,
        detail,
        evidence,
        ...(customerId !== undefined ? { customerId } : {}),
        ...(sellerManagerId !== undefined ? { sellerManagerId } : {}),
        raisedAt: context.now,
        ...(claims !== undefined ? { claims } : {}),
      },
    },
  ];
};

export const decide = (command: FindingCommand, state: Finding, context: DecisionContext): FindingEvent[] | Refusal => {
  if (command.type === 'RaiseFinding') {
    if (state.status !== 'none') return refuse(findingRules.raisedOnce, `Finding ${state.findingId} is already raised`);
    return raise(command, context);
  }
  if (state.status === 'none') return refuse(findingRules.raisedFirst, 'The finding was never raised');
  if (state.status === 'closed') return refuse(findingRules.closedIsFinal, `Finding ${state.findingId} is closed`);
  const { findingId } = state;
  const { id: actorId, role } = context.actor;
  const reason = (text: string | undefined) => (text ? { reason: text } : {});
  const concerned = actorId === state.sellerId || actorId === state.sellerManagerId || ANSWERING_ROLES.includes(role);
  const notConcerned = () => refuse(findingRules.answeredByThoseConcerned, `${actorId} (${role}) is neither the seller, their manager nor the compliance office`);

  switch (command.type) {
    case 'AcknowledgeFinding':
      if (!concerned) return notConcerned();
      if (state.status !== 'raised') return refuse(findingRules.acknowledgeOnlyRaised, `The finding is already ${state.status}`);
      return [{ type: 'FindingAcknowledged', data: { findingId, acknowledgedBy: actorId, ...reason(command.reason) } }];
    case 'RemediateFinding':
      if (!concerned) return notConcerned();
      if (state.status !== 'acknowledged') return refuse(findingRules.settleOnlyAcknowledged, `The finding is ${state.status}, not acknowledged`);
      if (!command.evidence.trim()) return refuse(findingRules.remediationEvidenced, 'Show what was done to put it right');
      return [{ type: 'FindingRemediated', data: { findingId, remediatedBy: actorId, evidence: command.evidence, ...reason(command.reason) } }];
    case 'WaiveFinding': {
      // Article 37: no one excuses their own conduct or their own team's, and only the compliance office excuses at all.
      if (role !== WAIVING_ROLE) return refuse(findingRules.segregationOfDuties, `A ${role} cannot waive a finding`);
      if (actorId === state.sellerId) return refuse(findingRules.segregationOfDuties, `${actorId} is the seller the finding is about`);
      if (actorId === state.sellerManagerId) return refuse(findingRules.segregationOfDuties, `${actorId} manages the seller the finding is about`);
      if (state.status !== 'acknowledged') return refuse(findingRules.settleOnlyAcknowledged, `The finding is ${state.status}, not acknowledged`);
      if (!command.reason.trim()) return refuse(findingRules.waiverExplained, 'Say why the finding is waived');
      return [{ type: 'FindingWaived', data: { findingId, waivedBy: actorId, reason: command.reason } }];
    }
    case 'CloseFinding':
      if (!state.outcome) return refuse(findingRules.closeOnlySettled, `The finding is ${state.status}, neither remediated nor waived`);
      if (actorId === state.sellerId) return refuse(findingRules.notClosedBySeller, `${actorId} is the seller the finding is about`);
      return [{ type: 'FindingClosed', data: { findingId, closedBy: actorId, outcome: state.outcome, ...reason(command.reason) } }];
  }
};

export const findingDecider: Decider<Finding, FindingCommand, FindingEvent> = { initialState, evolve, decide };

export const findingAggregate: Aggregate<Finding, FindingCommand, FindingEvent> = {
  category: FINDING_CATEGORY,
  name: 'Finding',
  streamId: findingStreamId,
  decider: findingDecider,
  events: findingEventSchemas,
  customerOf: (state) => (state.status === 'none' ? undefined : state.customerId),
};
