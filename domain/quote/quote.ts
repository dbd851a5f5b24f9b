import { z } from 'zod';
import type { ProductFacts } from '../catalog/product.js';
import { promotionApplies, type PromotionFacts } from '../catalog/promotion.js';
import { firstBlock, type Violation } from '../compliance/rules.js';
import type { Aggregate } from '../shared/aggregate.js';
import { actsForOwner, type OwnerFacts } from '../team/ownership.js';
import { decideByCommand, isRefusal, refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { exactSum, Money, moneyOf, withinAmountLimit } from '../shared/money.js';
import { hasAtMostTwoDecimals } from '../shared/percent.js';
import { MAX_LINE_QUANTITY } from '../shared/quantity.js';
import {
  asPct,
  authorityOf,
  discountToAuthorise,
  isBelowFloor,
  largestDiscountToAuthorise,
  lineTotals,
  priceLine,
  QuoteLineData,
  type DiscountAuthority,
  type QuoteLine,
  type QuoteLineRequest,
} from './pricing.js';

export const QUOTE_CATEGORY = 'quote';
export const quoteStreamId = (quoteId: string) => `${QUOTE_CATEGORY}-${quoteId}`;

export const QuoteStatus = z.enum(['draft', 'pending_approval', 'approved', 'sent', 'accepted', 'declined', 'rejected', 'expired']);
export type QuoteStatus = z.infer<typeof QuoteStatus>;

const FINAL_STATUSES: readonly QuoteStatus[] = ['accepted', 'declined', 'rejected', 'expired'];

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const quoteEventSchemas = {
  QuoteDrafted: z.object({
    quoteId: z.string(),
    opportunityId: z.string(),
    customerId: z.string(),
    ownerId: z.string(),
    /** Who drafted it; absent from quotes drafted before it was recorded. */
    draftedBy: z.string().optional(),
    validUntil: z.iso.datetime(),
    lines: z.array(QuoteLineData),
    subtotal: Money,
    discountTotal: Money,
    total: Money,
  }),
  QuoteSubmitted: z.object({
    quoteId: z.string(),
    submittedBy: z.string(),
    approvalRequired: z.boolean(),
    /** Why approval is needed, each led by the id of the rule that asks for it. */
    reasons: z.array(z.string()),
  }),
  QuoteApproved: z.object({
    quoteId: z.string(),
    approvedBy: z.string(),
    approverRole: z.string(),
    reason: z.string().optional(),
  }),
  QuoteRejected: z.object({
    quoteId: z.string(),
    rejectedBy: z.string(),
    reason: z.string(),
  }),
  QuoteSent: z.object({
    quoteId: z.string(),
    sentBy: z.string(),
  }),
  QuoteAccepted: z.object({
    quoteId: z.string(),
    opportunityId: z.string(),
    customerId: z.string(),
    total: Money,
  }),
  QuoteDeclined: z.object({
    quoteId: z.string(),
    customerId: z.string(),
    reason: z.string(),
  }),
  QuoteExpired: z.object({
    quoteId: z.string(),
    validUntil: z.iso.datetime(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type QuoteEvent = EventOf<typeof quoteEventSchemas>;

// State

export type Quote =
  | { status: 'none' }
  | {
      status: QuoteStatus;
      quoteId: string;
      opportunityId: string;
      customerId: string;
      ownerId: string;
      draftedBy?: string;
      validUntil: string;
      lines: QuoteLine[];
      total: Money;
      submittedBy?: string;
    };

export const initialState = (): Quote => ({ status: 'none' });

export const evolve = (state: Quote, event: QuoteEvent): Quote => {
  if (event.type === 'QuoteDrafted') {
    const { quoteId, opportunityId, customerId, ownerId, draftedBy, validUntil, lines, total } = event.data;
    return { status: 'draft', quoteId, opportunityId, customerId, ownerId, ...(draftedBy !== undefined ? { draftedBy } : {}), validUntil, lines, total };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'QuoteSubmitted':
      return { ...state, status: event.data.approvalRequired ? 'pending_approval' : 'approved', submittedBy: event.data.submittedBy };
    case 'QuoteApproved':
      return { ...state, status: 'approved' };
    case 'QuoteRejected':
      return { ...state, status: 'rejected' };
    case 'QuoteSent':
      return { ...state, status: 'sent' };
    case 'QuoteAccepted':
      return { ...state, status: 'accepted' };
    case 'QuoteDeclined':
      return { ...state, status: 'declined' };
    case 'QuoteExpired':
      return { ...state, status: 'expired' };
  }
};

// Commands

export type DraftQuote = {
  type: 'DraftQuote';
  quoteId: string;
  opportunityId: string;
  customerId: string;
  ownerId: string;
  lines: QuoteLineRequest[];
  validUntil: string;
};
export type SubmitQuote = { type: 'SubmitQuote' };
export type ApproveQuote = { type: 'ApproveQuote'; reason?: string };
export type RejectQuote = { type: 'RejectQuote'; reason: string };
export type SendQuote = { type: 'SendQuote' };
export type AcceptQuote = { type: 'AcceptQuote' };
export type DeclineQuote = { type: 'DeclineQuote'; reason: string };
/** Issued by the deadline watcher once context.now has reached validUntil. */
export type ExpireQuote = { type: 'ExpireQuote' };

export type QuoteCommand = DraftQuote | SubmitQuote | ApproveQuote | RejectQuote | SendQuote | AcceptQuote | DeclineQuote | ExpireQuote;

/** The roles that may approve a price below a product's floor: a margin exception, not a discount a seller's authority covers. */
export const DEFAULT_BELOW_FLOOR_APPROVERS: readonly string[] = ['sales_manager', 'finance', 'admin'];

/** Drafting prices the lines against the catalog, for the customer, on an opportunity. */
export type DraftingFacts = {
  /** The catalog facts of every sku on the quote. */
  readonly products: Readonly<Record<string, ProductFacts>>;
  /** The facts of every promotion a line names. */
  readonly promotions: Readonly<Record<string, PromotionFacts>>;
  readonly customer: { readonly tier?: string; readonly region: string };
  readonly opportunity: { readonly status: 'open' | 'won' | 'lost' };
};

/** Submitting weighs the discount against the submitter's authority under the policy in force. */
export type AuthorityFacts = {
  readonly discountAuthority: DiscountAuthority;
  /** The policy revision the authority table came from; recorded on the events and on refusals that used it. */
  readonly policyVersion: number;
};

/**
 * Who owns the deal now, as the opportunity's stream says when the command is decided: a deal
 * reassigned after the quote was drafted has a new owner, who answers for the quote from then on.
 */
export type DealOwnerFacts = OwnerFacts & { readonly dealOwnerId: string };

/** Deciding on a quote awaiting approval weighs the approver's authority, and who may pass a price below the floor. */
export type ApprovalFacts = AuthorityFacts & {
  /** The roles that may approve or reject a quote with a line below its product's floor. */
  readonly belowFloorApprovers: readonly string[];
  /** The deal's owner now: never its approver (QUO-14). */
  readonly dealOwnerId: string;
};

/** Sending is judged by the compliance rules of the policy in force first. */
export type SendingFacts = {
  /** What the checks found on the quote about to go out: a `block` among them keeps it from going. */
  readonly violations: readonly Violation[];
  readonly policyVersion: number;
};

/**
 * The facts each quote command needs beyond the time and the actor. What the seller side does
 * (draft, submit, send, record the customer's answer) is judged with the deal owner's roster entry.
 */
export type QuoteFacts = {
  readonly DraftQuote: DraftingFacts & OwnerFacts;
  readonly SubmitQuote: AuthorityFacts & DealOwnerFacts;
  readonly ApproveQuote: ApprovalFacts;
  readonly RejectQuote: ApprovalFacts;
  readonly SendQuote: SendingFacts & DealOwnerFacts;
  readonly AcceptQuote: DealOwnerFacts;
  readonly DeclineQuote: DealOwnerFacts;
  readonly ExpireQuote: unknown;
};

export const quoteRules = {
  draftedOnce: { id: 'QUO-01', name: 'A quote is drafted once' },
  draftedFirst: { id: 'QUO-02', name: 'A quote is drafted before anything else is done with it' },
  hasLines: { id: 'QUO-03', name: 'A quote has at least one line' },
  positiveQuantity: { id: 'QUO-04', name: 'Quantities are whole units, from one to a million a line' },
  discountRange: { id: 'QUO-05', name: 'A discount is between 0% and 100%, to at most two decimals' },
  unitPriceNotNegative: { id: 'QUO-06', name: 'A unit price is never negative' },
  validUntilAhead: { id: 'QUO-07', name: 'A quote is valid until a time still ahead' },
  productOnSale: { id: 'QUO-08', name: 'Only catalog products still on sale are quoted' },
  productCurrency: { id: 'QUO-09', name: "Each line is priced in its product's currency" },
  oneCurrency: { id: 'QUO-10', name: 'A quote is in one currency' },
  promotionTerms: { id: 'QUO-11', name: 'A promotion is used only in its window, on its products, for eligible customers' },
  belowFloorNeedsApproval: { id: 'QUO-12', name: "A price below the product's floor needs approval" },
  aboveAuthorityNeedsApproval: { id: 'QUO-13', name: "A discount above the submitter's authority needs approval" },
  segregationOfDuties: { id: 'QUO-14', name: 'No one approves or rejects a quote they drafted or submitted, or one on a deal they own' },
  approverAuthority: { id: 'QUO-15', name: 'Only a role whose authority covers the largest discount decides on it' },
  submitOnlyDraft: { id: 'QUO-16', name: 'Only a draft quote is submitted' },
  decideOnlyPending: { id: 'QUO-17', name: 'Only a quote awaiting approval is approved or rejected' },
  sendOnlyApproved: { id: 'QUO-18', name: 'A quote is sent only once submitted and, where needed, approved' },
  answerOnlySent: { id: 'QUO-19', name: 'A customer accepts or declines only a quote that was sent' },
  noActionAfterExpiry: { id: 'QUO-20', name: 'Nothing is done with a quote past its validity' },
  expireOnlyWhenDue: { id: 'QUO-21', name: 'A quote expires only once its validity has run out' },
  finalIsFinal: { id: 'QUO-22', name: 'An accepted, declined, rejected or expired quote takes no further change' },
  reasonRequired: { id: 'QUO-23', name: 'A rejection or a decline states its reason' },
  openOpportunity: { id: 'QUO-24', name: 'A quote is drafted only for an open opportunity' },
  belowFloorApprover: { id: 'QUO-25', name: 'A price below the floor is approved only by a sales manager, finance or admin' },
  workedByOwner: { id: 'QUO-26', name: "A quote is drafted, submitted, sent and answered by the deal's owner, the owner's manager or an admin" },
  withinAmountLimit: { id: 'QUO-27', name: "A quote's lines and totals stay within the amount limit" },
} as const satisfies Record<string, Rule>;

const instant = (iso: string) => Date.parse(iso);

type Decision = QuoteEvent[] | Refusal;

/** QUO-27: the first figure, named by what it is, that passes the amount limit, as a refusal says it; undefined when all are within. */
const beyondAmountLimit = (figures: Readonly<Record<string, bigint>>) => {
  const beyond = Object.entries(figures).find(([, minor]) => !withinAmountLimit(minor));
  return beyond && `${beyond[1]} minor units ${beyond[0]}, past the amount limit of 10^15`;
};

const checkLine = (request: QuoteLineRequest, label: string, context: DecisionContext & DraftingFacts): QuoteLine | Refusal => {
  if (!Number.isSafeInteger(request.qty) || request.qty < 1 || request.qty > MAX_LINE_QUANTITY) {
    return refuse(quoteRules.positiveQuantity, `${label}: ${request.qty} is not a whole number of units from one to a million`);
  }
  if (!hasAtMostTwoDecimals(request.discountPct) || request.discountPct < 0 || request.discountPct > 100) {
    return refuse(quoteRules.discountRange, `${label}: a discount of ${request.discountPct}% is not between 0% and 100% to two decimals`);
  }
  if (request.unitPrice.minor < 0) return refuse(quoteRules.unitPriceNotNegative, `${label}: the unit price is negative`);
  const product = context.products[request.sku];
  // The application answers an unknown sku with NotFound before deciding; this keeps decide total.
  if (!product) return refuse(quoteRules.productOnSale, `${label}: the product is not in the catalog`);
  if (product.retired) return refuse(quoteRules.productOnSale, `${label}: the product is retired`);
  if (request.unitPrice.currency !== product.listPrice.currency) {
    return refuse(quoteRules.productCurrency, `${label}: priced in ${request.unitPrice.currency}, the product in ${product.listPrice.currency}`);
  }
  const { listTotal, netTotal } = lineTotals(request, product.listPrice);
  const beyond = beyondAmountLimit({ 'at list price': listTotal, 'as quoted': netTotal });
  if (beyond) return refuse(quoteRules.withinAmountLimit, `${label}: ${request.qty} units come to ${beyond}`);
  if (request.promotionId === undefined) return priceLine(request, product, undefined);
  const promotion = context.promotions[request.promotionId];
  if (!promotion) return refuse(quoteRules.promotionTerms, `${label}: promotion ${request.promotionId} is not known`);
  const fit = promotionApplies(promotion, {
    sku: request.sku,
    customerTier: context.customer.tier,
    customerRegion: context.customer.region,
    at: context.now,
  });
  if (!fit.ok) return refuse(quoteRules.promotionTerms, `${label}: ${fit.detail}`);
  return priceLine(request, product, promotion);
};

/** QUO-26: the seller side of a quote acts for the deal's owner. */
const notForOwner = (context: DecisionContext & OwnerFacts, ownerId: string): Refusal | undefined =>
  actsForOwner(context.actor, ownerId, context.owner) ? undefined : refuse(quoteRules.workedByOwner, `${context.actor.id} is neither ${ownerId}, their manager nor an admin`);

const draft = (command: DraftQuote, state: Quote, context: DecisionContext & DraftingFacts & OwnerFacts): Decision => {
  if (state.status !== 'none') return refuse(quoteRules.draftedOnce, `Quote ${state.quoteId} is already drafted`);
  const notOwner = notForOwner(context, command.ownerId);
  if (notOwner) return notOwner;
  if (context.opportunity.status !== 'open') {
    return refuse(quoteRules.openOpportunity, `Opportunity ${command.opportunityId} is ${context.opportunity.status}`);
  }
  if (!(instant(command.validUntil) > instant(context.now))) {
    return refuse(quoteRules.validUntilAhead, `Valid until ${command.validUntil} is not after ${context.now}`);
  }
  const lines: QuoteLine[] = [];
  for (const [index, request] of command.lines.entries()) {
    const line = checkLine(request, `Line ${index + 1} (${request.sku})`, context);
    if (isRefusal(line)) return line;
    lines.push(line);
  }
  const [first] = lines;
  if (!first) return refuse(quoteRules.hasLines, 'The quote has no lines');
  const currency = first.unitPrice.currency;
  const stray = lines.find((line) => line.unitPrice.currency !== currency);
  if (stray) return refuse(quoteRules.oneCurrency, `Line ${stray.sku} is in ${stray.unitPrice.currency}, the quote in ${currency}`);
  const subtotal = exactSum(lines.map((line) => line.listTotal), currency);
  const total = exactSum(lines.map((line) => line.netTotal), currency);
  const beyond = beyondAmountLimit({ 'at list price': subtotal.minor, 'in total': total.minor });
  if (beyond) return refuse(quoteRules.withinAmountLimit, `The quote's ${lines.length} lines come to ${beyond}`);
  const { quoteId, opportunityId, customerId, ownerId, validUntil } = command;
  return [
    {
      type: 'QuoteDrafted',
      data: {
        quoteId,
        opportunityId,
        customerId,
        ownerId,
        draftedBy: context.actor.id,
        validUntil,
        lines,
        subtotal: moneyOf(subtotal),
        // Within the limit either side of zero, as the difference of two figures within it.
        discountTotal: moneyOf(exactSum(lines.map((line) => line.discountAmount), currency)),
        total: moneyOf(total),
      },
    },
  ];
};

type DraftedQuote = Exclude<Quote, { status: 'none' }>;

/** QUO-02 and QUO-22: anything after drafting needs a quote that was drafted and is not yet final. */
const onOpenQuote = (state: Quote, decide: (quote: DraftedQuote) => Decision): Decision => {
  if (state.status === 'none') return refuse(quoteRules.draftedFirst, 'The quote was never drafted');
  if (FINAL_STATUSES.includes(state.status)) return refuse(quoteRules.finalIsFinal, `The quote is already ${state.status}`);
  return decide(state);
};

const hasExpired = (quote: DraftedQuote, now: string) => instant(now) >= instant(quote.validUntil);

/** QUO-20: what a seller, an approver or a customer does with an open quote, only while it is valid. */
const onValidQuote = (state: Quote, context: DecisionContext, decide: (quote: DraftedQuote) => Decision): Decision =>
  onOpenQuote(state, (quote) => (hasExpired(quote, context.now) ? refuse(quoteRules.noActionAfterExpiry, `The quote was valid until ${quote.validUntil}`) : decide(quote)));

/** As onValidQuote, for the seller side: QUO-26, for the deal's owner now, after the quote's own state. */
const onOwnValidQuote = (state: Quote, context: DecisionContext & DealOwnerFacts, decide: (quote: DraftedQuote) => Decision): Decision =>
  onValidQuote(state, context, (quote) => notForOwner(context, context.dealOwnerId) ?? decide(quote));

/** Why a submission needs approval, each reason led by the id of the rule that asks for it. */
const approvalReasons = (lines: QuoteLine[], context: DecisionContext & AuthorityFacts) => {
  const { role } = context.actor;
  const authority = authorityOf(context.discountAuthority, role);
  return lines.flatMap((line, index) => {
    const label = `line ${index + 1} (${line.sku})`;
    const discount = discountToAuthorise(line);
    return [
      ...(isBelowFloor(line) ? [`${quoteRules.belowFloorNeedsApproval.id}: ${label} is priced below the product's floor`] : []),
      ...(discount > authority
        ? [`${quoteRules.aboveAuthorityNeedsApproval.id}: ${label} takes ${asPct(discount)} off list, above the ${role} authority of ${asPct(authority)}`]
        : []),
    ];
  });
};

/**
 * Approving and rejecting are the same decision: someone other than the requester, in a role that may
 * decide on a price below the floor where a line has one, with authority over the largest discount.
 */
const checkApprover = (quote: DraftedQuote, context: DecisionContext & ApprovalFacts): Refusal | undefined => {
  if (quote.status !== 'pending_approval') return refuse(quoteRules.decideOnlyPending, `The quote is ${quote.status}, not awaiting approval`);
  const { id } = context.actor;
  const part =
    id === quote.submittedBy
      ? 'submitted this quote'
      : id === quote.draftedBy
        ? 'drafted this quote'
        : id === context.dealOwnerId
          ? 'owns the deal'
          : id === quote.ownerId
            ? 'owned the deal when the quote was drafted'
            : undefined;
  if (part) return refuse(quoteRules.segregationOfDuties, `${id} ${part} and cannot decide on it`);
  const belowFloor = quote.lines.findIndex(isBelowFloor);
  const belowFloorLine = quote.lines[belowFloor];
  if (belowFloorLine && !context.belowFloorApprovers.includes(context.actor.role)) {
    return refuse(
      quoteRules.belowFloorApprover,
      `Line ${belowFloor + 1} (${belowFloorLine.sku}) is priced below the product's floor, which a ${context.actor.role} cannot decide on`,
      context.policyVersion,
    );
  }
  const needed = largestDiscountToAuthorise(quote.lines);
  const authority = authorityOf(context.discountAuthority, context.actor.role);
  if (authority < needed) {
    return refuse(
      quoteRules.approverAuthority,
      `The ${context.actor.role} authority of ${asPct(authority)} does not cover a discount of ${asPct(needed)}`,
      context.policyVersion,
    );
  }
  return undefined;
};

export const decide = decideByCommand<Quote, QuoteCommand, QuoteEvent, QuoteFacts>({
  DraftQuote: draft,

  SubmitQuote: (_command, state, context) =>
    onOwnValidQuote(state, context, ({ quoteId, status, lines }) => {
      if (status !== 'draft') return refuse(quoteRules.submitOnlyDraft, `The quote is already ${status}`);
      const reasons = approvalReasons(lines, context);
      return [{ type: 'QuoteSubmitted', data: { quoteId, submittedBy: context.actor.id, approvalRequired: reasons.length > 0, reasons } }];
    }),

  ApproveQuote: (command, state, context) =>
    onValidQuote(state, context, (quote) => {
      const refusal = checkApprover(quote, context);
      if (refusal) return refusal;
      const { id: approvedBy, role: approverRole } = context.actor;
      return [{ type: 'QuoteApproved', data: { quoteId: quote.quoteId, approvedBy, approverRole, ...(command.reason ? { reason: command.reason } : {}) } }];
    }),

  RejectQuote: (command, state, context) =>
    onValidQuote(state, context, (quote) => {
      const refusal = checkApprover(quote, context);
      if (refusal) return refusal;
      if (!command.reason.trim()) return refuse(quoteRules.reasonRequired, 'Say why the quote is rejected');
      return [{ type: 'QuoteRejected', data: { quoteId: quote.quoteId, rejectedBy: context.actor.id, reason: command.reason } }];
    }),

  // The quote's own rules judge first (a quote not yet approved is refused as such), then a blocking compliance rule.
  SendQuote: (_command, state, context) =>
    onOwnValidQuote(state, context, ({ quoteId, status }) => {
      if (status === 'draft') return refuse(quoteRules.sendOnlyApproved, 'The quote has not been submitted');
      if (status === 'pending_approval') return refuse(quoteRules.sendOnlyApproved, 'The quote is still awaiting approval');
      if (status !== 'approved') return refuse(quoteRules.sendOnlyApproved, `The quote is already ${status}`);
      return firstBlock(context.violations) ?? [{ type: 'QuoteSent', data: { quoteId, sentBy: context.actor.id } }];
    }),

  AcceptQuote: (_command, state, context) =>
    onOwnValidQuote(state, context, ({ quoteId, status, opportunityId, customerId, total }) => {
      if (status !== 'sent') return refuse(quoteRules.answerOnlySent, `The quote is ${status}, not sent`);
      return [{ type: 'QuoteAccepted', data: { quoteId, opportunityId, customerId, total } }];
    }),

  DeclineQuote: (command, state, context) =>
    onOwnValidQuote(state, context, ({ quoteId, status, customerId }) => {
      if (status !== 'sent') return refuse(quoteRules.answerOnlySent, `The quote is ${status}, not sent`);
      if (!command.reason.trim()) return refuse(quoteRules.reasonRequired, 'Say why the customer declined');
      return [{ type: 'QuoteDeclined', data: { quoteId, customerId, reason: command.reason } }];
    }),

  ExpireQuote: (_command, state, context) =>
    onOpenQuote(state, (quote) =>
      hasExpired(quote, context.now)
        ? [{ type: 'QuoteExpired', data: { quoteId: quote.quoteId, validUntil: quote.validUntil } }]
        : refuse(quoteRules.expireOnlyWhenDue, `The quote is valid until ${quote.validUntil}`),
    ),
});

export const quoteDecider: Decider<Quote, QuoteCommand, QuoteEvent, QuoteFacts> = { initialState, evolve, decide };

export const quoteAggregate: Aggregate<Quote, QuoteCommand, QuoteEvent, QuoteFacts> = {
  category: QUOTE_CATEGORY,
  name: 'Quote',
  streamId: quoteStreamId,
  decider: quoteDecider,
  events: quoteEventSchemas,
  customerOf: (state) => (state.status === 'none' ? undefined : state.customerId),
};
