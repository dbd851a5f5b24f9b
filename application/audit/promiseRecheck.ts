import { productDecider, productFacts, productStreamId } from '../../domain/catalog/product.js';
import { checkPromise, type PromiseFacts, type RecordedPromise, type Violation } from '../../domain/compliance/rules.js';
import { POLICY_STREAM_ID, policyDecider } from '../../domain/policy/policy.js';
import { promiseStreamId } from '../../domain/promise/promise.js';
import type { DomainEvent } from '../../domain/shared/decider.js';
import { repDecider, repFacts, repStreamId } from '../../domain/team/rep.js';
import { NotFound } from '../errors.js';
import { loadAggregate } from '../loadAggregate.js';
import type { EventStore, RecordedEvent } from '../ports/eventStore.js';
import { streamAsOf } from './customerHistory.js';

export type PromiseRecheck = {
  promiseId: string;
  policyRevision: number;
  /** The revision the promise was recorded under, when it names one. */
  recordedUnder: number | null;
  /** When the promise was recorded: the product and the seller's record are taken as they stood then. */
  factsAsOf: string;
  violations: Violation[];
};

/** Folds a stream as it stood at `at`: the events that had occurred by then. */
export const stateAsOf = async <State, Event extends DomainEvent>(
  eventStore: EventStore,
  decider: { initialState: () => State; evolve: (state: State, event: Event) => State },
  streamId: string,
  at: string,
): Promise<State> =>
  streamAsOf(await eventStore.readStream(streamId), at).reduce((state, e) => decider.evolve(state, { type: e.type, data: e.data } as Event), decider.initialState());

/** When a promise was recorded, which is when its facts are taken and its checks judged. */
export const recordedAt = (recorded: RecordedEvent) => String(recorded.metadata.occurredAt ?? (recorded.data as RecordedPromise).recordedAt);

/** The product a promise names and the seller who made it, as they stood at `at`: what checkPromise judges it against. */
export const promiseFactsAsOf = async (eventStore: EventStore, promise: RecordedPromise, at: string): Promise<Omit<PromiseFacts, 'policy'>> => ({
  product: promise.sku ? productFacts(await stateAsOf(eventStore, productDecider, productStreamId(promise.sku), at)) : undefined,
  seller: repFacts(await stateAsOf(eventStore, repDecider, repStreamId(promise.madeBy), at)),
});

/**
 * What-if for auditors: the rules of any policy revision over a past promise, judged against the
 * catalog and the seller's certifications as they stood when it was recorded, so only the policy
 * differs from the original check. Reads only; nothing is appended.
 */
export const recheckPromise = async (eventStore: EventStore, promiseId: string, policyRevision: number): Promise<PromiseRecheck> => {
  const [recorded] = await eventStore.readStream(promiseStreamId(promiseId), { maxCount: 1 });
  if (recorded?.type !== 'PromiseRecorded') throw new NotFound('Promise', promiseId);
  const promise = recorded.data as RecordedPromise;

  const policy = (await loadAggregate(eventStore, policyDecider, POLICY_STREAM_ID))?.state.revisions.find((r) => r.revision === policyRevision);
  if (!policy) throw new NotFound('Policy revision', String(policyRevision));

  const at = recordedAt(recorded);
  const { product, seller } = await promiseFactsAsOf(eventStore, promise, at);
  const underMetadata = recorded.metadata.policyVersion;

  return {
    promiseId,
    policyRevision,
    recordedUnder: promise.policyVersion ?? (typeof underMetadata === 'number' ? underMetadata : null),
    factsAsOf: at,
    violations: checkPromise(promise, { policy, product, seller }),
  };
};
