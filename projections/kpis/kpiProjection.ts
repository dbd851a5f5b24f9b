import type { RecordedEvent } from '../../application/ports/eventStore.js';
import type { Document } from '../../application/ports/readStore.js';
import type { Dimensions, EventRef, KpiFact, Touch } from '../../domain/analytics/facts.js';
import { campaignOfLead, partnerOfLead, type LeadSource } from '../../domain/lead/lead.js';
import { STAGES, type Stage } from '../../domain/opportunity/opportunity.js';
import { addDays, startOfCompanyDay } from '../../domain/shared/calendar.js';
import { periodBounds } from '../../domain/shared/period.js';
import { withinAmountLimit, type Money } from '../../domain/shared/money.js';
import type { DocumentRef, Projection, ProjectionWriter, RecordedEventOf } from '../projection.js';

export const KPIS = 'kpis';
/** The facts the KPIs count, one document each (domain/analytics/facts.ts). */
export const KPI_FACTS = 'kpi_facts';
/** What the facts are built from: each deal, quote, seller, customer and product as the facts need it. */
export const KPI_DEALS = 'kpi_deals';
export const KPI_QUOTES = 'kpi_quotes';
export const KPI_SELLERS = 'kpi_sellers';
export const KPI_CUSTOMERS = 'kpi_customers';
export const KPI_PRODUCTS = 'kpi_products';

/** A fact as stored: kindAt ("deal_closed|2026-04-03T02:00:00.000Z") serves a range of one kind's facts from one index. */
export type FactDocument = Document & KpiFact & { kindAt: string };

export const kindAt = (kind: string, at: string) => `${kind}|${at}`;

type DealDoc = Document & {
  opened: boolean;
  ownerId: string | null;
  customerId: string | null;
  amount: Money | null;
  openedAt: string | null;
  opening: EventRef | null;
  stage: Stage | null;
  stageEnteredAt: string | null;
  stageEntry: EventRef | null;
  status: 'open' | 'won' | 'lost';
  source: string | null;
  touches: Touch[];
  /** The events that touched the deal, each once. */
  touchEvidence: EventRef[];
  skus: string[];
  margin: Money | null;
  marginEvidence: EventRef | null;
};

type QuoteDoc = Document & {
  opportunityId: string;
  customerId: string;
  ownerId: string;
  currency: string;
  listMinor: number;
  netMinor: number;
  skus: string[];
  lines: { sku: string; qty: number; netMinor: number }[];
  drafted: EventRef;
};

type SellerDoc = Document & { team: string };
type CustomerDoc = Document & { region: string; industry: string };
type ProductDoc = Document & { unitCost: Money };

const HANDLED = [
  'RepHired',
  'RepTeamChanged',
  'CustomerRegistered',
  'CustomerProfileUpdated',
  'ProductPublished',
  'ProductPriceRevised',
  'CampaignCostRecorded',
  'LeadCaptured',
  'LeadConverted',
  'OpportunityOpened',
  'OpportunityStageChanged',
  'OpportunityWon',
  'OpportunityLost',
  'OpportunityReassigned',
  'OpportunitySourceLinked',
  'OpportunityRegistrationLinked',
  'QuoteDrafted',
  'QuoteSent',
  'QuoteAccepted',
  'OrderPlaced',
  'OrderFullyDelivered',
  'OrderCancelled',
  'PromiseRecorded',
  'PromiseFulfilled',
  'PromiseBroken',
  'PromiseWithdrawn',
  'PromiseWentOverdue',
  'FindingRaised',
  'ForecastSnapshotTaken',
  'TargetSet',
  'TargetRevised',
] as const;

type Handled = (typeof HANDLED)[number];
type KpiEvent = RecordedEventOf<Handled>;

/** An instant as the Clock writes it, which needs no rewriting; any other form is read and written in it. */
const CANONICAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** When the event happened, in UTC: facts are compared and bucketed by these strings, so they must all be written alike. */
const occurredAt = (event: RecordedEvent) => {
  const at = String(event.metadata.occurredAt);
  return CANONICAL_INSTANT.test(at) ? at : new Date(at).toISOString();
};

export const eventRef = (event: RecordedEvent): EventRef => ({
  streamId: event.streamId,
  revision: event.revision,
  position: event.position,
  type: event.type,
  occurredAt: occurredAt(event),
});

const fact = (kind: string, ...ids: string[]) => [kind, ...ids].join('|');
const ref = (collection: string, id: string) => ({ collection, id });
const distinct = (values: readonly (string | undefined | null)[]) => [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
const withEvidence = (evidence: readonly EventRef[], ...added: EventRef[]) => [...evidence, ...added.filter((e) => !evidence.some((known) => known.position === e.position))];

/** The dimensions of a fact about a seller's work, as they stand now: the seller's team, the customer's region and industry. */
const dimensions = (
  view: ProjectionWriter,
  { ownerId, customerId, source = null, skus = [], touches = [] }: { ownerId: string | null; customerId: string | null; source?: string | null; skus?: readonly string[]; touches?: readonly Touch[] },
): Dimensions => {
  const seller = ownerId === null ? null : (view.get(KPI_SELLERS, ownerId) as SellerDoc | null);
  const customer = customerId === null ? null : (view.get(KPI_CUSTOMERS, customerId) as CustomerDoc | null);
  return {
    ownerId,
    team: seller?.team ?? null,
    region: customer?.region ?? null,
    industry: customer?.industry ?? null,
    source,
    skus: [...skus],
    campaigns: distinct(touches.filter((t) => t.kind === 'campaign').map((t) => t.id)),
    partners: distinct(touches.filter((t) => t.kind === 'partner').map((t) => t.id)),
  };
};

const putFact = (view: ProjectionWriter, doc: KpiFact) => view.put(KPI_FACTS, { ...doc, kindAt: kindAt(doc.kind, doc.at) } as FactDocument);
const getFact = <F extends KpiFact>(view: ProjectionWriter, id: string) => view.get(KPI_FACTS, id) as (FactDocument & F) | null;

const freshDeal = (id: string): DealDoc => ({
  id,
  opened: false,
  ownerId: null,
  customerId: null,
  amount: null,
  openedAt: null,
  opening: null,
  stage: null,
  stageEnteredAt: null,
  stageEntry: null,
  status: 'open',
  source: null,
  touches: [],
  touchEvidence: [],
  skus: [],
  margin: null,
  marginEvidence: null,
});

const dealDimensions = (view: ProjectionWriter, deal: DealDoc) =>
  dimensions(view, { ownerId: deal.ownerId, customerId: deal.customerId, source: deal.source, skus: deal.skus, touches: deal.touches });

/** Keeps the deal's pipeline-created fact in step with what it learns while open: who touched it, what was quoted. */
const refreshOpenedFact = (view: ProjectionWriter, deal: DealDoc) => {
  const opened = getFact<Extract<KpiFact, { kind: 'deal_opened' }>>(view, fact('deal_opened', deal.id));
  if (!opened) return;
  // Only what was learnt changes; the owner, team and customer stay those of the opening.
  const { skus, campaigns, partners } = dealDimensions(view, deal);
  putFact(view, { ...opened, skus, campaigns, partners, touches: deal.touches, evidence: withEvidence(opened.evidence, ...deal.touchEvidence) });
};

const addTouches = (view: ProjectionWriter, deal: DealDoc, touches: Touch[], evidence: EventRef) => {
  const updated: DealDoc = { ...deal, touches: [...deal.touches, ...touches], touchEvidence: withEvidence(deal.touchEvidence, evidence) };
  view.put(KPI_DEALS, updated);
  if (updated.opened && updated.status === 'open') refreshOpenedFact(view, updated);
};

/** The deal leaves its stage: forwards (a later stage, or won) or not. */
const exitStage = (view: ProjectionWriter, deal: DealDoc, event: KpiEvent, advanced: boolean) => {
  if (deal.stage === null || deal.stageEnteredAt === null || deal.stageEntry === null) return;
  const at = occurredAt(event);
  putFact(view, {
    id: fact('stage_exit', deal.id, String(event.revision)),
    kind: 'stage_exit',
    at,
    ...dealDimensions(view, deal),
    stage: deal.stage,
    enteredAt: deal.stageEnteredAt,
    advanced,
    evidence: [deal.stageEntry, eventRef(event)],
  });
};

const close = (view: ProjectionWriter, deal: DealDoc, event: KpiEvent, outcome: 'won' | 'lost') => {
  if (!deal.opened || deal.status !== 'open' || deal.amount === null || deal.openedAt === null || deal.opening === null) return;
  exitStage(view, deal, event, outcome === 'won');
  const amount = event.type === 'OpportunityWon' ? event.data.amount : deal.amount;
  putFact(view, {
    id: fact('deal_closed', deal.id),
    kind: 'deal_closed',
    at: occurredAt(event),
    ...dealDimensions(view, deal),
    outcome,
    amount,
    openedAt: deal.openedAt,
    touches: deal.touches,
    margin: outcome === 'won' ? deal.margin : null,
    evidence: [deal.opening, eventRef(event), ...deal.touchEvidence, ...(outcome === 'won' && deal.marginEvidence ? [deal.marginEvidence] : [])],
  });
  view.put(KPI_DEALS, { ...deal, status: outcome });
};

/** The accepted quote's net total less the cost of its goods at the catalog's unit costs; null when a product or its cost is not known in the quote's currency. */
const marginOf = (view: ProjectionWriter, quote: QuoteDoc): Money | null => {
  let margin = 0n;
  for (const line of quote.lines) {
    const product = view.get(KPI_PRODUCTS, line.sku) as ProductDoc | null;
    if (!product || product.unitCost.currency !== quote.currency) return null;
    margin += BigInt(line.netMinor) - BigInt(product.unitCost.minor) * BigInt(line.qty);
  }
  return withinAmountLimit(margin) ? { minor: Number(margin), currency: quote.currency } : null;
};

/** The campaign and partner a lead names, as touches at the moment it was captured. */
const leadTouches = (lead: { source: LeadSource; sourceRef?: string; campaignId?: string }, at: string): Touch[] => {
  const campaign = campaignOfLead(lead);
  const partner = partnerOfLead(lead);
  return [...(campaign ? [{ kind: 'campaign' as const, id: campaign, at }] : []), ...(partner ? [{ kind: 'partner' as const, id: partner, at }] : [])];
};

type PromiseDue = Extract<KpiFact, { kind: 'promise_due' }>;
const PROMISE_OUTCOMES = { PromiseFulfilled: 'kept', PromiseBroken: 'broken', PromiseWithdrawn: 'withdrawn', PromiseWentOverdue: 'overdue' } as const;

/** The documents an event names by the ids it carries. */
const namedDocuments = (event: RecordedEventOf<Handled>): DocumentRef[] => {
  switch (event.type) {
    case 'LeadCaptured':
      return [ref(KPI_FACTS, fact('lead_captured', event.data.leadId))];
    case 'LeadConverted':
      return [ref(KPI_FACTS, fact('lead_captured', event.data.leadId)), ref(KPI_DEALS, event.data.opportunityId)];
    case 'OpportunityOpened':
    case 'OpportunityStageChanged':
    case 'OpportunityReassigned':
    case 'OpportunitySourceLinked':
    case 'OpportunityRegistrationLinked':
    case 'OpportunityWon':
    case 'OpportunityLost':
      return [ref(KPI_DEALS, event.data.opportunityId), ref(KPI_FACTS, fact('deal_opened', event.data.opportunityId))];
    case 'QuoteDrafted':
      return [ref(KPI_DEALS, event.data.opportunityId), ref(KPI_FACTS, fact('deal_opened', event.data.opportunityId))];
    case 'QuoteSent':
      return [ref(KPI_QUOTES, event.data.quoteId)];
    case 'QuoteAccepted':
      return [ref(KPI_QUOTES, event.data.quoteId), ref(KPI_DEALS, event.data.opportunityId)];
    case 'OrderPlaced':
      return [ref(KPI_QUOTES, event.data.quoteId), ref(KPI_FACTS, fact('quote_sent', event.data.quoteId))];
    case 'OrderFullyDelivered':
    case 'OrderCancelled':
      return [ref(KPI_FACTS, fact('order_due', event.data.orderId))];
    case 'PromiseFulfilled':
    case 'PromiseBroken':
    case 'PromiseWithdrawn':
    case 'PromiseWentOverdue':
      return [ref(KPI_FACTS, fact('promise_due', event.data.promiseId))];
    case 'TargetRevised':
      return [ref(KPI_FACTS, fact('target', event.data.targetId))];
    default:
      return [];
  }
};

/** The customer a document or an event's data names, if it names one. */
const customerNamedBy = (source: unknown): DocumentRef[] => {
  const customerId = typeof source === 'object' && source !== null ? (source as { customerId?: unknown }).customerId : undefined;
  return typeof customerId === 'string' ? [ref(KPI_CUSTOMERS, customerId)] : [];
};

/**
 * The facts behind every KPI (domain/analytics/metrics.ts), each attributed to one instant and
 * carrying the events it counts, with the working state of deals, quotes, sellers, customers and
 * products they are built from. A fact takes the dimensions as they stood when it happened: a deal
 * won counts for the team its owner was in then, and the customer's region then.
 */
export const kpiProjection: Projection<Handled> = {
  name: KPIS,
  // 2: targets, for pipeline coverage.
  version: 2,
  collections: [
    { name: KPI_FACTS, indexes: { kind: 'string', kindAt: 'string' } },
    { name: KPI_DEALS, indexes: {} },
    { name: KPI_QUOTES, indexes: {} },
    { name: KPI_SELLERS, indexes: {}, loadWhole: true },
    // One per customer: read by id (documentsFor, documentsThrough), not held whole.
    { name: KPI_CUSTOMERS, indexes: {} },
    { name: KPI_PRODUCTS, indexes: {}, loadWhole: true },
  ],
  handles: HANDLED,
  documentsFor: (event) => [...namedDocuments(event), ...customerNamedBy(event.data)],
  /** The customers of the deals and quotes the event concerns, whose region and industry its facts take. */
  documentsThrough: (event, view) => namedDocuments(event).flatMap(({ collection, id }) => customerNamedBy(view.get(collection, id))),
  apply(event, view) {
    const at = occurredAt(event);
    switch (event.type) {
      case 'RepHired':
      case 'RepTeamChanged':
        view.put(KPI_SELLERS, { id: event.data.actorId, team: event.data.team } satisfies SellerDoc);
        return;
      case 'CustomerRegistered':
        view.put(KPI_CUSTOMERS, { id: event.data.customerId, region: event.data.region, industry: event.data.industry } satisfies CustomerDoc);
        return;
      case 'CustomerProfileUpdated': {
        const customer = view.get(KPI_CUSTOMERS, event.data.customerId) as CustomerDoc | null;
        if (!customer) return;
        const { region, industry } = event.data;
        view.put(KPI_CUSTOMERS, { ...customer, ...(region !== undefined ? { region } : {}), ...(industry !== undefined ? { industry } : {}) });
        return;
      }
      case 'ProductPublished':
      case 'ProductPriceRevised':
        view.put(KPI_PRODUCTS, { id: event.data.sku, unitCost: event.data.unitCost } satisfies ProductDoc);
        return;
      case 'CampaignCostRecorded': {
        const { campaignId, costId, amount } = event.data;
        putFact(view, {
          id: fact('campaign_cost', campaignId, costId),
          kind: 'campaign_cost',
          at,
          ...dimensions(view, { ownerId: null, customerId: null }),
          campaigns: [campaignId],
          amount,
          evidence: [eventRef(event)],
        });
        return;
      }
      case 'LeadCaptured': {
        const { leadId, source, capturedBy } = event.data;
        putFact(view, {
          id: fact('lead_captured', leadId),
          kind: 'lead_captured',
          at,
          ...dimensions(view, { ownerId: capturedBy ?? null, customerId: null, source, touches: leadTouches(event.data, at) }),
          converted: false,
          evidence: [eventRef(event)],
        });
        return;
      }
      case 'LeadConverted': {
        const captured = getFact<Extract<KpiFact, { kind: 'lead_captured' }>>(view, fact('lead_captured', event.data.leadId));
        if (!captured) return;
        putFact(view, { ...captured, converted: true, evidence: withEvidence(captured.evidence, eventRef(event)) });
        const { customerId, customer, opportunityId, source } = event.data;
        const known = view.get(KPI_CUSTOMERS, customerId) as CustomerDoc | null;
        const { id: _id, kind: _kind, at: capturedAt, evidence: _evidence, converted: _converted, kindAt: _kindAt, ...leadDimensions } = captured;
        putFact(view, {
          id: fact('lead_converted', event.data.leadId),
          kind: 'lead_converted',
          at,
          ...leadDimensions,
          region: known?.region ?? customer?.region ?? null,
          industry: known?.industry ?? customer?.industry ?? null,
          capturedAt,
          evidence: [captured.evidence[0]!, eventRef(event)],
        });
        // The deal it opens starts from the lead's touches, at the time the lead was captured.
        const deal = (view.get(KPI_DEALS, opportunityId) as DealDoc | null) ?? freshDeal(opportunityId);
        const touches = leadTouches(event.data, capturedAt);
        view.put(KPI_DEALS, { ...deal, source, touches: [...touches, ...deal.touches], touchEvidence: touches.length > 0 ? withEvidence(deal.touchEvidence, captured.evidence[0]!) : deal.touchEvidence });
        return;
      }
      case 'OpportunityOpened': {
        const { opportunityId, ownerId, customerId, amount, stage } = event.data;
        const opening = eventRef(event);
        const deal: DealDoc = {
          ...((view.get(KPI_DEALS, opportunityId) as DealDoc | null) ?? freshDeal(opportunityId)),
          opened: true,
          ownerId,
          customerId,
          amount,
          openedAt: at,
          opening,
          stage,
          stageEnteredAt: at,
          stageEntry: opening,
          status: 'open',
        };
        view.put(KPI_DEALS, deal);
        putFact(view, {
          id: fact('deal_opened', opportunityId),
          kind: 'deal_opened',
          at,
          ...dealDimensions(view, deal),
          amount,
          touches: deal.touches,
          evidence: [opening, ...deal.touchEvidence],
        });
        return;
      }
      case 'QuoteDrafted': {
        const { quoteId, opportunityId, customerId, ownerId, lines, subtotal, total } = event.data;
        const skus = distinct(lines.map((line) => line.sku));
        view.put(KPI_QUOTES, {
          id: quoteId,
          opportunityId,
          customerId,
          ownerId,
          currency: total.currency,
          listMinor: subtotal.minor,
          netMinor: total.minor,
          skus,
          lines: lines.map((line) => ({ sku: line.sku, qty: line.qty, netMinor: line.netTotal.minor })),
          drafted: eventRef(event),
        } satisfies QuoteDoc);
        const deal = view.get(KPI_DEALS, opportunityId) as DealDoc | null;
        if (!deal || deal.status !== 'open') return;
        const updated = { ...deal, skus: distinct([...deal.skus, ...skus]) };
        view.put(KPI_DEALS, updated);
        refreshOpenedFact(view, updated);
        return;
      }
      case 'QuoteSent': {
        const quote = view.get(KPI_QUOTES, event.data.quoteId) as QuoteDoc | null;
        if (!quote) return;
        putFact(view, {
          id: fact('quote_sent', quote.id),
          kind: 'quote_sent',
          at,
          ...dimensions(view, { ownerId: quote.ownerId, customerId: quote.customerId, skus: quote.skus }),
          currency: quote.currency,
          listMinor: quote.listMinor,
          netMinor: quote.netMinor,
          ordered: false,
          evidence: [quote.drafted, eventRef(event)],
        });
        return;
      }
      case 'QuoteAccepted': {
        const quote = view.get(KPI_QUOTES, event.data.quoteId) as QuoteDoc | null;
        const deal = view.get(KPI_DEALS, event.data.opportunityId) as DealDoc | null;
        if (!quote || !deal) return;
        const margin = marginOf(view, quote);
        const sameCurrency = margin !== null && deal.amount !== null && margin.currency === deal.amount.currency;
        view.put(KPI_DEALS, { ...deal, margin: sameCurrency ? margin : null, marginEvidence: sameCurrency ? eventRef(event) : null });
        return;
      }
      case 'OrderPlaced': {
        const { orderId, quoteId, customerId, lines, promisedDeliveryDate } = event.data;
        const quote = view.get(KPI_QUOTES, quoteId) as QuoteDoc | null;
        const sent = getFact<Extract<KpiFact, { kind: 'quote_sent' }>>(view, fact('quote_sent', quoteId));
        if (sent) putFact(view, { ...sent, ordered: true, evidence: withEvidence(sent.evidence, eventRef(event)) });
        putFact(view, {
          id: fact('order_due', orderId),
          kind: 'order_due',
          at: startOfCompanyDay(promisedDeliveryDate),
          ...dimensions(view, { ownerId: quote?.ownerId ?? null, customerId, skus: distinct(lines.map((line) => line.sku)) }),
          dueEnd: startOfCompanyDay(addDays(promisedDeliveryDate, 1)),
          fullyDeliveredAt: null,
          completeOnTime: null,
          cancelled: false,
          evidence: [eventRef(event)],
        });
        return;
      }
      case 'OrderFullyDelivered':
      case 'OrderCancelled': {
        const due = getFact<Extract<KpiFact, { kind: 'order_due' }>>(view, fact('order_due', event.data.orderId));
        if (!due) return;
        const outcome =
          event.type === 'OrderFullyDelivered' ? { fullyDeliveredAt: at, completeOnTime: !event.data.late } : { cancelled: true };
        putFact(view, { ...due, ...outcome, evidence: withEvidence(due.evidence, eventRef(event)) });
        return;
      }
      case 'PromiseRecorded': {
        const { promiseId, customerId, madeBy, sku, dueDate } = event.data;
        const dims = dimensions(view, { ownerId: madeBy, customerId, skus: sku === undefined ? [] : [sku] });
        const recorded = eventRef(event);
        putFact(view, { id: fact('promise_recorded', promiseId), kind: 'promise_recorded', at, ...dims, evidence: [recorded] });
        putFact(view, { id: fact('promise_due', promiseId), kind: 'promise_due', at: startOfCompanyDay(dueDate), ...dims, outcome: 'open', evidence: [recorded] });
        return;
      }
      case 'PromiseFulfilled':
      case 'PromiseBroken':
      case 'PromiseWithdrawn':
      case 'PromiseWentOverdue': {
        const due = getFact<PromiseDue>(view, fact('promise_due', event.data.promiseId));
        // Only the first outcome counts: a promise fulfilled after it went overdue was not kept.
        if (!due || due.outcome !== 'open') return;
        putFact(view, { ...due, outcome: PROMISE_OUTCOMES[event.type], evidence: withEvidence(due.evidence, eventRef(event)) });
        return;
      }
      case 'FindingRaised': {
        const { findingId, ruleId, sellerId, customerId, subject } = event.data;
        putFact(view, {
          id: fact('finding_raised', findingId),
          kind: 'finding_raised',
          at,
          ...dimensions(view, { ownerId: sellerId, customerId: customerId ?? null }),
          ruleId,
          subjectKind: subject.kind,
          evidence: [eventRef(event)],
        });
        return;
      }
      case 'TargetSet':
      case 'TargetRevised': {
        // Only targets in money are set against the pipeline; a count of new customers is not.
        const { targetId, subject, period, metric, amount } = event.data;
        if (amount === undefined) return;
        const before = event.type === 'TargetRevised' ? getFact<Extract<KpiFact, { kind: 'target' }>>(view, fact('target', targetId)) : null;
        const dims = dimensions(view, { ownerId: subject.kind === 'rep' ? subject.id : null, customerId: null });
        putFact(view, {
          id: fact('target', targetId),
          kind: 'target',
          at: periodBounds(period).from,
          ...dims,
          ...(subject.kind === 'team' ? { team: subject.id } : {}),
          ...(subject.kind === 'region' ? { region: subject.id } : {}),
          period,
          metric,
          subjectKind: subject.kind,
          amount,
          evidence: withEvidence(before?.evidence ?? [], eventRef(event)),
        });
        return;
      }
      case 'ForecastSnapshotTaken': {
        const { period, periodStart, owners } = event.data;
        for (const owner of owners) {
          putFact(view, {
            id: fact('forecast', period, owner.ownerId, owner.currency),
            kind: 'forecast',
            at: periodStart,
            ...dimensions(view, { ownerId: owner.ownerId, customerId: null }),
            team: owner.team,
            period,
            currency: owner.currency,
            openMinor: owner.openMinor,
            weightedMinor: owner.weightedMinor,
            evidence: [eventRef(event)],
          });
        }
        return;
      }
    }
    const deal = view.get(KPI_DEALS, event.data.opportunityId) as DealDoc | null;
    if (!deal || !deal.opened) return;
    switch (event.type) {
      case 'OpportunityStageChanged': {
        if (deal.status !== 'open') return;
        exitStage(view, deal, event, STAGES.indexOf(event.data.to) > STAGES.indexOf(event.data.from));
        view.put(KPI_DEALS, { ...deal, stage: event.data.to, stageEnteredAt: at, stageEntry: eventRef(event) });
        return;
      }
      case 'OpportunityWon':
        return close(view, deal, event, 'won');
      case 'OpportunityLost':
        return close(view, deal, event, 'lost');
      case 'OpportunityReassigned':
        view.put(KPI_DEALS, { ...deal, ownerId: event.data.to });
        return;
      case 'OpportunitySourceLinked': {
        const { campaignId, partnerId } = event.data;
        const touches: Touch[] = [...(campaignId ? [{ kind: 'campaign' as const, id: campaignId, at }] : []), ...(partnerId ? [{ kind: 'partner' as const, id: partnerId, at }] : [])];
        return addTouches(view, deal, touches, eventRef(event));
      }
      case 'OpportunityRegistrationLinked':
        return addTouches(view, deal, [{ kind: 'partner', id: event.data.partnerId, at }], eventRef(event));
    }
  },
};
