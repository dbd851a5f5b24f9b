import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { actsForOwner, type OwnerFacts, type RosterEntry } from '../team/ownership.js';
import { decideByCommand, refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';
import { companyDay } from '../shared/calendar.js';

/**
 * What a seller told a customer the company would do. Recorded as said, exaggerations
 * included: the compliance checks against the catalog and the policy read these events.
 */
export const PROMISE_CATEGORY = 'promise';
export const promiseStreamId = (promiseId: string) => `${PROMISE_CATEGORY}-${promiseId}`;

export const PromiseKind = z.enum(['capability', 'sla', 'delivery', 'price', 'support', 'other']);
export type PromiseKind = z.infer<typeof PromiseKind>;

export const STATEMENT_MAX_CHARS = 2000;
/** Counts characters as a reader does (code points), so a Chinese statement is measured fairly. */
const charCount = (text: string) => [...text].length;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

/** The figures the promise committed to, each only when it was said. */
export const Committed = z.object({
  capability: z.string().optional(),
  availabilityPct: z.number().optional(),
  responseHours: z.number().optional(),
  deliveryDate: z.iso.date().optional(),
  price: Money.optional(),
});
export type Committed = z.infer<typeof Committed>;

export const promiseEventSchemas = {
  PromiseRecorded: z.object({
    promiseId: z.string(),
    customerId: z.string(),
    opportunityId: z.string().optional(),
    kind: PromiseKind,
    statement: z.string().refine((s) => charCount(s) <= STATEMENT_MAX_CHARS, `at most ${STATEMENT_MAX_CHARS} characters`),
    sku: z.string().optional(),
    committed: Committed,
    dueDate: z.iso.date(),
    /** The seller who made the promise, who need not be the one recording it. */
    madeBy: z.string(),
    /** Present when a manager recorded it in the seller's name; the seller is then madeBy. */
    recordedBy: z.string().optional(),
    recordedAt: z.iso.datetime(),
    /** The policy in force when it was recorded, which the compliance checks judge it by. */
    policyVersion: z.number().int().optional(),
  }),
  PromiseFulfilled: z.object({
    promiseId: z.string(),
    customerId: z.string(),
    evidence: z.string(),
  }),
  PromiseBroken: z.object({
    promiseId: z.string(),
    customerId: z.string(),
    reason: z.string(),
    /** The complaint whose upheld resolution found the promise broken, when one did. */
    complaintId: z.string().optional(),
  }),
  PromiseWithdrawn: z.object({
    promiseId: z.string(),
    customerId: z.string(),
    reason: z.string(),
  }),
  PromiseWentOverdue: z.object({
    promiseId: z.string(),
    customerId: z.string(),
    dueDate: z.iso.date(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type PromiseEvent = EventOf<typeof promiseEventSchemas>;

// State

export type CustomerPromise =
  | { status: 'none' }
  | {
      status: 'open' | 'fulfilled' | 'broken' | 'withdrawn';
      promiseId: string;
      customerId: string;
      /** The seller who made it. */
      madeBy: string;
      dueDate: string;
      overdue: boolean;
    };

export const initialState = (): CustomerPromise => ({ status: 'none' });

export const evolve = (state: CustomerPromise, event: PromiseEvent): CustomerPromise => {
  if (event.type === 'PromiseRecorded') {
    const { promiseId, customerId, madeBy, dueDate } = event.data;
    return { status: 'open', promiseId, customerId, madeBy, dueDate, overdue: false };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'PromiseFulfilled':
      return { ...state, status: 'fulfilled' };
    case 'PromiseBroken':
      return { ...state, status: 'broken' };
    case 'PromiseWithdrawn':
      return { ...state, status: 'withdrawn' };
    case 'PromiseWentOverdue':
      return { ...state, overdue: true };
  }
};

// Commands

export type RecordPromise = {
  type: 'RecordPromise';
  promiseId: string;
  customerId: string;
  opportunityId?: string;
  kind: PromiseKind;
  statement: string;
  sku?: string;
  committed: Committed;
  /** A calendar date, YYYY-MM-DD. */
  dueDate: string;
  /** The seller is whoever records it; naming anyone else here is refused (PRM-12). */
  madeBy?: string;
};
/** A manager's record of a promise one of their sellers made, in that seller's name. */
export type RecordPromiseOnBehalf = Omit<RecordPromise, 'type' | 'madeBy'> & { type: 'RecordPromiseOnBehalf'; madeBy: string };
export type FulfilPromise = { type: 'FulfilPromise'; evidence: string };
export type BreakPromise = { type: 'BreakPromise'; reason: string };
export type WithdrawPromise = { type: 'WithdrawPromise'; reason: string };
export type MarkPromiseOverdue = { type: 'MarkPromiseOverdue' };
/** Issued after a complaint about the promise was resolved in the customer's favour. */
export type BreakPromiseOnComplaint = { type: 'BreakPromiseOnComplaint'; complaintId: string; reason: string };

export type PromiseCommand = RecordPromise | RecordPromiseOnBehalf | FulfilPromise | BreakPromise | WithdrawPromise | MarkPromiseOverdue | BreakPromiseOnComplaint;

/** Recording a promise names the policy that will judge it and, for a promise tied to a deal, whose deal it is. */
export type RecordingFacts = {
  /** The version of the sales policy in force, when the application knows it. */
  readonly policyVersion?: number;
  /** The opportunity the promise names, as the application found it; absent when it names none. */
  readonly opportunity?: { readonly customerId: string };
};

/** The facts each promise command needs beyond the time and the actor: only recording needs any. */
export type PromiseFacts = {
  readonly RecordPromise: RecordingFacts;
  /** The named seller's roster entry: only their manager or an admin records in their name. */
  readonly RecordPromiseOnBehalf: RecordingFacts & { readonly seller: RosterEntry | undefined };
  /** The seller's roster entry, for who may settle it. */
  readonly FulfilPromise: OwnerFacts;
  readonly BreakPromise: OwnerFacts;
  readonly WithdrawPromise: OwnerFacts;
  readonly MarkPromiseOverdue: unknown;
  /** The complaint as its stream stands: the promise it names and whether its resolution upheld it; undefined when never filed. */
  readonly BreakPromiseOnComplaint: { readonly complaint?: { readonly promiseId?: string; readonly upheld: boolean } };
};

export const promiseRules = {
  recordedOnce: { id: 'PRM-01', name: 'A promise is recorded once' },
  statementRecorded: { id: 'PRM-02', name: `A promise is recorded in the words said, at most ${STATEMENT_MAX_CHARS} characters` },
  committedForKind: { id: 'PRM-03', name: 'A promise names what it commits to for its kind' },
  committedFiguresPossible: { id: 'PRM-04', name: 'Committed figures are possible ones: availability up to 100%, response time and price not negative' },
  dueNotBeforeMade: { id: 'PRM-05', name: 'A promise is not due before the day it was made' },
  promiseMustExist: { id: 'PRM-06', name: 'Only a recorded promise can be settled' },
  oneOutcome: { id: 'PRM-07', name: 'A promise has one outcome: fulfilled, broken or withdrawn' },
  outcomeExplained: { id: 'PRM-08', name: 'A fulfilment needs evidence; breaking or withdrawing a promise needs a reason' },
  overdueAfterDueDate: { id: 'PRM-09', name: 'A promise goes overdue only after its due date' },
  overdueOnce: { id: 'PRM-10', name: 'Only an open promise goes overdue, and only once' },
  opportunityOfCustomer: { id: 'PRM-11', name: "A promise tied to a deal is made to that deal's customer" },
  madeByRecorder: { id: 'PRM-12', name: "A promise is recorded by the seller who made it; only their manager or an admin records it in their name, and the record says so" },
  settledBySeller: { id: 'PRM-13', name: "A promise is settled by the seller who made it, their manager or an admin" },
  brokenByUpheldComplaint: { id: 'PRM-14', name: 'A complaint marks a promise broken only when it is about that promise and was upheld' },
} as const satisfies Record<string, Rule>;

/** What each kind must commit to, so a check has a figure to judge it by; null when all is there. */
const missingForKind = (kind: PromiseKind, sku: string | undefined, committed: Committed): string | null => {
  switch (kind) {
    case 'capability':
      return committed.capability?.trim() && sku?.trim() ? null : 'a capability promise needs the capability and the sku';
    case 'sla':
      return committed.availabilityPct !== undefined || committed.responseHours !== undefined
        ? null
        : 'an SLA promise needs an availability or a response time';
    case 'delivery':
      return committed.deliveryDate ? null : 'a delivery promise needs a delivery date';
    case 'price':
      return committed.price ? null : 'a price promise needs the price';
    case 'support':
    case 'other':
      return null;
  }
};

const impossibleFigure = (committed: Committed): string | null => {
  const { availabilityPct, responseHours, price } = committed;
  if (availabilityPct !== undefined && (availabilityPct < 0 || availabilityPct > 100)) return `availability of ${availabilityPct}%`;
  if (responseHours !== undefined && responseHours < 0) return `a response time of ${responseHours} hours`;
  if (price !== undefined && price.minor < 0) return 'a negative price';
  return null;
};

/** What the seller said and committed to, checked the same way whoever records it. */
const recorded = (
  command: RecordPromise | RecordPromiseOnBehalf,
  state: CustomerPromise,
  context: DecisionContext & RecordingFacts,
  seller: { madeBy: string; recordedBy?: string },
): PromiseEvent[] | Refusal => {
  if (state.status !== 'none') return refuse(promiseRules.recordedOnce, `Promise ${state.promiseId} is already recorded`);
  const { promiseId, customerId, opportunityId, kind, statement, sku, committed, dueDate } = command;
  const dealCustomer = context.opportunity?.customerId;
  if (opportunityId !== undefined && dealCustomer !== customerId) {
    // The application answers an unknown opportunity with NotFound before deciding; this keeps decide total.
    const detail = dealCustomer === undefined ? 'is not known' : `belongs to customer ${dealCustomer}, not ${customerId}`;
    return refuse(promiseRules.opportunityOfCustomer, `Opportunity ${opportunityId} ${detail}`);
  }
  if (!statement.trim()) return refuse(promiseRules.statementRecorded, 'The statement is empty');
  if (charCount(statement) > STATEMENT_MAX_CHARS) {
    return refuse(promiseRules.statementRecorded, `The statement has ${charCount(statement)} characters`);
  }
  const missing = missingForKind(kind, sku, committed);
  if (missing) return refuse(promiseRules.committedForKind, missing);
  const impossible = impossibleFigure(committed);
  if (impossible) return refuse(promiseRules.committedFiguresPossible, `No one can commit to ${impossible}`);
  if (dueDate < companyDay(context.now)) {
    return refuse(promiseRules.dueNotBeforeMade, `Due on ${dueDate}, before it was made on ${companyDay(context.now)}`);
  }
  return [
    {
      type: 'PromiseRecorded',
      data: {
        promiseId,
        customerId,
        ...(opportunityId !== undefined ? { opportunityId } : {}),
        kind,
        statement,
        ...(sku !== undefined ? { sku } : {}),
        committed,
        dueDate,
        madeBy: seller.madeBy,
        ...(seller.recordedBy !== undefined ? { recordedBy: seller.recordedBy } : {}),
        recordedAt: context.now,
        ...(context.policyVersion !== undefined ? { policyVersion: context.policyVersion } : {}),
      },
    },
  ];
};

type RecordedPromise = Exclude<CustomerPromise, { status: 'none' }>;

/** PRM-06: only a recorded promise is settled or goes overdue. */
const onRecorded = (state: CustomerPromise, decide: (promise: RecordedPromise) => PromiseEvent[] | Refusal): PromiseEvent[] | Refusal =>
  state.status === 'none' ? refuse(promiseRules.promiseMustExist, 'The promise was never recorded') : decide(state);

/** PRM-07: a promise has one outcome; PRM-13: settled for its seller; PRM-08: it is explained. */
const settle = (
  state: CustomerPromise,
  context: DecisionContext & OwnerFacts,
  explanation: string,
  missing: string,
  outcome: (promise: RecordedPromise) => PromiseEvent,
): PromiseEvent[] | Refusal =>
  onRecorded(state, (promise) => {
    if (promise.status !== 'open') return refuse(promiseRules.oneOutcome, `The promise is already ${promise.status}`);
    if (!actsForOwner(context.actor, promise.madeBy, context.owner)) {
      return refuse(promiseRules.settledBySeller, `${context.actor.id} is neither ${promise.madeBy}, their manager nor an admin`);
    }
    if (!explanation.trim()) return refuse(promiseRules.outcomeExplained, missing);
    return [outcome(promise)];
  });

export const decide = decideByCommand<CustomerPromise, PromiseCommand, PromiseEvent, PromiseFacts>({
  RecordPromise: (command, state, context) =>
    command.madeBy !== undefined && command.madeBy !== context.actor.id
      ? refuse(promiseRules.madeByRecorder, `${context.actor.id} cannot record a promise in ${command.madeBy}'s name here: a manager records it on their behalf`)
      : recorded(command, state, context, { madeBy: context.actor.id }),

  RecordPromiseOnBehalf: (command, state, context) =>
    command.madeBy === context.actor.id || !actsForOwner(context.actor, command.madeBy, context.seller)
      ? refuse(promiseRules.madeByRecorder, `${context.actor.id} is neither ${command.madeBy}'s manager nor an admin`)
      : recorded(command, state, context, { madeBy: command.madeBy, recordedBy: context.actor.id }),

  FulfilPromise: ({ evidence }, state, context) =>
    settle(state, context, evidence, 'Show the evidence that the promise was kept', ({ promiseId, customerId }) => ({
      type: 'PromiseFulfilled',
      data: { promiseId, customerId, evidence },
    })),

  BreakPromise: ({ reason }, state, context) =>
    settle(state, context, reason, 'Say why the promise was broken', ({ promiseId, customerId }) => ({ type: 'PromiseBroken', data: { promiseId, customerId, reason } })),

  WithdrawPromise: ({ reason }, state, context) =>
    settle(state, context, reason, 'Say why the promise is withdrawn', ({ promiseId, customerId }) => ({ type: 'PromiseWithdrawn', data: { promiseId, customerId, reason } })),

  MarkPromiseOverdue: (_command, state, context) =>
    onRecorded(state, ({ promiseId, customerId, status, overdue, dueDate }) => {
      if (status !== 'open' || overdue) {
        return refuse(promiseRules.overdueOnce, overdue ? 'The promise is already overdue' : `The promise is already ${status}`);
      }
      if (companyDay(context.now) <= dueDate) return refuse(promiseRules.overdueAfterDueDate, `The promise is due on ${dueDate}`);
      return [{ type: 'PromiseWentOverdue', data: { promiseId, customerId, dueDate } }];
    }),

  BreakPromiseOnComplaint: ({ complaintId, reason }, state, { complaint }) =>
    onRecorded(state, ({ promiseId, customerId, status }) => {
      if (complaint?.promiseId !== promiseId) return refuse(promiseRules.brokenByUpheldComplaint, `Complaint ${complaintId} is not about promise ${promiseId}`);
      if (!complaint.upheld) return refuse(promiseRules.brokenByUpheldComplaint, `Complaint ${complaintId} was not upheld`);
      if (status !== 'open') return refuse(promiseRules.oneOutcome, `The promise is already ${status}`);
      if (!reason.trim()) return refuse(promiseRules.outcomeExplained, 'Say why the promise was broken');
      return [{ type: 'PromiseBroken', data: { promiseId, customerId, reason, complaintId } }];
    }),
});

export const promiseDecider: Decider<CustomerPromise, PromiseCommand, PromiseEvent, PromiseFacts> = { initialState, evolve, decide };

export const promiseAggregate: Aggregate<CustomerPromise, PromiseCommand, PromiseEvent, PromiseFacts> = {
  category: PROMISE_CATEGORY,
  name: 'Promise',
  streamId: promiseStreamId,
  decider: promiseDecider,
  events: promiseEventSchemas,
  customerOf: (state) => (state.status === 'none' ? undefined : state.customerId),
};
