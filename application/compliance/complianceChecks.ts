import type { Logger } from 'pino';
import { promotionDecider, promotionFacts, promotionStreamId, type PromotionFacts } from '../../domain/catalog/promotion.js';
import { findingKey, findingStreamId, type FindingEvidence, type FindingSubjectKind } from '../../domain/compliance/finding.js';
import { checkPromise, checkQuote, complaintAboutPromise, overduePromise, type ComplaintFiledData, type RecordedPromise, type Violation } from '../../domain/compliance/rules.js';
import { customerDecider, customerStreamId } from '../../domain/customer/customer.js';
import type { PolicyRevision } from '../../domain/policy/policy.js';
import { promiseDecider, type CustomerPromise, type PromiseEvent } from '../../domain/promise/promise.js';
import { quoteDecider, type Quote, type QuoteEvent } from '../../domain/quote/quote.js';
import type { Decider, DomainEvent } from '../../domain/shared/decider.js';
import { repDecider, repFacts, repStreamId, type RepFacts } from '../../domain/team/rep.js';
import { promiseFactsAsOf, recordedAt, stateAsOf } from '../audit/promiseRecheck.js';
import type { CommandResult } from '../commandPipeline.js';
import type { FindingCommands } from '../commands/findingCommands.js';
import { idFromKey } from '../ids.js';
import { policyInForce, policyRevision } from '../policy/policyInForce.js';
import type { EventStore, RecordedEvent } from '../ports/eventStore.js';
import type { ReadStore } from '../ports/readStore.js';
import { ReactorSubscriber } from '../reactors/reactorSubscriber.js';
import type { FollowedLog } from '../followers/sharedLog.js';

/** Findings are raised by the checks, not by whoever's command set them off. */
export const COMPLIANCE_CHECKER = { id: 'compliance-checks', role: 'system' } as const;

/** The events a check follows: what was said, what was sent, a promise time broke, and a customer's complaint of one. */
export const CHECKED_EVENTS = ['PromiseRecorded', 'QuoteSent', 'PromiseWentOverdue', 'ComplaintFiled'] as const;

/** One rule broken by one event is one finding: its id, and the id of the command raising it, derive from that. */
export const findingIdFor = (ruleId: string, evidence: Pick<RecordedEvent, 'streamId' | 'revision'>) =>
  idFromKey('finding', findingKey(ruleId, evidence.streamId, evidence.revision));

const evidenceOf = (event: RecordedEvent): FindingEvidence => ({ streamId: event.streamId, revision: event.revision, hash: String(event.metadata.hash) });

const occurredAt = (event: RecordedEvent) => String(event.metadata.occurredAt);

const fold = <State, Event extends DomainEvent>(decider: Pick<Decider<State, never, Event, never>, 'initialState' | 'evolve'>, events: readonly RecordedEvent[]) =>
  events.reduce((state, e) => decider.evolve(state, { type: e.type, data: e.data } as Event), decider.initialState());

// Quotes

export type QuoteJudgement = { violations: Violation[]; sellerId: string; seller: RepFacts | undefined; customerId: string; quoteId: string };

/**
 * A quote about to be sent (its events so far), judged under `policy` against the facts as they
 * stand at `at`: the seller is the rep who submitted it, whose authority it was priced under.
 */
export const judgeQuote = async (eventStore: EventStore, history: readonly RecordedEvent[], policy: PolicyRevision, at: string): Promise<QuoteJudgement> => {
  const quote = fold<Quote, QuoteEvent>(quoteDecider, history);
  if (quote.status === 'none') throw new Error(`${history[0]?.streamId ?? 'The quote'} was never drafted`);
  const sellerId = quote.submittedBy ?? '';
  const seller = sellerId ? repFacts(await stateAsOf(eventStore, repDecider, repStreamId(sellerId), at)) : undefined;
  const customer = await stateAsOf(eventStore, customerDecider, customerStreamId(quote.customerId), at);
  const promotions: Record<string, PromotionFacts> = {};
  for (const promotionId of new Set(quote.lines.flatMap((line) => (line.promotionId ? [line.promotionId] : [])))) {
    const facts = promotionFacts(await stateAsOf(eventStore, promotionDecider, promotionStreamId(promotionId), at));
    if (facts) promotions[promotionId] = facts;
  }
  const violations = checkQuote(
    { lines: quote.lines },
    {
      policy,
      promotions,
      // A customer the log does not know meets no eligibility terms, so a promotion restricted to some is flagged.
      customer: customer.status === 'registered' ? { tier: customer.tier, region: customer.region } : { region: '' },
      seller,
      now: at,
      approvalOnRecord: history.some((event) => event.type === 'QuoteApproved'),
    },
  );
  return { violations, sellerId, seller, customerId: quote.customerId, quoteId: quote.quoteId };
};

// Raising findings

type Grounds = {
  subject: { kind: FindingSubjectKind; id: string };
  evidence: RecordedEvent;
  sellerId: string;
  seller: RepFacts | undefined;
  customerId: string;
};

export type ComplianceDeps = { eventStore: EventStore; findings: FindingCommands };

/**
 * Runs the compliance checks over an event that was already written and raises a finding for each
 * violation. Everything is read back from the log as it stood when the event occurred, under the
 * policy revision that judged it, so the routes (at once) and the subscriber (after a crash) reach
 * the same findings, and a second run replays them instead of raising them again.
 */
export class ComplianceChecks {
  constructor(private readonly deps: ComplianceDeps) {}

  /** The ids of the findings the event raised; none for an event no check follows. */
  async react(event: RecordedEvent): Promise<string[]> {
    switch (event.type) {
      case 'PromiseRecorded':
        return this.promiseRecorded(event);
      case 'QuoteSent':
        return this.quoteSent(event);
      case 'PromiseWentOverdue':
        return this.promiseWentOverdue(event);
      case 'ComplaintFiled':
        return this.complaintFiled(event);
      default:
        return [];
    }
  }

  /** Checks the last event a command wrote; its answer (first or replayed) names it by revision. */
  async afterCommand(result: CommandResult): Promise<string[]> {
    const [written] = await this.deps.eventStore.readStream(result.streamId, { fromRevision: result.revision, maxCount: 1 });
    if (!written) throw new Error(`${result.streamId} has no revision ${result.revision}`);
    return this.react(written);
  }

  /**
   * The command's result with the findings its last event raised, its position moved to the last
   * of them: a caller reading the findings view `?after=` that position then sees them.
   */
  async withFindings(result: CommandResult): Promise<{ result: CommandResult; findings: string[] }> {
    const findings = await this.afterCommand(result);
    let position = result.position;
    for (const findingId of findings) {
      const [last] = await this.deps.eventStore.readStream(findingStreamId(findingId), { direction: 'backwards', maxCount: 1 });
      if (last && last.position > position) position = last.position;
    }
    return { result: { ...result, position }, findings };
  }

  private async promiseRecorded(event: RecordedEvent): Promise<string[]> {
    const promise = event.data as RecordedPromise;
    const at = recordedAt(event);
    const policy = await this.policyThatJudged(event, at);
    if (!policy) return [];
    const facts = await promiseFactsAsOf(this.deps.eventStore, promise, at);
    const grounds = { subject: { kind: 'promise', id: promise.promiseId }, evidence: event, sellerId: promise.madeBy, seller: facts.seller, customerId: promise.customerId } as const;
    return this.raiseAll(checkPromise(promise, { policy, ...facts }), grounds);
  }

  /** Whatever the check finds on a sent quote went out to the customer: flags, and any block the send slipped past. */
  private async quoteSent(event: RecordedEvent): Promise<string[]> {
    const at = occurredAt(event);
    const policy = await this.policyThatJudged(event, at);
    if (!policy) return [];
    const before = (await this.deps.eventStore.readStream(event.streamId)).filter((e) => e.revision < event.revision);
    const judged = await judgeQuote(this.deps.eventStore, before, policy, at);
    const sellerId = judged.sellerId || (event.data as { sentBy: string }).sentBy;
    return this.raiseAll(judged.violations, { subject: { kind: 'quote', id: judged.quoteId }, evidence: event, sellerId, seller: judged.seller, customerId: judged.customerId });
  }

  private async promiseWentOverdue(event: RecordedEvent): Promise<string[]> {
    const at = occurredAt(event);
    const policy = await this.policyThatJudged(event, at);
    if (!policy) return [];
    const history = (await this.deps.eventStore.readStream(event.streamId)).filter((e) => e.revision <= event.revision);
    const recorded = history[0]?.data as RecordedPromise | undefined;
    if (!recorded) return [];
    // The promise as it stood when it went overdue: a later fulfilment does not undo the lateness.
    const violation = overduePromise(fold<CustomerPromise, PromiseEvent>(promiseDecider, history), { policy, now: at });
    if (!violation) return [];
    const seller = repFacts(await stateAsOf(this.deps.eventStore, repDecider, repStreamId(recorded.madeBy), at));
    return this.raiseAll([violation], { subject: { kind: 'promise', id: recorded.promiseId }, evidence: event, sellerId: recorded.madeBy, seller, customerId: recorded.customerId });
  }

  /** A complaint about a promise counts against the seller who made it (CMP-10), under the revision the complaint runs under. */
  private async complaintFiled(event: RecordedEvent): Promise<string[]> {
    const complaint = event.data as ComplaintFiledData;
    const at = occurredAt(event);
    const policy = await this.policyThatJudged(event, at);
    const violation = policy && complaintAboutPromise(complaint, { policy });
    // A complaint of a false promise names one, or the deal or order it came with (CPL-04), so the seller is known.
    if (!violation || complaint.sellerId === undefined) return [];
    const seller = repFacts(await stateAsOf(this.deps.eventStore, repDecider, repStreamId(complaint.sellerId), at));
    return this.raiseAll([violation], {
      subject: { kind: 'complaint', id: complaint.complaintId },
      evidence: event,
      sellerId: complaint.sellerId,
      seller,
      customerId: complaint.customerId,
    });
  }

  /** The revision the event names as having judged it; else the one in force when it occurred (none before revision 1). */
  private async policyThatJudged(event: RecordedEvent, at: string): Promise<PolicyRevision | undefined> {
    const named = (event.data as { policyVersion?: unknown }).policyVersion ?? event.metadata.policyVersion;
    return typeof named === 'number' ? policyRevision(this.deps.eventStore, named) : policyInForce(this.deps.eventStore, at);
  }

  private async raiseAll(violations: readonly Violation[], grounds: Grounds): Promise<string[]> {
    const raised: string[] = [];
    for (const violation of violations) raised.push(await this.raise(violation, grounds));
    return raised;
  }

  private async raise(violation: Violation, { subject, evidence, sellerId, seller, customerId }: Grounds): Promise<string> {
    const findingId = findingIdFor(violation.rule.id, evidence);
    const sellerManagerId = seller?.managerId;
    await this.deps.findings.raise(
      {
        findingId,
        ruleId: violation.rule.id,
        ruleName: violation.rule.name,
        severity: violation.severity,
        policyRevision: violation.policyRevision,
        detail: violation.detail,
        evidence: [evidenceOf(evidence)],
        customerId,
        sellerId,
        ...(sellerManagerId !== undefined ? { sellerManagerId } : {}),
        subject,
        ...(violation.claims ? { claims: violation.claims } : {}),
      },
      {
        commandId: idFromKey('raise finding', findingKey(violation.rule.id, evidence.streamId, evidence.revision)),
        actor: COMPLIANCE_CHECKER,
        correlationId: String(evidence.metadata.correlationId ?? evidence.eventId),
        causationId: evidence.eventId,
      },
    );
    return findingId;
  }
}

/** The subscription that raises the findings a crash kept a command from raising; the composition root starts and stops it. */
export const complianceSubscriber = (deps: { checks: ComplianceChecks; eventStore: FollowedLog; readStore: ReadStore; logger: Logger }) =>
  new ReactorSubscriber({
    name: 'compliance-checks',
    handles: CHECKED_EVENTS,
    react: (event) => deps.checks.react(event),
    eventStore: deps.eventStore,
    readStore: deps.readStore,
    logger: deps.logger.child({ component: 'reactors', reactor: 'compliance-checks' }),
  });
