import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { decideByCommand, refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';

/**
 * A deal registration (article 35): a partner claims a deal it is working on, for a customer and
 * products, until a date. A sales manager approves or rejects it; an approved registration protects
 * the partner from a second partner (or the same one twice) claiming the same customer and product
 * while it runs, and a deal can be linked to it. It expires when its date passes.
 */
export const REGISTRATION_CATEGORY = 'registration';
export const registrationStreamId = (registrationId: string) => `${REGISTRATION_CATEGORY}-${registrationId}`;

/**
 * Who a registration is for, as one key: the customer's id when it names an existing customer,
 * else the company name as a person would match it (same letters whatever the case, width or spacing).
 */
export const registrationCustomerKey = (customer: { customerId?: string; company?: string }): string =>
  customer.customerId !== undefined ? `customer:${customer.customerId}` : `company:${(customer.company ?? '').normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ')}`;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const registrationEventSchemas = {
  RegistrationSubmitted: z.object({
    registrationId: z.string(),
    partnerId: z.string(),
    customerId: z.string().optional(),
    company: z.string().optional(),
    customerKey: z.string(),
    skus: z.array(z.string()),
    expectedAmount: Money,
    expiresAt: z.iso.datetime(),
    submittedBy: z.string(),
    submittedAt: z.iso.datetime(),
  }),
  /** Carries what it protects, so a view of approved claims needs no other event. */
  RegistrationApproved: z.object({
    registrationId: z.string(),
    partnerId: z.string(),
    customerKey: z.string(),
    skus: z.array(z.string()),
    expiresAt: z.iso.datetime(),
    approvedBy: z.string(),
    reason: z.string().optional(),
  }),
  RegistrationRejected: z.object({
    registrationId: z.string(),
    rejectedBy: z.string(),
    reason: z.string().optional(),
  }),
  RegistrationExpired: z.object({
    registrationId: z.string(),
    expiresAt: z.iso.datetime(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type RegistrationEvent = EventOf<typeof registrationEventSchemas>;

// State

export type RegistrationStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export type Registration =
  | { status: 'none' }
  | {
      status: RegistrationStatus;
      registrationId: string;
      partnerId: string;
      customerId?: string;
      customerKey: string;
      skus: readonly string[];
      expiresAt: string;
      submittedBy: string;
    };

export const initialState = (): Registration => ({ status: 'none' });

export const evolve = (state: Registration, event: RegistrationEvent): Registration => {
  if (event.type === 'RegistrationSubmitted') {
    const { registrationId, partnerId, customerId, customerKey, skus, expiresAt, submittedBy } = event.data;
    return { status: 'pending', registrationId, partnerId, ...(customerId !== undefined ? { customerId } : {}), customerKey, skus, expiresAt, submittedBy };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'RegistrationApproved':
      return { ...state, status: 'approved' };
    case 'RegistrationRejected':
      return { ...state, status: 'rejected' };
    case 'RegistrationExpired':
      return { ...state, status: 'expired' };
  }
};

// Commands

export type SubmitRegistration = {
  type: 'SubmitRegistration';
  registrationId: string;
  partnerId: string;
  customerId?: string;
  company?: string;
  skus: string[];
  expectedAmount: Money;
  expiresAt: string;
};
export type ApproveRegistration = { type: 'ApproveRegistration'; reason?: string };
export type RejectRegistration = { type: 'RejectRegistration'; reason?: string };
export type ExpireRegistration = { type: 'ExpireRegistration' };

export type RegistrationCommand = SubmitRegistration | ApproveRegistration | RejectRegistration | ExpireRegistration;

/** An approved registration on the same customer, as the application found it: what a new claim would clash with. */
export type ChannelClaim = { readonly registrationId: string; readonly partnerId: string; readonly skus: readonly string[]; readonly expiresAt: string };

/** The approved registrations on the customer a claim names, for the channel-conflict rule. */
export type ChannelFacts = { readonly approvedClaims: readonly ChannelClaim[] };

export type RegistrationFacts = {
  readonly SubmitRegistration: ChannelFacts;
  readonly ApproveRegistration: ChannelFacts;
  readonly RejectRegistration: unknown;
  readonly ExpireRegistration: unknown;
};

export const registrationRules = {
  submittedOnce: { id: 'REG-01', name: 'A deal registration is submitted once' },
  customerNamed: { id: 'REG-02', name: 'A deal registration names its customer: an existing customer or a company name, one of the two' },
  productsNamed: { id: 'REG-03', name: 'A deal registration names the products it claims, each once' },
  amountPositive: { id: 'REG-04', name: 'A registered deal is worth more than nothing' },
  expiresAfterSubmission: { id: 'REG-05', name: 'A deal registration expires after it is submitted' },
  channelConflict: { id: 'REG-06', name: 'Channel conflict: one approved registration per customer and product at a time' },
  decidedWhilePending: { id: 'REG-07', name: 'Only a registration awaiting a decision is approved or rejected' },
  decidedByManager: { id: 'REG-08', name: 'A deal registration is approved or rejected by a sales manager who did not submit it' },
  notApprovedExpired: { id: 'REG-09', name: 'A registration past its expiry is not approved' },
  expiresOnTime: { id: 'REG-10', name: 'A registration expires once its time has come, and only while pending or approved' },
} as const satisfies Record<string, Rule>;

/** Who may decide a registration besides a sales manager: an admin. */
const DECIDING_ROLES: readonly string[] = ['sales_manager', 'admin'];

type Submitted = Exclude<Registration, { status: 'none' }>;

/** REG-06: the first approved, unexpired claim, other than this one, on any of these products. */
const conflictWith = (registrationId: string, skus: readonly string[], now: string, claims: readonly ChannelClaim[]) => {
  for (const claim of claims) {
    if (claim.registrationId === registrationId || Date.parse(claim.expiresAt) <= Date.parse(now)) continue;
    const sku = claim.skus.find((s) => skus.includes(s));
    if (sku !== undefined) return { claim, sku };
  }
  return undefined;
};

const channelConflict = (registrationId: string, skus: readonly string[], context: DecisionContext & ChannelFacts): Refusal | undefined => {
  const conflict = conflictWith(registrationId, skus, context.now, context.approvedClaims);
  return conflict
    ? refuse(
        registrationRules.channelConflict,
        `Registration ${conflict.claim.registrationId} of partner ${conflict.claim.partnerId} holds ${conflict.sku} for this customer until ${conflict.claim.expiresAt}`,
      )
    : undefined;
};

/** REG-07 and REG-08: a pending registration, decided by a manager or an admin who did not submit it. */
const onPending = (state: Registration, context: DecisionContext, decide: (registration: Submitted) => RegistrationEvent[] | Refusal) => {
  if (state.status === 'none') return refuse(registrationRules.decidedWhilePending, 'The registration was never submitted');
  if (state.status !== 'pending') return refuse(registrationRules.decidedWhilePending, `The registration is already ${state.status}`);
  if (!DECIDING_ROLES.includes(context.actor.role)) return refuse(registrationRules.decidedByManager, `A ${context.actor.role} cannot decide a registration`);
  if (context.actor.id === state.submittedBy) return refuse(registrationRules.decidedByManager, `${context.actor.id} submitted this registration`);
  return decide(state);
};

export const decide = decideByCommand<Registration, RegistrationCommand, RegistrationEvent, RegistrationFacts>({
  SubmitRegistration: (command, state, context) => {
    if (state.status !== 'none') return refuse(registrationRules.submittedOnce, `Registration ${state.registrationId} is already submitted`);
    const { registrationId, partnerId, customerId, company, skus, expectedAmount, expiresAt } = command;
    if ((customerId === undefined) === (company === undefined || !company.trim())) {
      return refuse(registrationRules.customerNamed, customerId === undefined ? 'Name the customer or the company' : 'Name the customer or the company, not both');
    }
    if (skus.length === 0) return refuse(registrationRules.productsNamed, 'No product was named');
    if (new Set(skus).size !== skus.length) return refuse(registrationRules.productsNamed, 'A product is named twice');
    if (expectedAmount.minor <= 0) return refuse(registrationRules.amountPositive, 'The expected amount must be greater than zero');
    if (Date.parse(expiresAt) <= Date.parse(context.now)) return refuse(registrationRules.expiresAfterSubmission, `It would expire at ${expiresAt}, not after ${context.now}`);
    const customerKey = registrationCustomerKey({ ...(customerId !== undefined ? { customerId } : {}), ...(company !== undefined ? { company } : {}) });
    const conflict = channelConflict(registrationId, skus, context);
    if (conflict) return conflict;
    return [
      {
        type: 'RegistrationSubmitted',
        data: {
          registrationId,
          partnerId,
          ...(customerId !== undefined ? { customerId } : {}),
          ...(company !== undefined ? { company } : {}),
          customerKey,
          skus,
          expectedAmount,
          expiresAt,
          submittedBy: context.actor.id,
          submittedAt: context.now,
        },
      },
    ];
  },

  ApproveRegistration: ({ reason }, state, context) =>
    onPending(state, context, ({ registrationId, partnerId, customerKey, skus, expiresAt }) => {
      if (Date.parse(expiresAt) <= Date.parse(context.now)) return refuse(registrationRules.notApprovedExpired, `It expired at ${expiresAt}`);
      const conflict = channelConflict(registrationId, skus, context);
      if (conflict) return conflict;
      return [
        {
          type: 'RegistrationApproved',
          data: { registrationId, partnerId, customerKey, skus: [...skus], expiresAt, approvedBy: context.actor.id, ...(reason !== undefined ? { reason } : {}) },
        },
      ];
    }),

  RejectRegistration: ({ reason }, state, context) =>
    onPending(state, context, ({ registrationId }) => [
      { type: 'RegistrationRejected', data: { registrationId, rejectedBy: context.actor.id, ...(reason !== undefined ? { reason } : {}) } },
    ]),

  ExpireRegistration: (_command, state, context) => {
    if (state.status !== 'pending' && state.status !== 'approved') {
      return refuse(registrationRules.expiresOnTime, state.status === 'none' ? 'The registration was never submitted' : `The registration is already ${state.status}`);
    }
    if (Date.parse(context.now) < Date.parse(state.expiresAt)) return refuse(registrationRules.expiresOnTime, `It runs until ${state.expiresAt}`);
    return [{ type: 'RegistrationExpired', data: { registrationId: state.registrationId, expiresAt: state.expiresAt } }];
  },
});

export const registrationDecider: Decider<Registration, RegistrationCommand, RegistrationEvent, RegistrationFacts> = { initialState, evolve, decide };

export const registrationAggregate: Aggregate<Registration, RegistrationCommand, RegistrationEvent, RegistrationFacts> = {
  category: REGISTRATION_CATEGORY,
  name: 'Registration',
  streamId: registrationStreamId,
  decider: registrationDecider,
  events: registrationEventSchemas,
  customerOf: (state) => (state.status === 'none' ? undefined : state.customerId),
};
