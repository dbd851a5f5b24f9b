import type { Money } from '../shared/money.js';

/**
 * What the KPIs count. Each fact is one countable thing that happened (a deal closed, a quote
 * sent, a promise fell due), attributed to one instant, carrying the dimensions it is grouped by as
 * they stood when it happened, and the events it rests on, so any figure can be traced back to the
 * log. The KPI view keeps them; the metrics (metrics.ts) read nothing else.
 */

/** An event a fact counts, as the log holds it: enough to find it and check it by hand. */
export type EventRef = { readonly streamId: string; readonly revision: number; readonly position: number; readonly type: string; readonly occurredAt: string };

/** A campaign or partner that touched a deal or a lead, and when. */
export type Touch = { readonly kind: 'campaign' | 'partner'; readonly id: string; readonly at: string };

/** What every fact is grouped and filtered by; null where it is not known (a lead's region before it becomes a customer). */
export type Dimensions = {
  readonly ownerId: string | null;
  readonly team: string | null;
  readonly region: string | null;
  readonly industry: string | null;
  /** Where the lead came from (inbound, campaign, partner, referral); null for a deal opened without a lead. */
  readonly source: string | null;
  readonly skus: readonly string[];
  readonly campaigns: readonly string[];
  readonly partners: readonly string[];
};

type FactOf<Kind extends string, Measures> = { readonly id: string; readonly kind: Kind; readonly at: string; readonly evidence: readonly EventRef[] } & Dimensions & Measures;

export type DealOpenedFact = FactOf<'deal_opened', { readonly amount: Money; readonly touches: readonly Touch[] }>;
export type DealClosedFact = FactOf<
  'deal_closed',
  {
    readonly outcome: 'won' | 'lost';
    readonly amount: Money;
    readonly openedAt: string;
    readonly touches: readonly Touch[];
    /** The accepted quote's net total less its cost of goods at the catalog's unit costs; null without an accepted quote in one currency. */
    readonly margin: Money | null;
  }
>;
export type StageExitFact = FactOf<'stage_exit', { readonly stage: string; readonly enteredAt: string; readonly advanced: boolean }>;
export type QuoteSentFact = FactOf<'quote_sent', { readonly currency: string; readonly listMinor: number; readonly netMinor: number; readonly ordered: boolean }>;
export type OrderDueFact = FactOf<
  'order_due',
  {
    /** The first instant after the promised delivery day, in the company's zone. */
    readonly dueEnd: string;
    readonly fullyDeliveredAt: string | null;
    /** Whether the delivery that completed it came by the promised day; null until it is complete. */
    readonly completeOnTime: boolean | null;
    readonly cancelled: boolean;
  }
>;
export type PromiseDueFact = FactOf<'promise_due', { readonly outcome: 'open' | 'kept' | 'broken' | 'overdue' | 'withdrawn' }>;
export type PromiseRecordedFact = FactOf<'promise_recorded', Record<never, never>>;
export type FindingRaisedFact = FactOf<'finding_raised', { readonly ruleId: string; readonly subjectKind: string }>;
export type LeadCapturedFact = FactOf<'lead_captured', { readonly converted: boolean }>;
export type LeadConvertedFact = FactOf<'lead_converted', { readonly capturedAt: string }>;
export type CampaignCostFact = FactOf<'campaign_cost', { readonly amount: Money }>;
export type ForecastFact = FactOf<'forecast', { readonly period: string; readonly currency: string; readonly openMinor: string; readonly weightedMinor: string }>;
/** A money target for a period (2026-04, 2026-Q2), at the period's first instant: a rep's, a team's or a region's, on one measure. */
export type TargetFact = FactOf<'target', { readonly period: string; readonly metric: string; readonly subjectKind: 'rep' | 'team' | 'region'; readonly amount: Money }>;

export type KpiFact =
  | DealOpenedFact
  | DealClosedFact
  | StageExitFact
  | QuoteSentFact
  | OrderDueFact
  | PromiseDueFact
  | PromiseRecordedFact
  | FindingRaisedFact
  | LeadCapturedFact
  | LeadConvertedFact
  | CampaignCostFact
  | ForecastFact
  | TargetFact;

export type FactKind = KpiFact['kind'];
export type FactOfKind<Kind extends FactKind> = Extract<KpiFact, { kind: Kind }>;
