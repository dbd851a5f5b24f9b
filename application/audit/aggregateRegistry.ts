import { PRODUCT_CATEGORY, productDecider } from '../../domain/catalog/product.js';
import { PROMOTION_CATEGORY, promotionDecider } from '../../domain/catalog/promotion.js';
import { FINDING_CATEGORY, findingDecider } from '../../domain/compliance/finding.js';
import { CUSTOMER_CATEGORY, customerDecider } from '../../domain/customer/customer.js';
import { LEAD_CATEGORY, leadDecider } from '../../domain/lead/lead.js';
import { OPPORTUNITY_CATEGORY, opportunityDecider } from '../../domain/opportunity/opportunity.js';
import { ORDER_CATEGORY, orderDecider } from '../../domain/order/order.js';
import { POLICY_CATEGORY, policyDecider } from '../../domain/policy/policy.js';
import { PROMISE_CATEGORY, promiseDecider } from '../../domain/promise/promise.js';
import { QUOTE_CATEGORY, quoteDecider } from '../../domain/quote/quote.js';
import type { DomainEvent } from '../../domain/shared/decider.js';
import { REP_CATEGORY, repDecider } from '../../domain/team/rep.js';
import type { RecordedEvent } from '../ports/eventStore.js';

/** The half of a decider that replays history: enough to say what an aggregate was after any event. */
export type Fold = { initialState: () => unknown; evolve: (state: unknown, event: DomainEvent) => unknown };

/** Each decider folds only its own events; the registry pairs it with its category, so the pairing is the type check. */
const fold = <State, Event extends DomainEvent>(decider: { initialState: () => State; evolve: (state: State, event: Event) => State }): Fold =>
  decider as unknown as Fold;

/** Stream category -> the decider that owns streams of it. */
export const aggregateRegistry: Readonly<Record<string, Fold>> = {
  [CUSTOMER_CATEGORY]: fold(customerDecider),
  [OPPORTUNITY_CATEGORY]: fold(opportunityDecider),
  [PRODUCT_CATEGORY]: fold(productDecider),
  [PROMOTION_CATEGORY]: fold(promotionDecider),
  [LEAD_CATEGORY]: fold(leadDecider),
  [QUOTE_CATEGORY]: fold(quoteDecider),
  [PROMISE_CATEGORY]: fold(promiseDecider),
  [ORDER_CATEGORY]: fold(orderDecider),
  [POLICY_CATEGORY]: fold(policyDecider),
  [REP_CATEGORY]: fold(repDecider),
  [FINDING_CATEGORY]: fold(findingDecider),
};

/** "opportunity-0193…" -> "opportunity": categories are lower-case nouns without a dash. */
export const categoryOf = (streamId: string) => streamId.slice(0, Math.max(0, streamId.indexOf('-')));

export const foldFor = (streamId: string): Fold | undefined => {
  const category = categoryOf(streamId);
  return Object.hasOwn(aggregateRegistry, category) ? aggregateRegistry[category] : undefined;
};

/** The state after each event of a stream's prefix, in order; null throughout for a category no decider owns. */
export const statesAfterEach = (streamId: string, events: readonly RecordedEvent[]): unknown[] => {
  const decider = foldFor(streamId);
  if (!decider) return events.map(() => null);
  let state = decider.initialState();
  return events.map((event) => (state = decider.evolve(state, { type: event.type, data: event.data })));
};
