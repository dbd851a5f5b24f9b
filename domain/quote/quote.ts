import { z } from 'zod';
import { isRefusal, refuse, type Decider, type DecisionContext, type DomainEvent, type Refusal, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';
import type { ProductFacts } from '../catalog/product.js';
import { promotionApplies, type PromotionFacts } from '../catalog/promotion.js';
import { basisPoints, hasAtMostTwoDecimals } from '../shared/percent.js';

export const QUOTE_CATEGORY = 'quote';
export const quoteStreamId = (quoteId: string) => `${QUOTE_CATEGORY}-${quoteId}`;

export const QuoteStatus = z.enum(['draft', 'pending_approval', 'approved', 'sent', 'accepted', 'declined', 'rejected', 'expired']);
export type QuoteStatus = z.infer<typeof QuoteStatus>;

const FINAL_STATUSES: readonly QuoteStatus[] = ['accepted', 'declined', 'rejected', 'expired'];

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

/**
 * A priced line. It keeps the catalog facts it was priced against (list and floor price, the
 * promotion's discount), so approval is judged on the quote as drafted, whatever the catalog does later.
 * listTotal = qty x listPrice; netTotal = qty x unitPrice less discountPct; discountAmount = listTotal - netTotal,
 * so a unit price under list shows as discount too.
 */
export const QuoteLineData = z.object({
  sku: z.string(),
  qty: z.number().int().positive(),
  listPrice: Money,
  floorPrice: Money,
  unitPrice: Money,
  discountPct: z.number(),
  promotionId: z.string().optional(),
  promotionDiscountPct: z.number().optional(),
  listTotal: Money,
  discountAmount: Money,
  netTotal: Money,
});
export type QuoteLine = z.infer<typeof QuoteLineData>;

export const QuoteDraftedData = z.object({
  quoteId: z.string(),
  opportunityId: z.string(),
  customerId: z.string(),
  ownerId: z.string(),
  validUntil: z.iso.datetime(),
  lines: z.array(QuoteLineData),
  subtotal: Money,
  discountTotal: Money,
  total: Money,
});

export const QuoteSubmittedData = z.object({
  quoteId: z.string(),
  submittedBy: z.string(),
  approvalRequired: z.boolean(),
  /** Why approval is needed, each led by the id of the rule that asks for it. */
  reasons: z.array(z.string()),
});

export const QuoteApprovedData = z.object({
  quoteId: z.string(),
  approvedBy: z.string(),
  approverRole: z.string(),
  reason: z.string().optional(),
});

export const QuoteRejectedData = z.object({
  quoteId: z.string(),
  rejectedBy: z.string(),
  reason: z.string(),
});

export const QuoteSentData = z.object({
  quoteId: z.string(),
  sentBy: z.string(),
});

export const QuoteAcceptedData = z.object({
  quoteId: z.string(),
  opportunityId: z.string(),
  customerId: z.string(),
  total: Money,
});

export const QuoteDeclinedData = z.object({
  quoteId: z.string(),
  customerId: z.string(),
  reason: z.string(),
});

export const QuoteExpiredData = z.object({
  quoteId: z.string(),
  validUntil: z.iso.datetime(),
});

export const quoteEventSchemas = {
  QuoteDrafted: QuoteDraftedData,
  QuoteSubmitted: QuoteSubmittedData,
  QuoteApproved: QuoteApprovedData,
  QuoteRejected: QuoteRejectedData,
  QuoteSent: QuoteSentData,
  QuoteAccepted: QuoteAcceptedData,
  QuoteDeclined: QuoteDeclinedData,
  QuoteExpired: QuoteExpiredData,
} as const;

export type QuoteEvent =
  | DomainEvent<'QuoteDrafted', z.infer<typeof QuoteDraftedData>>
  | DomainEvent<'QuoteSubmitted', z.infer<typeof QuoteSubmittedData>>
  | DomainEvent<'QuoteApproved', z.infer<typeof QuoteApprovedData>>
  | DomainEvent<'QuoteRejected', z.infer<typeof QuoteRejectedData>>
  | DomainEvent<'QuoteSent', z.infer<typeof QuoteSentData>>
  | DomainEvent<'QuoteAccepted', z.infer<typeof QuoteAcceptedData>>
  | DomainEvent<'QuoteDeclined', z.infer<typeof QuoteDeclinedData>>
  | DomainEvent<'QuoteExpired', z.infer<typeof QuoteExpiredData>>;

// State

export type Quote =
  | { status: 'none' }
  | {
      status: QuoteStatus;
      quoteId: string;
      opportunityId: string;
      customerId: string;
      validUntil: string;
      lines: QuoteLine[];
      total: Money;
      submittedBy?: string;
    };

export const initialState = (): Quote => ({ status: 'none' });

export const evolve = (state: Quote, event: QuoteEvent): Quote => {
  if (event.type === 'QuoteDrafted') {
    const { quoteId, opportunityId, customerId, validUntil, lines, total } = event.data;
    return { status: 'draft', quoteId, opportunityId, customerId, validUntil, lines, total };
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

export type QuoteLineRequest = { sku: string; qty: number; unitPrice: Money; discountPct: number; promotionId?: string };

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

/** The largest discount each role may grant, in percent; null is unlimited, a role not listed may grant none. */
export type DiscountAuthority = Readonly<Record<string, number | null>>;

export const DEFAULT_DISCOUNT_AUTHORITY: DiscountAuthority = { sales_rep: 10, sales_manager: 25, finance: 40, admin: null };

/** The roles that may approve a price below a product's floor: a margin exception, not a discount a seller's authority covers. */
export const DEFAULT_BELOW_FLOOR_APPROVERS: readonly string[] = ['sales_manager', 'finance', 'admin'];

export type QuoteContext = DecisionContext & {
  /** The catalog facts of every sku on the quote being drafted. */
  readonly products: Readonly<Record<string, ProductFacts>>;
  /** The facts of every promotion a line of the quote being drafted names. */
  readonly promotions: Readonly<Record<string, PromotionFacts>>;
  readonly customer: { readonly tier?: string; readonly region: string };
  /** Where the opportunity behind a quote being drafted stands; other commands need not say. */
  readonly opportunity?: { readonly status: 'open' | 'won' | 'lost' };
  readonly discountAuthority: DiscountAuthority;
  /** The roles that may approve or reject a quote with a line below its product's floor. */
  readonly belowFloorApprovers: readonly string[];
  /** The policy revision the authority table came from; recorded on refusals that used it. */
  readonly policyVersion?: number;
};

export const quoteRules = {
  draftedOnce: { id: 'QUO-01', name: 'A quote is drafted once' },
  draftedFirst: { id: 'QUO-02', name: 'A quote is drafted before anything else is done with it' },
  hasLines: { id: 'QUO-03', name: 'A quote has at least one line' },
  positiveQuantity: { id: 'QUO-04', name: 'Quantities are whole units, at least one' },
  discountRange: { id: 'QUO-05', name: 'A discount is between 0% and 100%, to at most two decimals' },
  unitPriceNotNegative: { id: 'QUO-06', name: 'A unit price is never negative' },
  validUntilAhead: { id: 'QUO-07', name: 'A quote is valid until a time still ahead' },
  productOnSale: { id: 'QUO-08', name: 'Only catalog products still on sale are quoted' },
  productCurrency: { id: 'QUO-09', name: "Each line is priced in its product's currency" },
  oneCurrency: { id: 'QUO-10', name: 'A quote is in one currency' },
  promotionTerms: { id: 'QUO-11', name: 'A promotion is used only in its window, on its products, for eligible customers' },
  belowFloorNeedsApproval: { id: 'QUO-12', name: "A price below the product's floor needs approval" },
  aboveAuthorityNeedsApproval: { id: 'QUO-13', name: "A discount above the submitter's authority needs approval" },
  segregationOfDuties: { id: 'QUO-14', name: 'No one approves or rejects their own quote' },
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
} as const satisfies Record<string, Rule>;

const instant = (iso: string) => Date.parse(iso);

// Pricing: integer minor units multiplied in bigint, so products of large amounts stay exact;
// the Money schema refuses any total beyond a safe integer when the event is written.

const BASIS = 10_000n;

/** A discount on a non-negative amount, rounded half-up to the minor unit: half the divisor added before the integer division carries .5 up. */
const discountOf = (amount: bigint, bps: number) => (amount * BigInt(bps) + BASIS / 2n) / BASIS;

const sumOf = (amounts: Money[], currency: string): Money => ({
  minor: Number(amounts.reduce((sum, amount) => sum + BigInt(amount.minor), 0n)),
  currency,
});

const priceLine = (request: QuoteLineRequest, product: ProductFacts, promotion: PromotionFacts | undefined): QuoteLine => {
  const { sku, qty, unitPrice, discountPct } = request;
  const listTotal = BigInt(product.listPrice.minor) * BigInt(qty);
  const quoted = BigInt(unitPrice.minor) * BigInt(qty);
  // Rounded once per line, not per unit, so the line carries the discount of the whole.
  const netTotal = quoted - discountOf(quoted, basisPoints(discountPct));
  const money = (minor: bigint): Money => ({ minor: Number(minor), currency: unitPrice.currency });
  return {
    sku,
    qty,
    listPrice: product.listPrice,
    floorPrice: product.floorPrice,
    unitPrice,
    discountPct,
    ...(promotion ? { promotionId: promotion.promotionId, promotionDiscountPct: promotion.discountPct } : {}),
    listTotal: money(listTotal),
    discountAmount: money(listTotal - netTotal),
    netTotal: money(netTotal),
  };
};

const isBelowFloor = (line: QuoteLine) => BigInt(line.netTotal.minor) < BigInt(line.floorPrice.minor) * BigInt(line.qty);

/**
 * The discount off list a line gives, unit price and percentage together, in basis points rounded
 * up from the exact figure, so a fraction of a point above an authority still counts as above it.
 */
const discountOffListBps = (line: QuoteLine) => {
  // The catalog never lists at zero (PRD-04); the guard keeps facts from elsewhere from dividing by it.
  if (line.listPrice.minor <= 0) return 0;
  const netPerUnitScaled = BigInt(line.unitPrice.minor) * (BASIS - BigInt(basisPoints(line.discountPct)));
  return Number(BASIS - netPerUnitScaled / BigInt(line.listPrice.minor));
};

/**
 * The discount on a line someone must have authority for: what a promotion grants is already
 * sanctioned by the company, but a price under the floor is never excused by a promotion.
 */
const discountToAuthorise = (line: QuoteLine) =>
  discountOffListBps(line) - (isBelowFloor(line) ? 0 : basisPoints(line.promotionDiscountPct ?? 0));

const largestDiscountToAuthorise = (lines: QuoteLine[]) => Math.max(...lines.map(discountToAuthorise));

/** A role's authority in basis points; a role the table does not list has none. */
const authorityOf = (table: DiscountAuthority, role: string) => {
  if (!Object.hasOwn(table, role)) return 0;
  const pct = table[role];
  return pct === null || pct === undefined ? Infinity : basisPoints(pct);
};

const asPct = (bps: number) => (bps === Infinity ? 'unlimited' : `${bps / 100}%`);

const checkLine = (request: QuoteLineRequest, label: string, context: QuoteContext): QuoteLine | Refusal => {
  if (!Number.isSafeInteger(request.qty) || request.qty < 1) {
    return refuse(quoteRules.positiveQuantity, `${label}: ${request.qty} is not a whole number of units, at least one`);
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

const draft = (command: DraftQuote, context: QuoteContext): QuoteEvent[] | Refusal => {
  if (context.opportunity?.status !== 'open') {
    return refuse(quoteRules.openOpportunity, `Opportunity ${command.opportunityId} is ${context.opportunity?.status ?? 'not known to be open'}`);
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
  const { quoteId, opportunityId, customerId, ownerId, validUntil } = command;
  return [
    {
      type: 'QuoteDrafted',
      data: {
        quoteId,
        opportunityId,
        customerId,
        ownerId,
        validUntil,
        lines,
        subtotal: sumOf(lines.map((line) => line.listTotal), currency),
        discountTotal: sumOf(lines.map((line) => line.discountAmount), currency),
        total: sumOf(lines.map((line) => line.netTotal), currency),
      },
    },
  ];
};

/** Why a submission needs approval, each reason led by the id of the rule that asks for it. */
const approvalReasons = (lines: QuoteLine[], context: QuoteContext) => {
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

type DraftedQuote = Exclude<Quote, { status: 'none' }>;

/**
 * Approving and rejecting are the same decision: someone other than the requester, in a role that may
 * decide on a price below the floor where a line has one, with authority over the largest discount.
 */
const checkApprover = (state: DraftedQuote, context: QuoteContext): Refusal | undefined => {
  if (state.status !== 'pending_approval') return refuse(quoteRules.decideOnlyPending, `The quote is ${state.status}, not awaiting approval`);
  if (context.actor.id === state.submittedBy) {
    return refuse(quoteRules.segregationOfDuties, `${context.actor.id} submitted this quote and cannot decide on it`);
  }
  const belowFloor = state.lines.findIndex(isBelowFloor);
  const belowFloorLine = state.lines[belowFloor];
  if (belowFloorLine && !context.belowFloorApprovers.includes(context.actor.role)) {
    return refuse(
      quoteRules.belowFloorApprover,
      `Line ${belowFloor + 1} (${belowFloorLine.sku}) is priced below the product's floor, which a ${context.actor.role} cannot decide on`,
      context.policyVersion,
    );
  }
  const needed = largestDiscountToAuthorise(state.lines);
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

export const decide = (command: QuoteCommand, state: Quote, context: QuoteContext): QuoteEvent[] | Refusal => {
  if (command.type === 'DraftQuote') {
    if (state.status !== 'none') return refuse(quoteRules.draftedOnce, `Quote ${state.quoteId} is already drafted`);
    return draft(command, context);
  }
  if (state.status === 'none') return refuse(quoteRules.draftedFirst, 'The quote was never drafted');
  if (FINAL_STATUSES.includes(state.status)) return refuse(quoteRules.finalIsFinal, `The quote is already ${state.status}`);

  const { quoteId } = state;
  const expired = instant(context.now) >= instant(state.validUntil);
  if (command.type === 'ExpireQuote') {
    if (!expired) return refuse(quoteRules.expireOnlyWhenDue, `The quote is valid until ${state.validUntil}`);
    return [{ type: 'QuoteExpired', data: { quoteId, validUntil: state.validUntil } }];
  }
  if (expired) return refuse(quoteRules.noActionAfterExpiry, `The quote was valid until ${state.validUntil}`);

  switch (command.type) {
    case 'SubmitQuote': {
      if (state.status !== 'draft') return refuse(quoteRules.submitOnlyDraft, `The quote is already ${state.status}`);
      const reasons = approvalReasons(state.lines, context);
      return [{ type: 'QuoteSubmitted', data: { quoteId, submittedBy: context.actor.id, approvalRequired: reasons.length > 0, reasons } }];
    }
    case 'ApproveQuote': {
      const refusal = checkApprover(state, context);
      if (refusal) return refusal;
      const { id: approvedBy, role: approverRole } = context.actor;
      return [{ type: 'QuoteApproved', data: { quoteId, approvedBy, approverRole, ...(command.reason ? { reason: command.reason } : {}) } }];
    }
    case 'RejectQuote': {
      const refusal = checkApprover(state, context);
      if (refusal) return refusal;
      if (!command.reason.trim()) return refuse(quoteRules.reasonRequired, 'Say why the quote is rejected');
      return [{ type: 'QuoteRejected', data: { quoteId, rejectedBy: context.actor.id, reason: command.reason } }];
    }
    case 'SendQuote': {
      if (state.status === 'draft') return refuse(quoteRules.sendOnlyApproved, 'The quote has not been submitted');
      if (state.status === 'pending_approval') return refuse(quoteRules.sendOnlyApproved, 'The quote is still awaiting approval');
      if (state.status !== 'approved') return refuse(quoteRules.sendOnlyApproved, `The quote is already ${state.status}`);
      return [{ type: 'QuoteSent', data: { quoteId, sentBy: context.actor.id } }];
    }
    case 'AcceptQuote': {
      if (state.status !== 'sent') return refuse(quoteRules.answerOnlySent, `The quote is ${state.status}, not sent`);
      return [{ type: 'QuoteAccepted', data: { quoteId, opportunityId: state.opportunityId, customerId: state.customerId, total: state.total } }];
    }
    case 'DeclineQuote': {
      if (state.status !== 'sent') return refuse(quoteRules.answerOnlySent, `The quote is ${state.status}, not sent`);
      if (!command.reason.trim()) return refuse(quoteRules.reasonRequired, 'Say why the customer declined');
      return [{ type: 'QuoteDeclined', data: { quoteId, customerId: state.customerId, reason: command.reason } }];
    }
  }
};

export const quoteDecider: Decider<Quote, QuoteCommand, QuoteEvent, QuoteContext> = { initialState, evolve, decide };
