import { join } from 'node:path';
import { pino } from 'pino';
import { SCHEMA_VERSION } from '../application/commandPipeline.js';
import { GENESIS_HASH, hashEvent } from '../application/eventIntegrity.js';
import { storedEventSchemas } from '../application/eventSchemas.js';
import { idFromKey } from '../application/ids.js';
import { policyInForce } from '../application/policy/policyInForce.js';
import type { EventToAppend } from '../application/ports/eventStore.js';
import { addDays, companyDay } from '../domain/shared/calendar.js';
import { loadConfig } from '../infrastructure/config.js';
import { SqliteEventStore } from '../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { openSystem } from '../infrastructure/system.js';

/**
 * A log as a few years of selling leave it, for the scale benchmark: about 54 customers per 1,000
 * events, each registered with a credit limit and a handful of interactions, most with a deal
 * moved through the stages; a deal won went through a quote sent and accepted, a delivery
 * promise kept and an order delivered, others were lost or are still open. The sellers, the
 * products and the policy go through the real command services; the bulk is appended through
 * the real event store as the pipeline would write it (every event checked against its schema,
 * hash-chained in its stream, the metadata the pipeline records), which is far faster than a
 * million commands and reads back the same.
 */

const DAY_MS = 86_400_000;
const TEAMS = ['east', 'north', 'south', 'west', 'central'];
const SELLERS_PER_TEAM = 8;
const INDUSTRIES = ['finance', 'energy', 'government', 'healthcare', 'manufacturing', 'retail', 'telecom'];
const STAGES = ['qualification', 'discovery', 'proposal', 'negotiation'] as const;
const KINDS = ['visit', 'call', 'email', 'demo'] as const;
const CURRENCIES = ['CNY', 'CNY', 'CNY', 'USD', 'EUR'];
/** Appends written together: one group commit each. */
const STREAMS_PER_COMMIT = 400;

const PRODUCTS = [
  { sku: 'FW-100', name: 'Next-generation firewall', capabilities: ['intrusion prevention', 'application control'], leadTimeDays: 14, listMinor: 12_000_000 },
  { sku: 'IPS-200', name: 'Intrusion prevention appliance', capabilities: ['intrusion prevention'], leadTimeDays: 10, listMinor: 8_000_000 },
  { sku: 'SOC-300', name: 'Managed security operations', capabilities: ['24x7 monitoring', 'incident response'], leadTimeDays: 7, listMinor: 3_000_000 },
  { sku: 'EDR-400', name: 'Endpoint detection and response', capabilities: ['endpoint detection'], leadTimeDays: 5, listMinor: 150_000 },
  { sku: 'WAF-500', name: 'Web application firewall', capabilities: ['web application protection'], leadTimeDays: 21, listMinor: 5_000_000 },
] as const;

export type ScaleLog = {
  events: number;
  customers: number;
  /** The log's first and last business day, as the compliance report is asked over them. */
  from: string;
  to: string;
  /** A customer whose own stream is long (its interactions), and one whose is ten events, for a command on each. */
  longStream: { customerId: string; events: number };
  shortStream: { customerId: string; events: number };
  /** A customer with many deals, for its audit history. */
  busyCustomer: { customerId: string; events: number };
  seconds: number;
};

type Actor = { id: string; role: string };
type Draft = { type: string; data: Record<string, unknown>; actor: Actor; at: number; policyVersion?: number };

const seller = (i: number): Actor => ({ id: `bench-rep-${i % (TEAMS.length * SELLERS_PER_TEAM)}`, role: 'sales_rep' });
const FINANCE: Actor = { id: 'bench-finance', role: 'finance' };
const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => companyDay(iso(ms));

/** The sellers, managers, products and trainings, through the real command services, on a clock set before the log begins. */
const putReferenceDataInPlace = async (dataDir: string, startMs: number, untilMs: number): Promise<number> => {
  const clock = { now: () => iso(startMs - DAY_MS) };
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ROLE: 'api', ANCHOR_INTERVAL_MS: '0' });
  const system = await openSystem({ config, logger: pino({ level: 'silent' }), clock });
  try {
    const admin = { id: 'bench-admin', role: 'admin' };
    const envelope = (key: string, actor: Actor) => ({ commandId: idFromKey('bench-reference', key), actor, correlationId: key });
    const { reps, products } = system.commands;
    for (const product of PRODUCTS) {
      const { listMinor, ...rest } = product;
      await products.publish(
        {
          ...rest,
          capabilities: [...product.capabilities],
          maxSla: { availabilityPct: 99.9, responseHours: 4 },
          listPrice: { minor: listMinor, currency: 'CNY' },
          floorPrice: { minor: Math.round(listMinor * 0.7), currency: 'CNY' },
          unitCost: { minor: Math.round(listMinor * 0.4), currency: 'CNY' },
        },
        envelope(`product ${product.sku}`, admin),
      );
    }
    const certifiedUntil = iso(untilMs + 365 * DAY_MS);
    for (const [t, team] of TEAMS.entries()) {
      const managerId = `bench-manager-${t}`;
      await reps.hire({ actorId: managerId, name: `Manager ${team}`, team, role: 'sales_manager' }, envelope(`hire ${managerId}`, admin));
      for (let s = 0; s < SELLERS_PER_TEAM; s++) {
        const { id } = seller(t * SELLERS_PER_TEAM + s);
        const manager = { id: managerId, role: 'sales_manager' };
        await reps.hire({ actorId: id, name: `Seller ${id}`, team, role: 'sales_rep', managerId }, envelope(`hire ${id}`, manager));
        await reps.recordTraining(
          id,
          { trainingId: `training-${id}`, course: 'Certified seller, whole catalog', passedAt: clock.now(), certifies: PRODUCTS.map((p) => p.sku), expiresAt: certifiedUntil },
          envelope(`training ${id}`, manager),
        );
      }
    }
    const policy = await policyInForce(system.eventStore, clock.now());
    if (!policy) throw new Error('No policy in force after start-up');
    return policy.revision;
  } finally {
    await system.close();
  }
};

/** One customer's dealings: its own stream, and a deal with what followed from it, each a stream of drafts in time order. */
const customerJourney = (i: number, atMs: number, policyVersion: number, interactions: number): Map<string, Draft[]> => {
  const customerId = idFromKey('bench-customer', String(i));
  const rep = seller(i);
  const streams = new Map<string, Draft[]>();
  let clock = atMs;
  const later = (hours: number) => (clock += hours * 3_600_000);
  const customer: Draft[] = [
    { type: 'CustomerRegistered', data: { customerId, name: `Customer ${i}`, industry: INDUSTRIES[i % INDUSTRIES.length]!, region: TEAMS[i % TEAMS.length]! }, actor: rep, at: clock },
    { type: 'CreditLimitSet', data: { customerId, limit: { minor: 2_000_000_000, currency: 'CNY' } }, actor: FINANCE, at: later(2) },
  ];
  for (let n = 0; n < interactions; n++) {
    customer.push({
      type: 'InteractionRecorded',
      data: { customerId, interactionId: idFromKey('bench-interaction', `${i} ${n}`), kind: KINDS[n % KINDS.length]!, note: `Talked through their security roadmap (${n + 1})` },
      actor: rep,
      at: later(20),
    });
  }
  streams.set(`customer-${customerId}`, customer);

  const outcome = i % 20 < 11 ? 'won' : i % 20 < 14 ? 'lost' : 'open';
  const product = PRODUCTS[i % PRODUCTS.length]!;
  const currency = outcome === 'won' ? 'CNY' : CURRENCIES[i % CURRENCIES.length]!;
  const qty = 1 + (i % 9);
  const amount = { minor: product.listMinor * qty, currency };
  const opportunityId = idFromKey('bench-opportunity', String(i));
  const deal: Draft[] = [
    { type: 'OpportunityOpened', data: { opportunityId, customerId, title: `${product.name} for customer ${i}`, ownerId: rep.id, amount, stage: 'qualification' }, actor: rep, at: later(24) },
  ];
  const reached = outcome === 'open' ? i % STAGES.length : STAGES.length - 1;
  for (let s = 1; s <= reached; s++) deal.push({ type: 'OpportunityStageChanged', data: { opportunityId, from: STAGES[s - 1], to: STAGES[s] }, actor: rep, at: later(72) });
  streams.set(`opportunity-${opportunityId}`, deal);
  if (outcome === 'lost') {
    deal.push({ type: 'OpportunityLost', data: { opportunityId, customerId, reason: 'Chose a competitor on price' }, actor: rep, at: later(96) });
    return streams;
  }
  if (outcome === 'open') return streams;

  const quoteId = idFromKey('bench-quote', String(i));
  const listPrice = { minor: product.listMinor, currency: 'CNY' };
  const total = { minor: product.listMinor * qty, currency: 'CNY' };
  const zero = { minor: 0, currency: 'CNY' };
  const line = { sku: product.sku, qty, listPrice, floorPrice: { minor: Math.round(product.listMinor * 0.7), currency: 'CNY' }, unitPrice: listPrice, discountPct: 0, listTotal: total, discountAmount: zero, netTotal: total };
  const drafted = later(24);
  streams.set(`quote-${quoteId}`, [
    { type: 'QuoteDrafted', data: { quoteId, opportunityId, customerId, ownerId: rep.id, draftedBy: rep.id, validUntil: iso(drafted + 30 * DAY_MS), lines: [line], subtotal: total, discountTotal: zero, total }, actor: rep, at: drafted, policyVersion },
    { type: 'QuoteSubmitted', data: { quoteId, submittedBy: rep.id, approvalRequired: false, reasons: [] }, actor: rep, at: later(1), policyVersion },
    { type: 'QuoteSent', data: { quoteId, sentBy: rep.id }, actor: rep, at: later(1), policyVersion },
    { type: 'QuoteAccepted', data: { quoteId, opportunityId, customerId, total }, actor: rep, at: later(72) },
  ]);
  deal.push({ type: 'OpportunityWon', data: { opportunityId, customerId, amount }, actor: rep, at: later(2) });

  const promiseId = idFromKey('bench-promise', String(i));
  const recordedAt = later(1);
  const deliveryDate = addDays(day(recordedAt), product.leadTimeDays + 3);
  streams.set(`promise-${promiseId}`, [
    {
      type: 'PromiseRecorded',
      data: {
        promiseId,
        customerId,
        opportunityId,
        kind: 'delivery',
        statement: `We will deliver ${qty} ${product.sku} by ${deliveryDate}, as the order states.`,
        sku: product.sku,
        committed: { deliveryDate },
        dueDate: deliveryDate,
        madeBy: rep.id,
        recordedAt: iso(recordedAt),
        policyVersion,
      },
      actor: rep,
      at: recordedAt,
      policyVersion,
    },
  ]);

  const orderId = idFromKey('bench-order', String(i));
  const placed = later(2);
  const delivered = Date.parse(`${deliveryDate}T02:00:00Z`) - DAY_MS;
  streams.get(`promise-${promiseId}`)!.push({ type: 'PromiseFulfilled', data: { promiseId, customerId, evidence: `Delivered under order ${orderId}` }, actor: rep, at: delivered + 3_600_000 });
  const deliveredToDate = [{ sku: product.sku, ordered: qty, delivered: qty }];
  streams.set(`order-${orderId}`, [
    {
      type: 'OrderPlaced',
      data: {
        orderId,
        quoteId,
        customerId,
        lines: [{ sku: product.sku, qty, unitPrice: listPrice, netTotal: total }],
        total,
        promisedDeliveryDate: deliveryDate,
        creditCheck: { limit: { minor: 2_000_000_000, currency: 'CNY' }, openOrdersTotal: zero, riskFlagged: false },
      },
      actor: rep,
      at: placed,
    },
    { type: 'OrderConfirmed', data: { orderId, customerId }, actor: FINANCE, at: placed + 3_600_000 },
    { type: 'OrderDelivered', data: { orderId, customerId, deliveryId: idFromKey('bench-delivery', String(i)), lines: [{ sku: product.sku, qty }], deliveredToDate, late: false }, actor: rep, at: delivered },
    { type: 'OrderFullyDelivered', data: { orderId, customerId, promisedDeliveryDate: deliveryDate, late: false }, actor: rep, at: delivered },
    { type: 'OrderCompleted', data: { orderId, customerId, total }, actor: rep, at: delivered + 60_000 },
  ]);
  return streams;
};

/** A customer that has been called on for years: one long stream of interactions. */
const longCustomer = (customerId: string, events: number, fromMs: number, spanMs: number): Draft[] => {
  const rep = seller(0);
  return [
    { type: 'CustomerRegistered', data: { customerId, name: 'Long-standing customer', industry: 'finance', region: 'east' }, actor: rep, at: fromMs },
    ...Array.from({ length: events - 1 }, (_, n) => ({
      type: 'InteractionRecorded',
      data: { customerId, interactionId: idFromKey('bench-long-interaction', `${customerId} ${n}`), kind: KINDS[n % KINDS.length]!, note: `Quarterly review call ${n + 1}` },
      actor: rep,
      at: fromMs + Math.floor(((n + 1) * spanMs) / events),
    })),
  ];
};

/** The pipeline's way of recording an event: its metadata, checked against its schema, chained to the one before. */
const chain = (streamId: string, drafts: Draft[], customerOf: string | undefined, schemas: ReturnType<typeof storedEventSchemas>): EventToAppend[] => {
  let prevHash = GENESIS_HASH;
  return drafts.map((draft, revision) => {
    const eventId = idFromKey('bench-event', `${streamId} ${revision}`);
    const commandId = idFromKey('bench-command', `${streamId} ${revision}`);
    const data = schemas.validate(draft.type, draft.data);
    const metadata: Record<string, unknown> = {
      eventId,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: draft.actor,
      occurredAt: iso(draft.at),
      schemaVersion: SCHEMA_VERSION,
      ...(customerOf !== undefined ? { customerId: customerOf } : {}),
      ...(draft.policyVersion !== undefined ? { policyVersion: draft.policyVersion } : {}),
      prevHash,
    };
    const hash = hashEvent({ streamId, revision, eventId, type: draft.type, data, metadata });
    prevHash = hash;
    return { eventId, type: draft.type, data, metadata: { ...metadata, hash } };
  });
};

/**
 * Writes about `targetEvents` events into `dataDir`, the last of them a few weeks ago and the first
 * two years before, and says where the figures the benchmark needs are.
 */
export const writeScaleLog = async (dataDir: string, targetEvents: number, nowMs = Date.now()): Promise<ScaleLog> => {
  const started = process.hrtime.bigint();
  const untilMs = nowMs - 45 * DAY_MS;
  const fromMs = untilMs - 730 * DAY_MS;
  const policyVersion = await putReferenceDataInPlace(dataDir, fromMs, untilMs);
  const schemas = storedEventSchemas();
  const eventStore = SqliteEventStore.open(join(dataDir, 'events.sqlite'));
  const written = { events: (await eventStore.headPosition()) ?? 0, customers: 0 };
  const pending: Promise<unknown>[] = [];
  const append = async (streamId: string, drafts: Draft[], customerId: string | undefined) => {
    pending.push(eventStore.append(streamId, chain(streamId, drafts, customerId, schemas), { expectedRevision: 'no_stream' }));
    written.events += drafts.length;
    if (pending.length >= STREAMS_PER_COMMIT) await Promise.all(pending.splice(0));
  };

  const longEvents = Math.min(50_000, Math.floor(targetEvents / 5));
  const longStream = { customerId: idFromKey('bench-customer', 'long'), events: longEvents };
  await append(`customer-${longStream.customerId}`, longCustomer(longStream.customerId, longEvents, fromMs, untilMs - fromMs), longStream.customerId);
  written.customers += 1;

  // The busy customer's deals are spread through the log rather than written in one go.
  const busyCustomerId = idFromKey('bench-customer', 'busy');
  const busyDeals = Math.max(10, Math.floor(Math.min(10_000, targetEvents / 10) / 10));
  let busyEvents = 0;
  await append(`customer-${busyCustomerId}`, [{ type: 'CustomerRegistered', data: { customerId: busyCustomerId, name: 'Busy customer', industry: 'telecom', region: 'north' }, actor: seller(1), at: fromMs }], busyCustomerId);
  busyEvents += 1;
  written.customers += 1;

  const budget = targetEvents - written.events - busyDeals * 10;
  const perCustomer = 17.2;
  const expectedCustomers = Math.max(1, Math.round(budget / perCustomer));
  const spanMs = untilMs - 60 * DAY_MS - fromMs;
  const busyEvery = Math.max(1, Math.floor(expectedCustomers / busyDeals));
  let shortStream: ScaleLog['shortStream'] | null = null;
  for (let i = 0; written.events < targetEvents; i++) {
    const atMs = fromMs + Math.floor((Math.min(i, expectedCustomers) * spanMs) / expectedCustomers);
    const interactions = 2 + (i % 7);
    for (const [streamId, drafts] of customerJourney(i, atMs, policyVersion, interactions)) {
      const customerId = String(drafts[0]!.data.customerId);
      await append(streamId, drafts, customerId);
    }
    if (!shortStream && interactions === 8) shortStream = { customerId: idFromKey('bench-customer', String(i)), events: 2 + interactions };
    written.customers += 1;
    if (i % busyEvery === 0 && busyEvents < busyDeals * 10) {
      const deal = busyEvents;
      const opportunityId = idFromKey('bench-busy-opportunity', String(deal));
      const rep = seller(deal);
      const at = atMs + 3_600_000;
      const drafts: Draft[] = [
        { type: 'OpportunityOpened', data: { opportunityId, customerId: busyCustomerId, title: `Busy deal ${deal}`, ownerId: rep.id, amount: { minor: 1_000_000 + deal, currency: 'CNY' }, stage: 'qualification' }, actor: rep, at },
        ...Array.from({ length: 9 }, (_, s) => ({
          type: 'OpportunityStageChanged',
          data: { opportunityId, from: STAGES[s % 4], to: STAGES[(s + 1) % 4], ...((s + 1) % 4 === 0 ? { reason: 'customer rescoped' } : {}) },
          actor: rep,
          at: at + (s + 1) * 3_600_000,
        })),
      ];
      await append(`opportunity-${opportunityId}`, drafts, busyCustomerId);
      busyEvents += drafts.length;
    }
  }
  await Promise.all(pending);
  const head = (await eventStore.headPosition()) ?? 0;
  await eventStore.close();
  if (!shortStream) throw new Error('The log is too small for a customer with ten events');
  return {
    events: head,
    customers: written.customers,
    from: day(fromMs),
    to: day(untilMs),
    longStream,
    shortStream,
    busyCustomer: { customerId: busyCustomerId, events: busyEvents },
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
};
