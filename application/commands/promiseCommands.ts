import { productAggregate } from '../../domain/catalog/product.js';
import { customerAggregate } from '../../domain/customer/customer.js';
import { opportunityAggregate } from '../../domain/opportunity/opportunity.js';
import { promiseAggregate, type BreakPromise, type FulfilPromise, type RecordPromise, type WithdrawPromise } from '../../domain/promise/promise.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import type { ComplianceChecks } from '../compliance/complianceChecks.js';
import { NotFound } from '../errors.js';
import { mustExist, stateOf } from '../loadAggregate.js';
import { requirePolicyInForce } from '../policy/policyInForce.js';
import type { EventStore } from '../ports/eventStore.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** Promises (article 4): what a seller told a customer, recorded as said, then judged by the compliance checks. */
export const promiseCommands = (pipeline: CommandPipeline, eventStore: EventStore, checks: ComplianceChecks) => {
  const promises = new AggregateCommands(pipeline, promiseAggregate);
  return {
    /**
     * Recorded first, whatever the checks find: refusing to record it would hide what was said. Answers
     * with the ids of the findings the checks raised. NotFound for an unknown customer, opportunity or sku.
     */
    async record(promise: Payload<RecordPromise>, envelope: CommandEnvelope) {
      const { customerId, opportunityId, sku } = promise;
      await mustExist(eventStore, customerAggregate, customerId);
      const deal = opportunityId === undefined ? undefined : await stateOf(eventStore, opportunityAggregate, opportunityId);
      if (opportunityId !== undefined && (!deal || deal.status === 'none')) throw new NotFound(opportunityAggregate.name, opportunityId);
      if (sku !== undefined) await mustExist(eventStore, productAggregate, sku);
      const result = await promises.create(promise.promiseId, { type: 'RecordPromise', ...promise }, envelope, {
        facts: async (_state, { now }) => ({
          policyVersion: (await requirePolicyInForce(eventStore, now)).revision,
          // Whose deal it is is the promise's rule PRM-11 to judge.
          ...(deal && deal.status !== 'none' ? { opportunity: { customerId: deal.customerId } } : {}),
        }),
      });
      return { result, findings: await checks.afterCommand(result) };
    },
    fulfil: (promiseId: string, fulfilment: Payload<FulfilPromise>, envelope: CommandEnvelope) =>
      promises.act(promiseId, { type: 'FulfilPromise', ...fulfilment }, envelope),
    break: (promiseId: string, breach: Payload<BreakPromise>, envelope: CommandEnvelope) => promises.act(promiseId, { type: 'BreakPromise', ...breach }, envelope),
    withdraw: (promiseId: string, withdrawal: Payload<WithdrawPromise>, envelope: CommandEnvelope) =>
      promises.act(promiseId, { type: 'WithdrawPromise', ...withdrawal }, envelope),

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
