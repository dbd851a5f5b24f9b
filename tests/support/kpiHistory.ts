import { storedEventSchemas } from '../../application/eventSchemas.js';
import type { Money } from '../../domain/shared/money.js';
import type { GivenEvent } from './projectionSpecification.js';

/**
 * A small history of a sales team's April and May 2026, as the events that recorded it, for the
 * KPI specs: every figure of every metric over it is worked out by hand beside the tables that
 * check it. Times are 09:00 or 10:00 in Beijing (01:00 or 02:00 UTC), so each falls on the company
 * day its date says. Every event's data is checked against its stored schema, so the history is
 * one the system could have written.
 */

const schemas = storedEventSchemas();

export const cny = (minor: number): Money => ({ minor, currency: 'CNY' });
export const usd = (minor: number): Money => ({ minor, currency: 'USD' });

/** 2026-04-03 at 09:00 in Beijing, as `on('04-03')`; `on('04-03', 2)` is 10:00. */
export const on = (monthDay: string, utcHour = 1) => `2026-${monthDay}T0${utcHour}:00:00.000Z`;

const event = (streamId: string, type: string, data: Record<string, unknown>, occurredAt: string): GivenEvent => ({
  streamId,
  type,
  data: schemas.validate(type, data),
  metadata: { occurredAt },
});

const PRODUCTS = { FW: { list: 100_000, cost: 40_000 }, AV: { list: 10_000, cost: 5_000 } } as const;
type Sku = keyof typeof PRODUCTS;

const hired = (actorId: string, team: string) => event(`rep-${actorId}`, 'RepHired', { actorId, name: actorId, team, role: 'sales_rep' }, on('03-01'));
const registered = (customerId: string, industry: string, region: string) =>
  event(`customer-${customerId}`, 'CustomerRegistered', { customerId, name: customerId, industry, region }, on('03-01'));
const published = (sku: Sku) => {
  const { list, cost } = PRODUCTS[sku];
  return event(
    `product-${sku}`,
    'ProductPublished',
    { sku, name: sku, capabilities: [], maxSla: { availabilityPct: 99.9, responseHours: 4 }, leadTimeDays: 5, listPrice: cny(list), floorPrice: cny(list / 2), unitCost: cny(cost) },
    on('03-01'),
  );
};
const cost = (campaignId: string, costId: string, minor: number, at: string) =>
  event(`campaign-${campaignId}`, 'CampaignCostRecorded', { campaignId, costId, amount: cny(minor), note: 'venue', recordedBy: 'mgr', recordedAt: at }, at);

const captured = (leadId: string, source: string, capturedBy: string, at: string, refs: { sourceRef?: string; campaignId?: string } = {}) =>
  event(`lead-${leadId}`, 'LeadCaptured', { leadId, source, company: leadId, contact: { name: 'sealed', email: 'sealed' }, interest: 'firewalls', capturedBy, ...refs }, at);
const converted = (leadId: string, opportunityId: string, customerId: string, source: string, at: string, sourceRef?: string) =>
  event(
    `lead-${leadId}`,
    'LeadConverted',
    { leadId, customerId, customerIsNew: false, opportunityId, company: leadId, interest: 'firewalls', source, ...(sourceRef ? { sourceRef } : {}) },
    at,
  );

const deal = (opportunityId: string) => `opportunity-${opportunityId}`;
const opened = (opportunityId: string, ownerId: string, customerId: string, amount: Money, at: string) =>
  event(deal(opportunityId), 'OpportunityOpened', { opportunityId, customerId, title: opportunityId, ownerId, amount, stage: 'qualification' }, at);
const moved = (opportunityId: string, from: string, to: string, at: string) =>
  event(deal(opportunityId), 'OpportunityStageChanged', { opportunityId, from, to, ...(to === 'qualification' ? { reason: 'budget review' } : {}) }, at);
const won = (opportunityId: string, customerId: string, amount: Money, at: string) => event(deal(opportunityId), 'OpportunityWon', { opportunityId, customerId, amount }, at);
const lost = (opportunityId: string, customerId: string, at: string) => event(deal(opportunityId), 'OpportunityLost', { opportunityId, customerId, reason: 'no budget' }, at);
const sourced = (opportunityId: string, source: { campaignId?: string; partnerId?: string }, at: string) =>
  event(deal(opportunityId), 'OpportunitySourceLinked', { opportunityId, ...source }, at);
const registrationLinked = (opportunityId: string, registrationId: string, partnerId: string, at: string) =>
  event(deal(opportunityId), 'OpportunityRegistrationLinked', { opportunityId, registrationId, partnerId }, at);

const quote = (quoteId: string) => `quote-${quoteId}`;
const drafted = (quoteId: string, opportunityId: string, customerId: string, ownerId: string, sku: Sku, qty: number, discountPct: number, at: string) => {
  const list = PRODUCTS[sku].list;
  const unit = (list * (100 - discountPct)) / 100;
  const line = {
    sku,
    qty,
    listPrice: cny(list),
    floorPrice: cny(list / 2),
    unitPrice: cny(list),
    discountPct,
    listTotal: cny(list * qty),
    discountAmount: cny((list - unit) * qty),
    netTotal: cny(unit * qty),
  };
  return event(
    quote(quoteId),
    'QuoteDrafted',
    { quoteId, opportunityId, customerId, ownerId, validUntil: '2026-06-30T00:00:00.000Z', lines: [line], subtotal: line.listTotal, discountTotal: line.discountAmount, total: line.netTotal },
    at,
  );
};
const sent = (quoteId: string, ownerId: string, at: string) => event(quote(quoteId), 'QuoteSent', { quoteId, sentBy: ownerId }, at);
const accepted = (quoteId: string, opportunityId: string, customerId: string, total: Money, at: string) =>
  event(quote(quoteId), 'QuoteAccepted', { quoteId, opportunityId, customerId, total }, at);

const order = (orderId: string) => `order-${orderId}`;
const placed = (orderId: string, quoteId: string, customerId: string, sku: Sku, qty: number, total: Money, promisedDeliveryDate: string, at: string) =>
  event(
    order(orderId),
    'OrderPlaced',
    {
      orderId,
      quoteId,
      customerId,
      lines: [{ sku, qty, unitPrice: cny(total.minor / qty), netTotal: total }],
      total,
      promisedDeliveryDate,
      creditCheck: { limit: null, openOrdersTotal: cny(0), riskFlagged: false },
    },
    at,
  );
const fullyDelivered = (orderId: string, customerId: string, promisedDeliveryDate: string, late: boolean, at: string) =>
  event(order(orderId), 'OrderFullyDelivered', { orderId, customerId, promisedDeliveryDate, late }, at);
const cancelled = (orderId: string, customerId: string, total: Money, at: string) => event(order(orderId), 'OrderCancelled', { orderId, customerId, total, reason: 'customer withdrew' }, at);

const promise = (promiseId: string) => `promise-${promiseId}`;
const promised = (promiseId: string, madeBy: string, customerId: string, dueDate: string, at: string) =>
  event(
    promise(promiseId),
    'PromiseRecorded',
    { promiseId, customerId, kind: 'delivery', statement: 'Delivered by the due date', committed: { deliveryDate: dueDate }, dueDate, madeBy, recordedAt: at },
    at,
  );
const fulfilled = (promiseId: string, customerId: string, at: string) => event(promise(promiseId), 'PromiseFulfilled', { promiseId, customerId, evidence: 'signed receipt' }, at);
const broken = (promiseId: string, customerId: string, at: string) => event(promise(promiseId), 'PromiseBroken', { promiseId, customerId, reason: 'supplier late' }, at);
const withdrawn = (promiseId: string, customerId: string, at: string) => event(promise(promiseId), 'PromiseWithdrawn', { promiseId, customerId, reason: 'scope changed' }, at);
const wentOverdue = (promiseId: string, customerId: string, dueDate: string, at: string) => event(promise(promiseId), 'PromiseWentOverdue', { promiseId, customerId, dueDate }, at);

const raised = (findingId: string, sellerId: string, customerId: string, subject: { kind: string; id: string }, at: string) =>
  event(
    `finding-${findingId}`,
    'FindingRaised',
    {
      findingId,
      ruleId: 'CMP-06',
      ruleName: 'No delivery date the lead time cannot meet',
      severity: 'medium',
      policyRevision: 1,
      detail: 'too soon',
      evidence: [{ streamId: `${subject.kind}-${subject.id}`, revision: 0, hash: 'a'.repeat(64) }],
      customerId,
      sellerId,
      subject,
      raisedAt: at,
    },
    at,
  );

const targetOf = (targetId: string, subject: { kind: string; id: string }, period: string, figure: { amount: Money } | { count: number }, at: string, reason?: string) =>
  reason === undefined
    ? event(`target-${targetId}`, 'TargetSet', { targetId, subject, period, metric: 'amount' in figure ? 'bookings' : 'new_customers', ...figure, setBy: 'mgr' }, at)
    : event(`target-${targetId}`, 'TargetRevised', { targetId, subject, period, metric: 'bookings', ...figure, reason, revisedBy: 'mgr' }, at);

const snapshot = (period: string, periodStart: string, owners: { ownerId: string; team: string; openMinor: number; weightedMinor: number; openCount: number }[]) =>
  event(
    `forecast-${period}`,
    'ForecastSnapshotTaken',
    {
      period,
      periodStart,
      takenAt: periodStart,
      position: null,
      policyRevision: 1,
      owners: owners.map(({ ownerId, team, openMinor, weightedMinor, openCount }) => ({
        ownerId,
        team,
        currency: 'CNY',
        openCount,
        openMinor: String(openMinor),
        weightedMinor: String(weightedMinor),
      })),
    },
    periodStart,
  );

/**
 * Sellers rep-a and rep-b in team east, rep-c in team north; customers c1 (finance, east) and c2
 * (energy, north); campaigns cmp-w (a webinar) and cmp-e (an event); partner ptn-1.
 *
 * D1 rep-a c1 100,000 CNY: from lead L1 of cmp-w, touched again by cmp-e; qualification 2 days,
 *    proposal 4, negotiation 4; won 13 Apr (10 days). Quote Q1 FW 10% off sent, accepted, ordered
 *    as O1, due 20 Apr, delivered in full on the 18th. Margin 90,000 - 40,000 = 50,000.
 * D2 rep-a c2 50,000 CNY: from partner lead L3 of ptn-1; lost 12 Apr from qualification (4 days).
 *    Quote Q2 AV x5 20% off sent, never ordered.
 * D3 rep-b c1 30,000 CNY: opened 5 Apr; qualification 2 days, discovery 1, back to qualification
 *    2, proposal 25; under ptn-1's registration; won 5 May at 36,000 (30 days). Quote Q3 AV x4 10%
 *    off sent 21 Apr, ordered as O2 on 5 May, due 10 May, delivered on the 12th, late.
 * D4 rep-c c2 20,000 USD: won 20 Apr from qualification (10 days).
 * D5 rep-b c2 40,000 CNY: open. Quote Q4 FW x2 at list sent, ordered as O3 and cancelled.
 * Leads: L1 (campaign cmp-w, rep-a, converted after 2 days), L2 (inbound naming cmp-e, rep-b),
 *    L3 (partner ptn-1, rep-a, converted after 4 days), L4 (inbound, rep-b).
 * Promises: P1 rep-a kept; P2 rep-a overdue, then fulfilled late; P3 rep-b broken; P4 rep-b
 *    withdrawn; P5 rep-c (recorded in May) still open. Findings on P2 and P3, and one on Q2.
 * Campaign costs: cmp-w 20,000 (April) and 10,000 (May); cmp-e 30,000 (April).
 * Forecasts: April rep-a open 150,000 weighted 90,000, rep-b open 40,000 weighted 20,000; May
 *    rep-b open 70,000 weighted 45,000.
 * Bookings targets: rep-a 200,000 for April; team east 300,000 for April; rep-b 100,000 for May,
 *    revised to 140,000. rep-c has a target of new customers, which is no money.
 */
export const kpiHistory = (): GivenEvent[] => [
  hired('rep-a', 'east'),
  hired('rep-b', 'east'),
  hired('rep-c', 'north'),
  registered('c1', 'finance', 'east'),
  registered('c2', 'energy', 'north'),
  published('FW'),
  published('AV'),
  targetOf('T1', { kind: 'rep', id: 'rep-a' }, '2026-04', { amount: cny(200_000) }, on('03-01')),
  targetOf('T2', { kind: 'team', id: 'east' }, '2026-04', { amount: cny(300_000) }, on('03-01')),
  targetOf('T3', { kind: 'rep', id: 'rep-b' }, '2026-05', { amount: cny(100_000) }, on('03-01')),
  targetOf('T4', { kind: 'rep', id: 'rep-c' }, '2026-04', { count: 3 }, on('03-01')),
  snapshot('2026-04', '2026-03-31T16:00:00.000Z', [
    { ownerId: 'rep-a', team: 'east', openMinor: 150_000, weightedMinor: 90_000, openCount: 2 },
    { ownerId: 'rep-b', team: 'east', openMinor: 40_000, weightedMinor: 20_000, openCount: 1 },
  ]),
  captured('L1', 'campaign', 'rep-a', on('04-01'), { sourceRef: 'cmp-w' }),
  cost('cmp-w', 'k1', 20_000, on('04-01', 2)),
  captured('L2', 'inbound', 'rep-b', on('04-02', 2), { campaignId: 'cmp-e' }),
  promised('P1', 'rep-a', 'c1', '2026-04-10', on('04-02', 2)),
  converted('L1', 'D1', 'c1', 'campaign', on('04-03'), 'cmp-w'),
  opened('D1', 'rep-a', 'c1', cny(100_000), on('04-03')),
  sourced('D1', { campaignId: 'cmp-w' }, on('04-03')),
  promised('P2', 'rep-a', 'c1', '2026-04-15', on('04-03', 2)),
  raised('F1', 'rep-a', 'c1', { kind: 'promise', id: 'P2' }, on('04-03', 2)),
  captured('L3', 'partner', 'rep-a', on('04-04', 2), { sourceRef: 'ptn-1' }),
  promised('P3', 'rep-b', 'c2', '2026-04-20', on('04-04', 2)),
  raised('F3', 'rep-b', 'c2', { kind: 'promise', id: 'P3' }, on('04-04', 2)),
  moved('D1', 'qualification', 'proposal', on('04-05')),
  opened('D3', 'rep-b', 'c1', cny(30_000), on('04-05', 2)),
  sourced('D1', { campaignId: 'cmp-e' }, on('04-06')),
  drafted('Q1', 'D1', 'c1', 'rep-a', 'FW', 1, 10, on('04-06')),
  promised('P4', 'rep-b', 'c1', '2026-05-05', on('04-06', 2)),
  sent('Q1', 'rep-a', on('04-07')),
  moved('D3', 'qualification', 'discovery', on('04-07', 2)),
  converted('L3', 'D2', 'c2', 'partner', on('04-08', 2), 'ptn-1'),
  opened('D2', 'rep-a', 'c2', cny(50_000), on('04-08', 2)),
  sourced('D2', { partnerId: 'ptn-1' }, on('04-08', 2)),
  moved('D3', 'discovery', 'qualification', on('04-08', 2)),
  moved('D1', 'proposal', 'negotiation', on('04-09')),
  fulfilled('P1', 'c1', on('04-09', 2)),
  drafted('Q2', 'D2', 'c2', 'rep-a', 'AV', 5, 20, on('04-09', 2)),
  accepted('Q1', 'D1', 'c1', cny(90_000), on('04-10')),
  sent('Q2', 'rep-a', on('04-10', 2)),
  raised('F2', 'rep-a', 'c2', { kind: 'quote', id: 'Q2' }, on('04-10', 2)),
  moved('D3', 'qualification', 'proposal', on('04-10', 2)),
  opened('D4', 'rep-c', 'c2', usd(20_000), on('04-10', 2)),
  placed('O1', 'Q1', 'c1', 'FW', 1, cny(90_000), '2026-04-20', on('04-11')),
  registrationLinked('D3', 'R1', 'ptn-1', on('04-11', 2)),
  lost('D2', 'c2', on('04-12', 2)),
  opened('D5', 'rep-b', 'c2', cny(40_000), on('04-12', 2)),
  won('D1', 'c1', cny(100_000), on('04-13')),
  drafted('Q4', 'D5', 'c2', 'rep-b', 'FW', 2, 0, on('04-14', 2)),
  sent('Q4', 'rep-b', on('04-15', 2)),
  accepted('Q4', 'D5', 'c2', cny(200_000), on('04-15', 2)),
  cost('cmp-e', 'k2', 30_000, on('04-15', 2)),
  wentOverdue('P2', 'c1', '2026-04-15', '2026-04-15T16:00:00.000Z'),
  placed('O3', 'Q4', 'c2', 'FW', 2, cny(200_000), '2026-04-25', on('04-16', 2)),
  cancelled('O3', 'c2', cny(200_000), on('04-17', 2)),
  fulfilled('P2', 'c1', on('04-17', 2)),
  fullyDelivered('O1', 'c1', '2026-04-20', false, on('04-18')),
  broken('P3', 'c2', on('04-18', 2)),
  won('D4', 'c2', usd(20_000), on('04-20', 2)),
  withdrawn('P4', 'c1', on('04-20', 2)),
  captured('L4', 'inbound', 'rep-b', on('04-20', 2)),
  drafted('Q3', 'D3', 'c1', 'rep-b', 'AV', 4, 10, on('04-20', 2)),
  sent('Q3', 'rep-b', on('04-21', 2)),
  targetOf('T3', { kind: 'rep', id: 'rep-b' }, '2026-05', { amount: cny(140_000) }, on('04-25', 2), 'the hospital deal came in'),
  snapshot('2026-05', '2026-04-30T16:00:00.000Z', [{ ownerId: 'rep-b', team: 'east', openMinor: 70_000, weightedMinor: 45_000, openCount: 2 }]),
  promised('P5', 'rep-c', 'c2', '2026-05-20', on('05-01', 2)),
  cost('cmp-w', 'k3', 10_000, on('05-02', 2)),
  accepted('Q3', 'D3', 'c1', cny(36_000), on('05-04', 2)),
  won('D3', 'c1', cny(36_000), on('05-05', 2)),
  placed('O2', 'Q3', 'c1', 'AV', 4, cny(36_000), '2026-05-10', on('05-05', 2)),
  fullyDelivered('O2', 'c1', '2026-05-10', true, on('05-12', 2)),
];
