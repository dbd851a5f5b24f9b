import { z } from 'zod';
import { customerDataSubject } from '../customer/customer.js';
import type { Aggregate } from '../shared/aggregate.js';
import { decideByCommand, isRefusal, refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';
import type { RosterEntry } from '../team/ownership.js';
import { afterCounted, dueOf, elapsedOn, MINUTE_MS, wholeMinutes, type Run } from './businessTime.js';
import {
  calendarNameFor,
  ComplaintSeverity,
  countingOf,
  ServiceLevel,
  serviceLevelFor,
  type ComplaintServiceLevels,
  type EscalationStep,
  type ServiceClock,
} from './serviceLevels.js';

/**
 * A customer's complaint (articles 7, 18, 29): what went wrong, about which order, promise or deal,
 * worked through response, resolution and the customer's rating under the service levels of the
 * policy revision in force when it was filed. Its two clocks, first response and resolution, stop
 * while the desk waits on the customer, and every event that moves one records when it now runs out.
 */
export const COMPLAINT_CATEGORY = 'complaint';
export const complaintStreamId = (complaintId: string) => `${COMPLAINT_CATEGORY}-${complaintId}`;

export const ComplaintChannel = z.enum(['phone', 'email', 'portal', 'visit', 'other']);
export type ComplaintChannel = z.infer<typeof ComplaintChannel>;
export const ComplaintCategory = z.enum(['product_defect', 'delivery', 'billing', 'service', 'conduct', 'false_promise', 'other']);
export type ComplaintCategory = z.infer<typeof ComplaintCategory>;
export const RemedyKind = z.enum(['refund', 'credit_note', 'replacement', 'service_credit', 'apology', 'none']);
export type RemedyKind = z.infer<typeof RemedyKind>;
export const ComplaintStatus = z.enum(['open', 'awaiting_customer', 'resolved', 'closed']);
export type ComplaintStatus = z.infer<typeof ComplaintStatus>;

/** Complaints about a seller's own conduct: that seller may not settle them. */
export const CONDUCT_CATEGORIES: readonly ComplaintCategory[] = ['conduct', 'false_promise'];
/** The remedies that give money back, and so state an amount. */
export const MONEY_REMEDIES: readonly RemedyKind[] = ['refund', 'credit_note', 'service_credit'];

export const SUMMARY_MAX_CHARS = 500;
export const TEXT_MAX_CHARS = 4000;
export const CSAT_RANGE = { min: 1, max: 5 } as const;
export const NPS_RANGE = { min: 0, max: 10 } as const;

/** Counts characters as a reader does (code points), so a Chinese summary is measured fairly. */
const charCount = (text: string) => [...text].length;

const DAY_MS = 86_400_000;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

const Instant = z.iso.datetime();

/** Name, phone and e-mail are plain strings here: the application stores them sealed with the customer's key. */
export const Reporter = z.object({ name: z.string(), phone: z.string().optional(), email: z.string().optional() });
export type Reporter = z.infer<typeof Reporter>;

export const Remedy = z.object({ kind: RemedyKind, amount: Money.optional() });
export type Remedy = z.infer<typeof Remedy>;

/**
 * Where each running clock stands after an event: the instant it runs out (in the past once its time
 * is up), or null while it stands with time left. A clock already stopped is left out.
 */
export const DueTimes = z.object({ firstResponse: Instant.nullable().optional(), resolution: Instant.nullable().optional() });
export type DueTimes = z.infer<typeof DueTimes>;

const ofComplaint = { complaintId: z.string(), customerId: z.string() };

export const complaintEventSchemas = {
  ComplaintFiled: z.object({
    ...ofComplaint,
    /** The customer's region when it was filed, which chose its calendar. */
    region: z.string(),
    channel: ComplaintChannel,
    category: ComplaintCategory,
    severity: ComplaintSeverity,
    summary: z.string(),
    detail: z.string().optional(),
    orderId: z.string().optional(),
    promiseId: z.string().optional(),
    opportunityId: z.string().optional(),
    sku: z.string().optional(),
    reporter: Reporter.optional(),
    /** The seller the complaint is about: who made the promise, owns the deal, or sold the order it names. */
    sellerId: z.string().optional(),
    filedBy: z.string(),
    filedAt: Instant,
    /** The policy revision whose service levels it runs under. */
    policyVersion: z.number().int().positive(),
    calendar: z.string(),
    serviceLevel: ServiceLevel,
    due: z.object({ firstResponse: Instant, resolution: Instant }),
  }),
  ComplaintAssigned: z.object({ ...ofComplaint, assigneeId: z.string(), assignedBy: z.string() }),
  /** The first response to the customer, which stops the response clock. */
  ComplaintResponded: z.object({
    ...ofComplaint,
    note: z.string(),
    respondedBy: z.string(),
    respondedAt: Instant,
    /** Whole minutes the response clock counted, paused time left out. */
    clockMinutes: z.number().int().nonnegative(),
    withinTarget: z.boolean(),
  }),
  ComplaintNoted: z.object({ ...ofComplaint, note: z.string(), internal: z.boolean(), notedBy: z.string() }),
  /** The desk waits on the customer: the clocks stand. */
  ComplaintInfoRequested: z.object({ ...ofComplaint, note: z.string(), requestedBy: z.string(), requestedAt: Instant, due: DueTimes }),
  /** The customer answered: the clocks run again. */
  ComplaintInfoReceived: z.object({ ...ofComplaint, note: z.string(), recordedBy: z.string(), receivedAt: Instant, due: DueTimes }),
  /** Taken up the ladder, by hand or, when breachOf names a clock, on its own after that clock ran out. */
  ComplaintEscalated: z.object({
    ...ofComplaint,
    level: z.number().int().positive(),
    role: z.string(),
    reason: z.string(),
    escalatedBy: z.string(),
    breachOf: z.enum(['firstResponse', 'resolution']).optional(),
  }),
  /** The clocks count again from filing under the new severity's targets. */
  ComplaintSeverityChanged: z.object({
    ...ofComplaint,
    from: ComplaintSeverity,
    to: ComplaintSeverity,
    reason: z.string(),
    changedBy: z.string(),
    serviceLevel: ServiceLevel,
    due: DueTimes,
  }),
  ComplaintResolutionProposed: z.object({ ...ofComplaint, resolution: z.string(), remedy: Remedy.optional(), proposedBy: z.string() }),
  ComplaintResolved: z.object({
    ...ofComplaint,
    resolution: z.string(),
    /** The remedy last proposed, settled with the resolution. */
    remedy: Remedy.optional(),
    /** Whether the customer was found to be right; a complaint upheld against a promise marks it broken. */
    upheld: z.boolean().optional(),
    promiseId: z.string().optional(),
    resolvedBy: z.string(),
    resolvedAt: Instant,
    clockMinutes: z.number().int().nonnegative(),
    withinTarget: z.boolean(),
  }),
  /** The customer's side reopened it: the resolution clock runs again from where it stopped. */
  ComplaintReopened: z.object({ ...ofComplaint, reason: z.string(), reopenedBy: z.string(), reopenedAt: Instant, due: DueTimes }),
  ComplaintClosed: z.object({ ...ofComplaint, closedBy: z.string(), closedAt: Instant }),
  ComplaintRated: z.object({
    ...ofComplaint,
    csat: z.number().int(),
    nps: z.number().int().optional(),
    comment: z.string().optional(),
    recordedBy: z.string(),
  }),
  ComplaintResponseOverdue: z.object({ ...ofComplaint, dueAt: Instant, targetMinutes: z.number().int().positive() }),
  ComplaintResolutionOverdue: z.object({ ...ofComplaint, dueAt: Instant, targetMinutes: z.number().int().positive() }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type ComplaintEvent = EventOf<typeof complaintEventSchemas>;

/** The reporter's name, phone and e-mail, sealed with the customer's key. Every event type is listed, so a new one has to say. */
const complaintPersonalDataFields: Record<ComplaintEvent['type'], readonly string[]> = {
  ComplaintFiled: ['reporter.name', 'reporter.phone', 'reporter.email'],
  ComplaintAssigned: [],
  ComplaintResponded: [],
  ComplaintNoted: [],
  ComplaintInfoRequested: [],
  ComplaintInfoReceived: [],
  ComplaintEscalated: [],
  ComplaintSeverityChanged: [],
  ComplaintResolutionProposed: [],
  ComplaintResolved: [],
  ComplaintReopened: [],
  ComplaintClosed: [],
  ComplaintRated: [],
  ComplaintResponseOverdue: [],
  ComplaintResolutionOverdue: [],
};

// State

/** One of a complaint's clocks: the stretches it ran, when it stopped for good (until a reopening), whether its time ran out. */
export type ClockState = { runs: Run[]; stoppedAt?: string; breached: boolean };

export type FiledComplaint = {
  status: ComplaintStatus;
  complaintId: string;
  customerId: string;
  category: ComplaintCategory;
  severity: ComplaintSeverity;
  orderId?: string;
  promiseId?: string;
  sellerId?: string;
  policyVersion: number;
  calendar: string;
  serviceLevel: ServiceLevel;
  firstResponse: ClockState;
  resolution: ClockState;
  escalationLevel: number;
  /** The remedy of the latest proposal; a resolution settles it. */
  proposedRemedy?: Remedy;
  resolvedAt?: string;
  /** Whether the latest resolution found the customer right. */
  upheld: boolean;
  rated: boolean;
};

export type Complaint = { status: 'none' } | FiledComplaint;

export const initialState = (): Complaint => ({ status: 'none' });

const running = (clock: ClockState): boolean => clock.stoppedAt === undefined;

/** The clock with its open run closed at `at`. */
const halted = (clock: ClockState, at: string): ClockState => ({
  ...clock,
  runs: clock.runs.map((run) => (run.to === undefined ? { from: run.from, to: at } : run)),
});

/** The clock running again from `at`, unless it stopped for good. */
const resumed = (clock: ClockState, at: string): ClockState => (running(clock) ? { ...clock, runs: [...clock.runs, { from: at }] } : clock);

const stopped = (clock: ClockState, at: string): ClockState => ({ ...halted(clock, at), stoppedAt: at });

export const evolve = (state: Complaint, event: ComplaintEvent): Complaint => {
  if (event.type === 'ComplaintFiled') {
    const { complaintId, customerId, category, severity, orderId, promiseId, sellerId, policyVersion, calendar, serviceLevel, filedAt } = event.data;
    return {
      status: 'open',
      complaintId,
      customerId,
      category,
      severity,
      ...(orderId !== undefined ? { orderId } : {}),
      ...(promiseId !== undefined ? { promiseId } : {}),
      ...(sellerId !== undefined ? { sellerId } : {}),
      policyVersion,
      calendar,
      serviceLevel,
      firstResponse: { runs: [{ from: filedAt }], breached: false },
      resolution: { runs: [{ from: filedAt }], breached: false },
      escalationLevel: 0,
      upheld: false,
      rated: false,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ComplaintAssigned':
    case 'ComplaintNoted':
      return state;
    case 'ComplaintResponded':
      return { ...state, firstResponse: stopped(state.firstResponse, event.data.respondedAt) };
    case 'ComplaintInfoRequested': {
      const at = event.data.requestedAt;
      return { ...state, status: 'awaiting_customer', firstResponse: halted(state.firstResponse, at), resolution: halted(state.resolution, at) };
    }
    case 'ComplaintInfoReceived': {
      const at = event.data.receivedAt;
      return { ...state, status: 'open', firstResponse: resumed(state.firstResponse, at), resolution: resumed(state.resolution, at) };
    }
    case 'ComplaintEscalated':
      return { ...state, escalationLevel: event.data.level };
    case 'ComplaintSeverityChanged':
      return { ...state, severity: event.data.to, serviceLevel: event.data.serviceLevel };
    case 'ComplaintResolutionProposed': {
      const { proposedRemedy: _previous, ...rest } = state;
      return { ...rest, ...(event.data.remedy ? { proposedRemedy: event.data.remedy } : {}) };
    }
    case 'ComplaintResolved':
      return {
        ...state,
        status: 'resolved',
        resolution: stopped(state.resolution, event.data.resolvedAt),
        resolvedAt: event.data.resolvedAt,
        upheld: event.data.upheld === true,
      };
    case 'ComplaintReopened': {
      const { stoppedAt: _stopped, ...clock } = state.resolution;
      return { ...state, status: 'open', resolution: { ...clock, runs: [...clock.runs, { from: event.data.reopenedAt }] } };
    }
    case 'ComplaintClosed':
      return { ...state, status: 'closed' };
    case 'ComplaintRated':
      return { ...state, rated: true };
    case 'ComplaintResponseOverdue':
      return { ...state, firstResponse: { ...state.firstResponse, breached: true } };
    case 'ComplaintResolutionOverdue':
      return { ...state, resolution: { ...state.resolution, breached: true } };
  }
};

/** A clock's target in milliseconds under a service level. */
export const targetOf = (level: ServiceLevel, clock: ServiceClock) => (clock === 'firstResponse' ? level.firstResponseMinutes : level.resolutionMinutes) * MINUTE_MS;

/** Where each clock still running stands: when it runs out, or null while it stands with time left. */
export const dueTimesOf = (complaint: FiledComplaint): DueTimes => {
  const counting = countingOf(complaint.serviceLevel);
  const due = (clock: ServiceClock) => dueOf(counting, complaint[clock].runs, targetOf(complaint.serviceLevel, clock));
  return {
    ...(running(complaint.firstResponse) ? { firstResponse: due('firstResponse') } : {}),
    ...(running(complaint.resolution) ? { resolution: due('resolution') } : {}),
  };
};

/** The counted time a clock has run by `now`, paused time left out. */
export const clockElapsed = (complaint: FiledComplaint, clock: ServiceClock, now: string) => elapsedOn(countingOf(complaint.serviceLevel), complaint[clock].runs, now);

/** The rung a breach of `clock` takes the complaint to, when the ladder names one above where it stands and it is still being worked. */
export const escalationOnBreach = (complaint: Complaint, service: ComplaintServiceLevels, clock: ServiceClock): EscalationStep | undefined => {
  if (complaint.status !== 'open' && complaint.status !== 'awaiting_customer') return undefined;
  const step = service.escalation.find((rung) => rung.onBreachOf === clock);
  return step && step.level > complaint.escalationLevel ? step : undefined;
};

// Commands

export type FileComplaint = {
  type: 'FileComplaint';
  complaintId: string;
  customerId: string;
  channel: ComplaintChannel;
  category: ComplaintCategory;
  severity: ComplaintSeverity;
  summary: string;
  detail?: string;
  orderId?: string;
  promiseId?: string;
  opportunityId?: string;
  sku?: string;
  reporter?: Reporter;
};
export type AssignComplaint = { type: 'AssignComplaint'; assigneeId: string };
export type RespondToComplaint = { type: 'RespondToComplaint'; note: string };
export type AddComplaintNote = { type: 'AddComplaintNote'; note: string; internal: boolean };
export type RequestComplaintInfo = { type: 'RequestComplaintInfo'; note: string };
export type ReceiveComplaintInfo = { type: 'ReceiveComplaintInfo'; note: string };
export type EscalateComplaint = { type: 'EscalateComplaint'; level: number; reason: string };
/** Issued after a clock ran out: up to the rung the ladder names for that clock. */
export type EscalateComplaintOnBreach = { type: 'EscalateComplaintOnBreach'; clock: ServiceClock };
export type ChangeComplaintSeverity = { type: 'ChangeComplaintSeverity'; severity: ComplaintSeverity; reason: string };
export type ProposeComplaintResolution = { type: 'ProposeComplaintResolution'; resolution: string; remedy?: Remedy };
export type ResolveComplaint = { type: 'ResolveComplaint'; resolution: string; upheld?: boolean };
export type ReopenComplaint = { type: 'ReopenComplaint'; reason: string };
export type CloseComplaint = { type: 'CloseComplaint' };
export type RateComplaint = { type: 'RateComplaint'; csat: number; nps?: number; comment?: string };
export type MarkComplaintResponseOverdue = { type: 'MarkComplaintResponseOverdue' };
export type MarkComplaintResolutionOverdue = { type: 'MarkComplaintResolutionOverdue' };

export type ComplaintCommand =
  | FileComplaint
  | AssignComplaint
  | RespondToComplaint
  | AddComplaintNote
  | RequestComplaintInfo
  | ReceiveComplaintInfo
  | EscalateComplaint
  | EscalateComplaintOnBreach
  | ChangeComplaintSeverity
  | ProposeComplaintResolution
  | ResolveComplaint
  | ReopenComplaint
  | CloseComplaint
  | RateComplaint
  | MarkComplaintResponseOverdue
  | MarkComplaintResolutionOverdue;

/** The policy revision a complaint runs under and its service levels: the one in force at filing, the complaint's own after. */
export type ServiceTerms = { readonly policyVersion: number; readonly service: ComplaintServiceLevels };

/** What filing judges beyond the complaint: the customer, and each order, promise and deal it names as the application found it. */
export type FilingFacts = ServiceTerms & {
  readonly customer: { readonly region: string; readonly personalDataErased: boolean };
  readonly order?: { readonly customerId: string; readonly dealOwnerId?: string };
  readonly promise?: { readonly customerId: string; readonly madeBy: string };
  readonly opportunity?: { readonly customerId: string; readonly ownerId: string };
};

/** The total of the order a complaint names, for a remedy with money. */
export type OrderFacts = { readonly orderTotal?: Money };

/** The roster entry of the seller the complaint is about, for who may settle it. */
export type SellerFacts = { readonly seller: RosterEntry | undefined };

export type ComplaintFacts = {
  readonly FileComplaint: FilingFacts;
  /** The roster entry of whoever it is given to. */
  readonly AssignComplaint: { readonly assignee: RosterEntry | undefined };
  readonly RespondToComplaint: unknown;
  readonly AddComplaintNote: unknown;
  readonly RequestComplaintInfo: unknown;
  readonly ReceiveComplaintInfo: unknown;
  readonly EscalateComplaint: ServiceTerms;
  readonly EscalateComplaintOnBreach: ServiceTerms;
  readonly ChangeComplaintSeverity: ServiceTerms;
  readonly ProposeComplaintResolution: ServiceTerms & OrderFacts;
  readonly ResolveComplaint: ServiceTerms & OrderFacts;
  readonly ReopenComplaint: ServiceTerms;
  readonly CloseComplaint: SellerFacts;
  readonly RateComplaint: unknown;
  readonly MarkComplaintResponseOverdue: unknown;
  readonly MarkComplaintResolutionOverdue: unknown;
};

export const complaintRules = {
  filedOnce: { id: 'CPL-01', name: 'A complaint is filed once' },
  saysWhatWentWrong: { id: 'CPL-02', name: `A complaint says what went wrong: a summary of at most ${SUMMARY_MAX_CHARS} characters, any detail at most ${TEXT_MAX_CHARS}` },
  customersOwn: { id: 'CPL-03', name: "The order, promise and deal a complaint names are its customer's own" },
  conductNamesWhat: { id: 'CPL-04', name: "A complaint about a seller's conduct or a false promise names the promise, deal or order it is about" },
  mustBeFiled: { id: 'CPL-05', name: 'Only a filed complaint is worked on' },
  inOrder: { id: 'CPL-06', name: 'A resolved complaint is reopened before it is worked on again, and a closed one takes nothing but a reopening' },
  assigneeOnRoster: { id: 'CPL-07', name: 'A complaint is assigned to someone active on the roster' },
  firstResponseOnce: { id: 'CPL-08', name: 'A complaint has one first response; later replies are notes' },
  pausedOnCustomer: { id: 'CPL-09', name: 'The clocks stand only while the desk waits on the customer: information is asked once at a time and received only when asked' },
  upTheLadder: { id: 'CPL-10', name: 'A complaint is escalated up the ladder the policy sets, with a reason' },
  remedyStated: { id: 'CPL-11', name: 'A refund, credit note or service credit states its amount; an apology, a replacement or no remedy carries none' },
  remedyOfOrder: { id: 'CPL-12', name: "A remedy's money is in the order's currency and no more than the order's total" },
  remedyAuthority: { id: 'CPL-13', name: 'A remedy with money is within the authority of whoever offers or settles it' },
  respondedBeforeResolved: { id: 'CPL-14', name: 'A complaint is resolved only after a first response' },
  notOwnConduct: { id: 'CPL-15', name: 'The seller a conduct or false-promise complaint is about neither resolves nor closes it, nor does their manager close it' },
  reopenWithinWindow: { id: 'CPL-16', name: "A complaint is reopened only once resolved, within the policy's reopen window, with the customer's reason" },
  closedOnceResolved: { id: 'CPL-17', name: 'Only a resolved complaint is closed' },
  ratedOnce: { id: 'CPL-18', name: 'A complaint is rated once, after it is resolved: satisfaction from 1 to 5, recommendation from 0 to 10' },
  breachedOnce: { id: 'CPL-19', name: 'A clock is breached once, and only when its time is up' },
  severityChange: { id: 'CPL-20', name: 'A change of severity says why, changes it, and comes before the resolution' },
  saysWhatWasDone: { id: 'CPL-21', name: 'Every step says what was said or done: a note, a resolution or a reason' },
  noReporterAfterErasure: { id: 'CPL-22', name: "No reporter's details are taken for a customer whose personal data was erased" },
} as const satisfies Record<string, Rule>;

const isBlank = (text: string) => !text.trim();

const tooLong = (text: string, max: number) => charCount(text) > max;

/** CPL-21: each step's words, within bounds. */
const explained = (text: string, what: string): Refusal | undefined => {
  if (isBlank(text)) return refuse(complaintRules.saysWhatWasDone, `Give the ${what}`);
  if (tooLong(text, TEXT_MAX_CHARS)) return refuse(complaintRules.saysWhatWasDone, `The ${what} has ${charCount(text)} characters, more than ${TEXT_MAX_CHARS}`);
  return undefined;
};

/** CPL-05: only a filed complaint is worked on. */
const onFiled = (state: Complaint, decide: (complaint: FiledComplaint) => ComplaintEvent[] | Refusal): ComplaintEvent[] | Refusal =>
  state.status === 'none' ? refuse(complaintRules.mustBeFiled, 'The complaint was never filed') : decide(state);

/** CPL-06: a complaint being worked on is open or waiting on the customer. */
const beingWorked = (state: Complaint, decide: (complaint: FiledComplaint) => ComplaintEvent[] | Refusal): ComplaintEvent[] | Refusal =>
  onFiled(state, (complaint) => {
    if (complaint.status === 'resolved') return refuse(complaintRules.inOrder, 'The complaint is resolved: reopen it first');
    if (complaint.status === 'closed') return refuse(complaintRules.inOrder, 'The complaint is closed');
    return decide(complaint);
  });

const ids = ({ complaintId, customerId }: FiledComplaint) => ({ complaintId, customerId });

const asMoney = ({ minor, currency }: Money) => `${currency} ${(minor / 100).toFixed(2)}`;

/** CPL-11: money exactly where the remedy gives money back. */
const remedyProblem = (remedy: Remedy): string | undefined => {
  const givesMoney = MONEY_REMEDIES.includes(remedy.kind);
  if (givesMoney && !remedy.amount) return `A ${remedy.kind} states its amount`;
  if (givesMoney && remedy.amount && remedy.amount.minor <= 0) return `A ${remedy.kind} of ${asMoney(remedy.amount)} gives nothing back`;
  if (!givesMoney && remedy.amount) return `A ${remedy.kind} carries no amount`;
  return undefined;
};

/** CPL-12: against the order the complaint names, when it names one. */
const beyondOrder = (amount: Money, orderTotal: Money | undefined): string | undefined => {
  if (!orderTotal) return undefined;
  if (amount.currency !== orderTotal.currency) return `The remedy is in ${amount.currency}; the order is in ${orderTotal.currency}`;
  if (amount.minor > orderTotal.minor) return `The remedy of ${asMoney(amount)} is more than the order's total of ${asMoney(orderTotal)}`;
  return undefined;
};

/** CPL-13: within the role's authority in the policy; a role not listed gives no money. */
const beyondAuthority = (amount: Money, role: string, service: ComplaintServiceLevels): string | undefined => {
  const authority = service.remedyAuthority[role];
  if (authority === null) return undefined;
  if (authority === undefined) return `A ${role} gives no remedy with money`;
  if (authority.currency !== amount.currency) return `The ${role} authority is set in ${authority.currency}, not ${amount.currency}`;
  return amount.minor > authority.minor ? `${asMoney(amount)} is above the ${role} authority of ${asMoney(authority)}` : undefined;
};

/** CPL-12 and CPL-13 on a remedy's money. */
const remedyMoneyRefusal = (remedy: Remedy | undefined, role: string, service: ComplaintServiceLevels, orderTotal: Money | undefined): Refusal | undefined => {
  if (!remedy?.amount) return undefined;
  const ofOrder = beyondOrder(remedy.amount, orderTotal);
  if (ofOrder) return refuse(complaintRules.remedyOfOrder, ofOrder);
  const authority = beyondAuthority(remedy.amount, role, service);
  return authority ? refuse(complaintRules.remedyAuthority, authority) : undefined;
};

const isConduct = (complaint: FiledComplaint) => CONDUCT_CATEGORIES.includes(complaint.category);

/** A clock stopping now: the whole minutes it counted and whether they were within its target. */
const clockReading = (complaint: FiledComplaint, clock: ServiceClock, now: string) => {
  const elapsed = clockElapsed(complaint, clock, now);
  return { clockMinutes: wholeMinutes(elapsed), withinTarget: elapsed < targetOf(complaint.serviceLevel, clock) };
};

/**
 * An event that moves the clocks, completed with where they stand once it applied: the due times
 * derive from the complaint as the event leaves it, so they are computed the same way on every path.
 */
const withDueTimes = <Event extends Extract<ComplaintEvent, { data: { due: DueTimes } }>>(complaint: FiledComplaint, event: Event): Event => {
  const after = evolve(complaint, event);
  return after.status === 'none' ? event : { ...event, data: { ...event.data, due: dueTimesOf(after) } };
};

/** CPL-03: each thing the complaint names is the customer's; undefined when all are, or when it names none. */
const notTheCustomers = (command: FileComplaint, facts: FilingFacts): string | undefined => {
  const named: [string, string | undefined, { customerId: string } | undefined][] = [
    ['Order', command.orderId, facts.order],
    ['Promise', command.promiseId, facts.promise],
    ['Opportunity', command.opportunityId, facts.opportunity],
  ];
  for (const [what, id, found] of named) {
    if (id === undefined) continue;
    // The application answers an unknown one with NotFound before deciding; this keeps decide total.
    if (!found) return `${what} ${id} is not known`;
    if (found.customerId !== command.customerId) return `${what} ${id} belongs to customer ${found.customerId}, not ${command.customerId}`;
  }
  return undefined;
};

const filed = (command: FileComplaint, state: Complaint, context: DecisionContext & FilingFacts): ComplaintEvent[] | Refusal => {
  if (state.status !== 'none') return refuse(complaintRules.filedOnce, `Complaint ${state.complaintId} is already filed`);
  const { complaintId, customerId, channel, category, severity, summary, detail, orderId, promiseId, opportunityId, sku, reporter } = command;
  if (isBlank(summary)) return refuse(complaintRules.saysWhatWentWrong, 'Summarise what went wrong');
  if (tooLong(summary, SUMMARY_MAX_CHARS)) return refuse(complaintRules.saysWhatWentWrong, `The summary has ${charCount(summary)} characters`);
  if (detail !== undefined && tooLong(detail, TEXT_MAX_CHARS)) return refuse(complaintRules.saysWhatWentWrong, `The detail has ${charCount(detail)} characters`);
  const foreign = notTheCustomers(command, context);
  if (foreign) return refuse(complaintRules.customersOwn, foreign);
  const sellerId = context.promise?.madeBy ?? context.opportunity?.ownerId ?? context.order?.dealOwnerId;
  if (CONDUCT_CATEGORIES.includes(category) && sellerId === undefined) {
    return refuse(complaintRules.conductNamesWhat, `A ${category} complaint names the promise, deal or order whose seller it is about`);
  }
  if (reporter && context.customer.personalDataErased) {
    return refuse(complaintRules.noReporterAfterErasure, "The customer's personal data was erased: file the complaint without the reporter's details");
  }
  const calendar = calendarNameFor(context.service, context.customer.region);
  const serviceLevel = serviceLevelFor(context.service, severity, calendar);
  const counting = countingOf(serviceLevel);
  return [
    {
      type: 'ComplaintFiled',
      data: {
        complaintId,
        customerId,
        region: context.customer.region,
        channel,
        category,
        severity,
        summary,
        ...(detail !== undefined ? { detail } : {}),
        ...(orderId !== undefined ? { orderId } : {}),
        ...(promiseId !== undefined ? { promiseId } : {}),
        ...(opportunityId !== undefined ? { opportunityId } : {}),
        ...(sku !== undefined ? { sku } : {}),
        ...(reporter !== undefined ? { reporter } : {}),
        ...(sellerId !== undefined ? { sellerId } : {}),
        filedBy: context.actor.id,
        filedAt: context.now,
        policyVersion: context.policyVersion,
        calendar,
        serviceLevel,
        due: {
          firstResponse: afterCounted(counting, context.now, targetOf(serviceLevel, 'firstResponse')),
          resolution: afterCounted(counting, context.now, targetOf(serviceLevel, 'resolution')),
        },
      },
    },
  ];
};

/** CPL-19: the clock's time is up and no breach of it is on record. */
const breached = (complaint: FiledComplaint, clock: ServiceClock, now: string): Refusal | { dueAt: string; targetMinutes: number } => {
  const state = complaint[clock];
  if (state.breached) return refuse(complaintRules.breachedOnce, `The ${clock} clock's breach is already on record`);
  if (!running(state)) return refuse(complaintRules.breachedOnce, `The ${clock} clock stopped at ${state.stoppedAt}`);
  const target = targetOf(complaint.serviceLevel, clock);
  const dueAt = dueOf(countingOf(complaint.serviceLevel), state.runs, target);
  if (dueAt === null || clockElapsed(complaint, clock, now) < target) {
    return refuse(complaintRules.breachedOnce, `The ${clock} clock has time left${dueAt ? `: it runs out at ${dueAt}` : ' and stands while the desk waits on the customer'}`);
  }
  return { dueAt, targetMinutes: target / MINUTE_MS };
};

const escalated = (complaint: FiledComplaint, step: EscalationStep, reason: string, by: string, breachOf?: ServiceClock): ComplaintEvent[] => [
  {
    type: 'ComplaintEscalated',
    data: { ...ids(complaint), level: step.level, role: step.role, reason, escalatedBy: by, ...(breachOf !== undefined ? { breachOf } : {}) },
  },
];

const CLOCK_NAMES: Record<ServiceClock, string> = { firstResponse: 'first response', resolution: 'resolution' };

export const decide = decideByCommand<Complaint, ComplaintCommand, ComplaintEvent, ComplaintFacts>({
  FileComplaint: filed,

  AssignComplaint: ({ assigneeId }, state, context) =>
    beingWorked(state, (complaint) => {
      const { assignee } = context;
      if (!assignee) return refuse(complaintRules.assigneeOnRoster, `${assigneeId} is not on the roster`);
      if (!assignee.active) return refuse(complaintRules.assigneeOnRoster, `${assigneeId} was offboarded`);
      return [{ type: 'ComplaintAssigned', data: { ...ids(complaint), assigneeId, assignedBy: context.actor.id } }];
    }),

  RespondToComplaint: ({ note }, state, context) =>
    beingWorked(state, (complaint) => {
      if (!running(complaint.firstResponse)) return refuse(complaintRules.firstResponseOnce, `The first response was given at ${complaint.firstResponse.stoppedAt}: add a note`);
      const unexplained = explained(note, 'response');
      if (unexplained) return unexplained;
      return [
        {
          type: 'ComplaintResponded',
          data: { ...ids(complaint), note, respondedBy: context.actor.id, respondedAt: context.now, ...clockReading(complaint, 'firstResponse', context.now) },
        },
      ];
    }),

  AddComplaintNote: ({ note, internal }, state, context) =>
    beingWorked(state, (complaint) => explained(note, 'note') ?? [{ type: 'ComplaintNoted', data: { ...ids(complaint), note, internal, notedBy: context.actor.id } }]),

  RequestComplaintInfo: ({ note }, state, context) =>
    beingWorked(state, (complaint) => {
      if (complaint.status === 'awaiting_customer') return refuse(complaintRules.pausedOnCustomer, 'The desk already waits on the customer');
      return (
        explained(note, 'request') ??
        [withDueTimes(complaint, { type: 'ComplaintInfoRequested', data: { ...ids(complaint), note, requestedBy: context.actor.id, requestedAt: context.now, due: {} } })]
      );
    }),

  ReceiveComplaintInfo: ({ note }, state, context) =>
    beingWorked(state, (complaint) => {
      if (complaint.status !== 'awaiting_customer') return refuse(complaintRules.pausedOnCustomer, 'Nothing was asked of the customer');
      return (
        explained(note, "customer's answer") ??
        [withDueTimes(complaint, { type: 'ComplaintInfoReceived', data: { ...ids(complaint), note, recordedBy: context.actor.id, receivedAt: context.now, due: {} } })]
      );
    }),

  EscalateComplaint: ({ level, reason }, state, context) =>
    beingWorked(state, (complaint) => {
      const step = context.service.escalation.find((rung) => rung.level === level);
      if (!step) return refuse(complaintRules.upTheLadder, `The ladder has no level ${level}; it runs from 1 to ${context.service.escalation.length}`);
      if (level <= complaint.escalationLevel) return refuse(complaintRules.upTheLadder, `The complaint is already at level ${complaint.escalationLevel}`);
      if (isBlank(reason)) return refuse(complaintRules.upTheLadder, 'Say why it is escalated');
      return escalated(complaint, step, reason, context.actor.id);
    }),

  EscalateComplaintOnBreach: ({ clock }, state, context) =>
    beingWorked(state, (complaint) => {
      if (!complaint[clock].breached) return refuse(complaintRules.upTheLadder, `The ${CLOCK_NAMES[clock]} clock has not run out`);
      const step = escalationOnBreach(complaint, context.service, clock);
      if (!step) return refuse(complaintRules.upTheLadder, `The ladder takes a complaint at level ${complaint.escalationLevel} no higher when its ${CLOCK_NAMES[clock]} clock runs out`);
      return escalated(complaint, step, `The ${CLOCK_NAMES[clock]} target was missed`, context.actor.id, clock);
    }),

  ChangeComplaintSeverity: ({ severity, reason }, state, context) =>
    beingWorked(state, (complaint) => {
      if (severity === complaint.severity) return refuse(complaintRules.severityChange, `The complaint is already ${severity}`);
      if (isBlank(reason)) return refuse(complaintRules.severityChange, 'Say why the severity changes');
      const serviceLevel = serviceLevelFor(context.service, severity, complaint.calendar);
      return [
        withDueTimes(complaint, {
          type: 'ComplaintSeverityChanged',
          data: { ...ids(complaint), from: complaint.severity, to: severity, reason, changedBy: context.actor.id, serviceLevel, due: {} },
        }),
      ];
    }),

  ProposeComplaintResolution: ({ resolution, remedy }, state, context) =>
    beingWorked(state, (complaint) => {
      const unexplained = explained(resolution, 'resolution');
      if (unexplained) return unexplained;
      const shape = remedy && remedyProblem(remedy);
      if (shape) return refuse(complaintRules.remedyStated, shape);
      const money = remedyMoneyRefusal(remedy, context.actor.role, context.service, context.orderTotal);
      if (money) return money;
      return [{ type: 'ComplaintResolutionProposed', data: { ...ids(complaint), resolution, ...(remedy ? { remedy } : {}), proposedBy: context.actor.id } }];
    }),

  ResolveComplaint: ({ resolution, upheld }, state, context) =>
    beingWorked(state, (complaint) => {
      if (running(complaint.firstResponse)) return refuse(complaintRules.respondedBeforeResolved, 'The customer has had no response yet');
      if (isConduct(complaint) && context.actor.id === complaint.sellerId) {
        return refuse(complaintRules.notOwnConduct, `${context.actor.id} is the seller this ${complaint.category} complaint is about`);
      }
      const unexplained = explained(resolution, 'resolution');
      if (unexplained) return unexplained;
      const remedy = complaint.proposedRemedy;
      const money = remedyMoneyRefusal(remedy, context.actor.role, context.service, context.orderTotal);
      if (money) return money;
      return [
        {
          type: 'ComplaintResolved',
          data: {
            ...ids(complaint),
            resolution,
            ...(remedy ? { remedy } : {}),
            ...(upheld !== undefined ? { upheld } : {}),
            ...(complaint.promiseId !== undefined ? { promiseId: complaint.promiseId } : {}),
            resolvedBy: context.actor.id,
            resolvedAt: context.now,
            ...clockReading(complaint, 'resolution', context.now),
          },
        },
      ];
    }),

  ReopenComplaint: ({ reason }, state, context) =>
    onFiled(state, (complaint) => {
      if (complaint.resolvedAt === undefined || (complaint.status !== 'resolved' && complaint.status !== 'closed')) {
        return refuse(complaintRules.reopenWithinWindow, `The complaint is ${complaint.status.replace('_', ' ')}, not resolved`);
      }
      const days = context.service.reopenWindowDays;
      const windowEnds = new Date(Date.parse(complaint.resolvedAt) + days * DAY_MS).toISOString();
      if (Date.parse(context.now) > Date.parse(windowEnds)) {
        return refuse(complaintRules.reopenWithinWindow, `Resolved at ${complaint.resolvedAt}; the ${days}-day reopen window closed at ${windowEnds}`);
      }
      if (isBlank(reason)) return refuse(complaintRules.reopenWithinWindow, "Give the customer's reason");
      return [withDueTimes(complaint, { type: 'ComplaintReopened', data: { ...ids(complaint), reason, reopenedBy: context.actor.id, reopenedAt: context.now, due: {} } })];
    }),

  CloseComplaint: (_command, state, context) =>
    onFiled(state, (complaint) => {
      if (complaint.status === 'closed') return refuse(complaintRules.inOrder, 'The complaint is already closed');
      if (complaint.status !== 'resolved') return refuse(complaintRules.closedOnceResolved, `The complaint is ${complaint.status.replace('_', ' ')}`);
      if (isConduct(complaint) && context.actor.id === complaint.sellerId) {
        return refuse(complaintRules.notOwnConduct, `${context.actor.id} is the seller this ${complaint.category} complaint is about`);
      }
      if (isConduct(complaint) && context.seller?.managerId !== undefined && context.actor.id === context.seller.managerId) {
        return refuse(complaintRules.notOwnConduct, `${context.actor.id} manages ${complaint.sellerId}, the seller this ${complaint.category} complaint is about`);
      }
      return [{ type: 'ComplaintClosed', data: { ...ids(complaint), closedBy: context.actor.id, closedAt: context.now } }];
    }),

  RateComplaint: ({ csat, nps, comment }, state, context) =>
    onFiled(state, (complaint) => {
      if (complaint.rated) return refuse(complaintRules.ratedOnce, 'The customer already rated this complaint');
      if (complaint.status !== 'resolved' && complaint.status !== 'closed') return refuse(complaintRules.ratedOnce, 'The complaint is not resolved yet');
      if (!Number.isInteger(csat) || csat < CSAT_RANGE.min || csat > CSAT_RANGE.max) return refuse(complaintRules.ratedOnce, `Satisfaction is 1 to 5, not ${csat}`);
      if (nps !== undefined && (!Number.isInteger(nps) || nps < NPS_RANGE.min || nps > NPS_RANGE.max)) return refuse(complaintRules.ratedOnce, `Recommendation is 0 to 10, not ${nps}`);
      if (comment !== undefined && tooLong(comment, TEXT_MAX_CHARS)) return refuse(complaintRules.ratedOnce, `The comment has ${charCount(comment)} characters`);
      return [
        {
          type: 'ComplaintRated',
          data: { ...ids(complaint), csat, ...(nps !== undefined ? { nps } : {}), ...(comment !== undefined ? { comment } : {}), recordedBy: context.actor.id },
        },
      ];
    }),

  MarkComplaintResponseOverdue: (_command, state, context) =>
    onFiled(state, (complaint) => {
      const breach = breached(complaint, 'firstResponse', context.now);
      return isRefusal(breach) ? breach : [{ type: 'ComplaintResponseOverdue', data: { ...ids(complaint), ...breach } }];
    }),

  MarkComplaintResolutionOverdue: (_command, state, context) =>
    onFiled(state, (complaint) => {
      const breach = breached(complaint, 'resolution', context.now);
      return isRefusal(breach) ? breach : [{ type: 'ComplaintResolutionOverdue', data: { ...ids(complaint), ...breach } }];
    }),
});

export const complaintDecider: Decider<Complaint, ComplaintCommand, ComplaintEvent, ComplaintFacts> = { initialState, evolve, decide };

export const complaintAggregate: Aggregate<Complaint, ComplaintCommand, ComplaintEvent, ComplaintFacts> = {
  category: COMPLAINT_CATEGORY,
  name: 'Complaint',
  streamId: complaintStreamId,
  decider: complaintDecider,
  events: complaintEventSchemas,
  // The reporter is the customer's personal data: sealed with the customer's own key, so erasing the customer erases it too.
  personalData: { subject: (_id, state) => (state.status === 'none' ? undefined : customerDataSubject(state.customerId)), fields: complaintPersonalDataFields },
  customerOf: (state) => (state.status === 'none' ? undefined : state.customerId),
};
