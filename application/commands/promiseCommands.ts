import { productAggregate } from '../../domain/catalog/product.js';
import { complaintAggregate } from '../../domain/complaint/complaint.js';
import { customerAggregate } from '../../domain/customer/customer.js';
import { opportunityAggregate } from '../../domain/opportunity/opportunity.js';
import {
  promiseAggregate,
  type BreakPromise,
  type BreakPromiseOnComplaint,
  type CustomerPromise,
  type FulfilPromise,
  type RecordingFacts,
  type RecordPromise,
  type RecordPromiseOnBehalf,
  type WithdrawPromise,
} from '../../domain/promise/promise.js';
import type { DecisionContext } from '../../domain/shared/decider.js';
import type { OwnerFacts } from '../../domain/team/ownership.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import type { ComplianceChecks } from '../compliance/complianceChecks.js';
import { NotFound } from '../errors.js';
import { mustExist, stateOf } from '../loadAggregate.js';
import { requirePolicyInForce } from '../policy/policyInForce.js';
import type { EventStore } from '../ports/eventStore.js';
import { rosterEntry } from '../roster.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** Promises (article 4): what a seller told a customer, recorded as said, then judged by the compliance checks. */
export const promiseCommands = (pipeline: CommandPipeline, eventStore: EventStore, checks: ComplianceChecks) => {
  const promises = new AggregateCommands(pipeline, promiseAggregate);

  /**
   * NotFound for an unknown customer, opportunity or sku, before anything is decided; then the
   * loader of what the recording is judged by: the policy in force and the deal it names.
   */
  const recordingFacts = async ({ customerId, opportunityId, sku }: Pick<RecordPromise, 'customerId' | 'opportunityId' | 'sku'>) => {
    await mustExist(eventStore, customerAggregate, customerId);
    const deal = opportunityId === undefined ? undefined : await stateOf(eventStore, opportunityAggregate, opportunityId);
    if (opportunityId !== undefined && (!deal || deal.status === 'none')) throw new NotFound(opportunityAggregate.name, opportunityId);
    if (sku !== undefined) await mustExist(eventStore, productAggregate, sku);
    return async (_state: CustomerPromise, { now }: DecisionContext): Promise<RecordingFacts> => ({
      policyVersion: (await requirePolicyInForce(eventStore, now)).revision,
      // Whose deal it is is the promise's rule PRM-11 to judge.
      ...(deal && deal.status !== 'none' ? { opportunity: { customerId: deal.customerId } } : {}),
    });
  };

  /** The seller who made the promise, as the roster has them: who may settle it. */
  const sellerOf = async (promise: CustomerPromise): Promise<OwnerFacts> => ({
    owner: promise.status === 'none' ? undefined : await rosterEntry(eventStore, promise.madeBy),
  });

  return {
    /**
     * Recorded first, whatever the checks find: refusing to record it would hide what was said. Answers
     * with the ids of the findings the checks raised, and the position of the last of them. NotFound for
     * an unknown customer, opportunity or sku.
     */
    async record(promise: Payload<RecordPromise>, envelope: CommandEnvelope) {
      const facts = await recordingFacts(promise);
      return checks.withFindings(await promises.create(promise.promiseId, { type: 'RecordPromise', ...promise }, envelope, { facts }));
    },

    /** A manager's record of a promise one of their sellers made, in the seller's name; the event names both. */
    async recordOnBehalf(promise: Payload<RecordPromiseOnBehalf>, envelope: CommandEnvelope) {
      const facts = await recordingFacts(promise);
      const result = await promises.create(promise.promiseId, { type: 'RecordPromiseOnBehalf', ...promise }, envelope, {
        facts: async (state, base) => ({ ...(await facts(state, base)), seller: await rosterEntry(eventStore, promise.madeBy) }),
      });
      return checks.withFindings(result);
    },
    fulfil: (promiseId: string, fulfilment: Payload<FulfilPromise>, envelope: CommandEnvelope) =>
      promises.act(promiseId, { type: 'FulfilPromise', ...fulfilment }, envelope, { facts: sellerOf }),
    break: (promiseId: string, breach: Payload<BreakPromise>, envelope: CommandEnvelope) =>
      promises.act(promiseId, { type: 'BreakPromise', ...breach }, envelope, { facts: sellerOf }),
    withdraw: (promiseId: string, withdrawal: Payload<WithdrawPromise>, envelope: CommandEnvelope) =>
      promises.act(promiseId, { type: 'WithdrawPromise', ...withdrawal }, envelope, { facts: sellerOf }),

    /**
     * Issued after a complaint about the promise was resolved in the customer's favour; the promise's
     * rule PRM-14 reads the complaint's own stream to see that it was.
     */
    breakOnComplaint: (promiseId: string, breach: Payload<BreakPromiseOnComplaint>, envelope: CommandEnvelope) =>
      promises.act(promiseId, { type: 'BreakPromiseOnComplaint', ...breach }, envelope, {
        facts: async () => {
          const complaint = await stateOf(eventStore, complaintAggregate, breach.complaintId);
          if (!complaint || complaint.status === 'none') return {};
          return { complaint: { ...(complaint.promiseId !== undefined ? { promiseId: complaint.promiseId } : {}), upheld: complaint.upheld } };
        },
      }),

    /**
     * Issued by the deadline watcher once the due date has passed; then raises the CMP-09 finding on
     * the PromiseWentOverdue. Both ids are derived, so a tick after a crash between the two replays the
     * first and raises the second once.
     */
    async markOverdue(promiseId: string, envelope: CommandEnvelope) {
      const result = await promises.act(promiseId, { type: 'MarkPromiseOverdue' }, envelope);
      await checks.afterCommand(result);
      return result;
    },
  };
};

export type PromiseCommands = ReturnType<typeof promiseCommands>;
