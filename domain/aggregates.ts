import { anchorAggregate } from './anchor/anchor.js';
import { campaignAggregate } from './campaign/campaign.js';
import { productAggregate } from './catalog/product.js';
import { promotionAggregate } from './catalog/promotion.js';
import { complaintAggregate } from './complaint/complaint.js';
import { findingAggregate } from './compliance/finding.js';
import { fxRateAggregate } from './fx/fxRate.js';
import { incentiveDisputeAggregate } from './incentive/dispute.js';
import { incentivePeriodAggregate } from './incentive/incentivePeriod.js';
import { incentivePlanAggregate } from './incentive/plan.js';
import { incentiveStatementAggregate } from './incentive/statement.js';
import { customerAggregate } from './customer/customer.js';
import { forecastAggregate } from './forecast/forecast.js';
import { leadAggregate } from './lead/lead.js';
import { opportunityAggregate } from './opportunity/opportunity.js';
import { orderAggregate } from './order/order.js';
import { partnerAggregate } from './partner/partner.js';
import { registrationAggregate } from './partner/registration.js';
import { policyAggregate } from './policy/policy.js';
import { promiseAggregate } from './promise/promise.js';
import { quoteAggregate } from './quote/quote.js';
import type { AnyAggregate, EventOfAggregate } from './shared/aggregate.js';
import { targetAggregate } from './target/target.js';
import { repAggregate } from './team/rep.js';

/**
 * Every aggregate the system keeps. The event catalog, where personal data sits, and the replay
 * of any stream are all read off this list: a new aggregate is added here and nowhere else.
 */
export const aggregates = [
  customerAggregate,
  opportunityAggregate,
  productAggregate,
  promotionAggregate,
  leadAggregate,
  quoteAggregate,
  promiseAggregate,
  orderAggregate,
  policyAggregate,
  repAggregate,
  findingAggregate,
  anchorAggregate,
  complaintAggregate,
  targetAggregate,
  fxRateAggregate,
  incentivePlanAggregate,
  incentivePeriodAggregate,
  incentiveStatementAggregate,
  incentiveDisputeAggregate,
  campaignAggregate,
  partnerAggregate,
  registrationAggregate,
  forecastAggregate,
] as const;

/** Every event the system stores, as a union; projections name the types they handle from it. */
export type StoredEvent = EventOfAggregate<(typeof aggregates)[number]>;
export type StoredEventType = StoredEvent['type'];

const catalog: readonly AnyAggregate[] = aggregates;

/** Every stored event type, in the order its aggregate declares it. */
export const storedEventTypes = catalog.flatMap((aggregate) => Object.keys(aggregate.events)) as StoredEventType[];

/** "opportunity-0193…" -> "opportunity": categories are lower-case nouns without a dash. */
export const categoryOf = (streamId: string) => streamId.slice(0, Math.max(0, streamId.indexOf('-')));

const byCategory = new Map(catalog.map((aggregate) => [aggregate.category, aggregate]));

/** The aggregate that owns streams of this id's category, if any does. */
export const aggregateOf = (streamId: string): AnyAggregate | undefined => byCategory.get(categoryOf(streamId));

/** Where personal data sits in each event's data: those fields are sealed with the subject's key. */
export const personalDataFields: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  catalog.flatMap((aggregate) => Object.entries(aggregate.personalData?.fields ?? {})),
);
