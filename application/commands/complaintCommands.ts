import { productAggregate } from '../../domain/catalog/product.js';
import {
  complaintAggregate,
  escalationOnBreach,
  type AssignComplaint,
  type ChangeComplaintSeverity,
  type Complaint,
  type EscalateComplaint,
  type FileComplaint,
  type FilingFacts,
  type ProposeComplaintResolution,
  type RateComplaint,
  type ReceiveComplaintInfo,
  type ReopenComplaint,
  type RequestComplaintInfo,
  type ResolveComplaint,
  type RespondToComplaint,
  type AddComplaintNote,
  type OrderFacts,
  type SellerFacts,
  type ServiceTerms,
} from '../../domain/complaint/complaint.js';
import type { ServiceClock } from '../../domain/complaint/serviceLevels.js';
import { customerAggregate } from '../../domain/customer/customer.js';
import { opportunityAggregate } from '../../domain/opportunity/opportunity.js';
import { orderAggregate, orderEventSchemas } from '../../domain/order/order.js';
import { promiseAggregate } from '../../domain/promise/promise.js';
import { quoteAggregate } from '../../domain/quote/quote.js';
import type { DecisionContext } from '../../domain/shared/decider.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import type { ComplianceChecks } from '../compliance/complianceChecks.js';
import { NotFound } from '../errors.js';
import { mustExist, stateOf } from '../loadAggregate.js';
import { policyRevision, requirePolicyInForce } from '../policy/policyInForce.js';
import type { EventStore } from '../ports/eventStore.js';
import { ComplaintFollowUps } from '../reactors/complaintFollowUps.js';
import { rosterEntry } from '../roster.js';
import type { PromiseCommands } from './promiseCommands.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/**
 * Complaints (articles 7, 18, 29): filed against what the customer bought or was promised, worked
 * under the service levels of the policy revision in force at filing, escalated when a clock runs
 * out, resolved, rated. What follows across aggregates (the escalation after a breach, the promise a
 * complaint was upheld against) runs at once and again from the subscriber after a crash.
 */
export const complaintCommands = (pipeline: CommandPipeline, eventStore: EventStore, checks: ComplianceChecks, promises: PromiseCommands) => {
  const complaints = new AggregateCommands(pipeline, complaintAggregate);

  /** The service levels of the revision the complaint runs under. */
  const termsOf = async (complaint: Complaint): Promise<ServiceTerms> => {
    if (complaint.status === 'none') throw new Error('A complaint never filed runs under no service levels');
    const revision = await policyRevision(eventStore, complaint.policyVersion);
    if (!revision?.complaintService) throw new Error(`Policy revision ${complaint.policyVersion} holds no complaint service levels`);
    return { policyVersion: revision.revision, service: revision.complaintService };
  };

  /** The total of the order the complaint names, for a remedy with money. */
  const orderOf = async (complaint: Complaint): Promise<OrderFacts> => {
    if (complaint.status === 'none' || complaint.orderId === undefined) return {};
    const order = await stateOf(eventStore, orderAggregate, complaint.orderId);
    return order && order.status !== 'none' ? { orderTotal: order.total } : {};
  };

  const withTermsAndOrder = async (complaint: Complaint) => ({ ...(await termsOf(complaint)), ...(await orderOf(complaint)) });

  /** The seller the complaint is about, as the roster has them: who may close it. */
  const sellerOf = async (complaint: Complaint): Promise<SellerFacts> => ({
    seller: complaint.status === 'none' || complaint.sellerId === undefined ? undefined : await rosterEntry(eventStore, complaint.sellerId),
  });

  /** The seller an order was sold by: the owner of the quote it was placed from. */
  const orderFacts = async (orderId: string): Promise<NonNullable<FilingFacts['order']>> => {
    const [placed] = await eventStore.readStream(orderAggregate.streamId(orderId), { maxCount: 1 });
    if (!placed) throw new NotFound(orderAggregate.name, orderId);
    const { customerId, quoteId } = orderEventSchemas.OrderPlaced.parse(placed.data);
    const quote = await stateOf(eventStore, quoteAggregate, quoteId);
    return { customerId, ...(quote && quote.status !== 'none' ? { dealOwnerId: quote.ownerId } : {}) };
  };

  /**
   * NotFound for an unknown customer, order, promise, deal or sku, before anything is decided; then the
   * loader of what filing is judged by: the service levels in force and whose each named thing is.
   */
  const filingFacts = async ({ customerId, orderId, promiseId, opportunityId, sku }: Payload<FileComplaint>) => {
    await mustExist(eventStore, customerAggregate, customerId);
    const order = orderId === undefined ? undefined : await orderFacts(orderId);
    const promise = promiseId === undefined ? undefined : await stateOf(eventStore, promiseAggregate, promiseId);
    if (promiseId !== undefined && (!promise || promise.status === 'none')) throw new NotFound(promiseAggregate.name, promiseId);
    const deal = opportunityId === undefined ? undefined : await stateOf(eventStore, opportunityAggregate, opportunityId);
    if (opportunityId !== undefined && (!deal || deal.status === 'none')) throw new NotFound(opportunityAggregate.name, opportunityId);
    if (sku !== undefined) await mustExist(eventStore, productAggregate, sku);
    return async (_state: Complaint, { now }: DecisionContext): Promise<FilingFacts> => {
      // Read afresh at each attempt, so an erasure just before keeps the reporter out (CPL-22).
      const customer = await stateOf(eventStore, customerAggregate, customerId);
      if (customer?.status !== 'registered') throw new NotFound(customerAggregate.name, customerId);
      const policy = await requirePolicyInForce(eventStore, now);
      if (!policy.complaintService) throw new Error(`Policy revision ${policy.revision} holds no complaint service levels; the start-up migration adds them`);
      return {
        policyVersion: policy.revision,
        service: policy.complaintService,
        customer: { region: customer.region, personalDataErased: customer.personalDataErased },
        ...(order ? { order } : {}),
        ...(promise && promise.status !== 'none' ? { promise: { customerId: promise.customerId, madeBy: promise.madeBy } } : {}),
        ...(deal && deal.status !== 'none' ? { opportunity: { customerId: deal.customerId, ownerId: deal.ownerId } } : {}),
      };
    };
  };

  /** Up the ladder after a clock ran out; null when the ladder takes the complaint no higher, as after a later escalation by hand. */
  const escalateOnBreach = async (complaintId: string, clock: ServiceClock, envelope: CommandEnvelope) => {
    const complaint = await stateOf(eventStore, complaintAggregate, complaintId);
    if (!complaint || complaint.status === 'none') throw new NotFound(complaintAggregate.name, complaintId);
    if (!escalationOnBreach(complaint, (await termsOf(complaint)).service, clock)) return null;
    return complaints.act(complaintId, { type: 'EscalateComplaintOnBreach', clock }, envelope, { facts: termsOf });
  };

  const followUps = new ComplaintFollowUps({
    eventStore,
    escalateOnBreach,
    breakPromise: (promiseId, breach, envelope) => promises.breakOnComplaint(promiseId, breach, envelope),
  });

  const commands = {
    /** Answers with the ids of the compliance findings the filing raised (CMP-10, for a complaint about a promise). */
    async file(complaint: Payload<FileComplaint>, envelope: CommandEnvelope) {
      const facts = await filingFacts(complaint);
      const result = await complaints.create(complaint.complaintId, { type: 'FileComplaint', ...complaint }, envelope, { facts });
      return { result, findings: await checks.afterCommand(result) };
    },
    assign: (complaintId: string, assignment: Payload<AssignComplaint>, envelope: CommandEnvelope) =>
      complaints.act(complaintId, { type: 'AssignComplaint', ...assignment }, envelope, {
        facts: async () => ({ assignee: await rosterEntry(eventStore, assignment.assigneeId) }),
      }),
    respond: (complaintId: string, response: Payload<RespondToComplaint>, envelope: CommandEnvelope) =>
      complaints.act(complaintId, { type: 'RespondToComplaint', ...response }, envelope),
    note: (complaintId: string, note: Payload<AddComplaintNote>, envelope: CommandEnvelope) => complaints.act(complaintId, { type: 'AddComplaintNote', ...note }, envelope),
    requestInfo: (complaintId: string, request: Payload<RequestComplaintInfo>, envelope: CommandEnvelope) =>
      complaints.act(complaintId, { type: 'RequestComplaintInfo', ...request }, envelope),
    receiveInfo: (complaintId: string, answer: Payload<ReceiveComplaintInfo>, envelope: CommandEnvelope) =>
      complaints.act(complaintId, { type: 'ReceiveComplaintInfo', ...answer }, envelope),
    escalate: (complaintId: string, escalation: Payload<EscalateComplaint>, envelope: CommandEnvelope) =>
      complaints.act(complaintId, { type: 'EscalateComplaint', ...escalation }, envelope, { facts: termsOf }),
    changeSeverity: (complaintId: string, change: Payload<ChangeComplaintSeverity>, envelope: CommandEnvelope) =>
      complaints.act(complaintId, { type: 'ChangeComplaintSeverity', ...change }, envelope, { facts: termsOf }),
    propose: (complaintId: string, proposal: Payload<ProposeComplaintResolution>, envelope: CommandEnvelope) =>
      complaints.act(complaintId, { type: 'ProposeComplaintResolution', ...proposal }, envelope, { facts: withTermsAndOrder }),

    /** A resolution upholding a complaint about a promise marks the promise broken, at once. */
    async resolve(complaintId: string, resolution: Payload<ResolveComplaint>, envelope: CommandEnvelope) {
      const result = await complaints.act(complaintId, { type: 'ResolveComplaint', ...resolution }, envelope, { facts: withTermsAndOrder });
      await followUps.afterCommand(result);
      return result;
    },
    reopen: (complaintId: string, reopening: Payload<ReopenComplaint>, envelope: CommandEnvelope) =>
      complaints.act(complaintId, { type: 'ReopenComplaint', ...reopening }, envelope, { facts: termsOf }),
    close: (complaintId: string, envelope: CommandEnvelope) => complaints.act(complaintId, { type: 'CloseComplaint' }, envelope, { facts: sellerOf }),
    rate: (complaintId: string, rating: Payload<RateComplaint>, envelope: CommandEnvelope) => complaints.act(complaintId, { type: 'RateComplaint', ...rating }, envelope),

    /**
     * Issued by the deadline watcher once the first response is due, then escalated as the ladder
     * says. The breach's id derives from the deadline and the escalation's from the breach, so a tick
     * after a crash between the two replays the first and escalates once.
     */
    async markResponseOverdue(complaintId: string, envelope: CommandEnvelope) {
      const result = await complaints.act(complaintId, { type: 'MarkComplaintResponseOverdue' }, envelope);
      await followUps.afterCommand(result);
      return result;
    },
    /** As markResponseOverdue, for the resolution. */
    async markResolutionOverdue(complaintId: string, envelope: CommandEnvelope) {
      const result = await complaints.act(complaintId, { type: 'MarkComplaintResolutionOverdue' }, envelope);
      await followUps.afterCommand(result);
      return result;
    },
  };
  return { commands, followUps };
};

export type ComplaintCommands = ReturnType<typeof complaintCommands>['commands'];
