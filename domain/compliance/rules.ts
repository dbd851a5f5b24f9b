import type { z } from 'zod';
import type { ProductFacts } from '../catalog/product.js';
import { promotionApplies, type PromotionFacts } from '../catalog/promotion.js';
import type { complaintEventSchemas } from '../complaint/complaint.js';
import { claimLexiconOf, type PolicyRevision, type RuleAction, type Severity } from '../policy/policy.js';
import type { CustomerPromise, promiseEventSchemas } from '../promise/promise.js';
import { asPct, authorityOf, discountOffListBps, discountToAuthorise, isBelowFloor, type QuoteLine } from '../quote/pricing.js';
import { refuse, type Refusal, type Rule } from '../shared/decider.js';
import type { Money } from '../shared/money.js';
import { isCertified, type RepFacts } from '../team/rep.js';
import { detectClaims, type ClaimExplanation, type ClaimVerdict } from './claimDetector.js';
import { normaliseStatement } from './claims.js';
import { complianceRules } from './ruleCatalogue.js';
import { addDays, companyDay } from '../shared/calendar.js';

/**
 * The rules of honest selling (article 4), as pure functions over what was said or sent and the
 * facts it is judged against. The policy revision in force decides each rule's action and severity.
 */

export type Violation = {
  readonly rule: Rule;
  readonly severity: Severity;
  readonly action: RuleAction;
  readonly detail: string;
  /** The policy revision that judged it, recorded on the finding or the refusal. */
  readonly policyRevision: number;
  /** For CMP-01, each claim found: its category, where it stands in the statement, and the lexicon entry or structure that matched. */
  readonly claims?: ClaimExplanation[];
};

export type RecordedPromise = z.infer<typeof promiseEventSchemas.PromiseRecorded>;

/** What a promise is judged against; the product is the one its sku names, the seller the rep who made it. */
export type PromiseFacts = { readonly policy: PolicyRevision; readonly product?: ProductFacts; readonly seller?: RepFacts };

/** What a quote is judged against when it is sent; the seller is the rep who submitted it, whose authority it was priced under. */
export type QuoteFacts = {
  readonly policy: PolicyRevision;
  readonly promotions: Readonly<Record<string, PromotionFacts>>;
  readonly customer: { readonly tier?: string; readonly region: string };
  readonly seller?: RepFacts;
  readonly now: string;
  /** A QuoteApproved is in the quote's stream: someone with the authority signed off the price. */
  readonly approvalOnRecord: boolean;
};

/** The quote as its aggregate holds it when it is sent: its lines keep the list and floor prices they were priced against. */
export type QuoteUnderCheck = { readonly lines: readonly QuoteLine[] };

/** What a check found wrong: a sentence, and for claims the explanation of each. */
type Breach = string | { readonly detail: string; readonly claims: ClaimExplanation[] };

type Check<Subject, Facts> = { readonly rule: Rule; readonly check: (subject: Subject, facts: Facts) => Breach | undefined };

/** Runs each check; a rule the revision does not set is not in force under it, so it judges nothing. */
const judge = <Subject, Facts extends { readonly policy: PolicyRevision }>(
  checks: readonly Check<Subject, Facts>[],
  subject: Subject,
  facts: Facts,
  forceAction?: RuleAction,
): Violation[] =>
  checks.flatMap(({ rule, check }) => {
    const setting = facts.policy.rules[rule.id];
    const breach = setting && check(subject, facts);
    if (!setting || !breach) return [];
    const { detail, claims } = typeof breach === 'string' ? { detail: breach, claims: undefined } : breach;
    return [{ rule, severity: setting.severity, action: forceAction ?? setting.action, detail, policyRevision: facts.policy.revision, ...(claims ? { claims } : {}) }];
  });

const asMoney = (money: Money) => `${money.currency} ${(money.minor / 100).toFixed(2)}`;

const authorityOfSeller = (seller: RepFacts | undefined, sellerId: string, authority: number) =>
  seller ? `the ${seller.role} authority of ${asPct(authority)}` : `the authority of ${sellerId}, who is not on the roster and has none`;

// Rules on what a promise says

/**
 * What the claim detector makes of a statement under a revision: its lexicon (the default for a
 * revision stored before revisions carried one) and its banned claims, with the product the
 * statement names, whose catalog entry backs a service level.
 */
export const judgeStatement = (statement: string, policy: PolicyRevision, product?: Pick<ProductFacts, 'sku' | 'maxSla'>): ClaimVerdict =>
  detectClaims(statement, { lexicon: claimLexiconOf(policy), bannedClaims: policy.bannedClaims, ...(product ? { product: { sku: product.sku, maxSla: product.maxSla } } : {}) });

const describeClaim = ({ category, text, matched }: ClaimExplanation) => `"${text}" (${category}, ${matched.kind} ${matched.entry})`;

const absoluteClaimsIn = (statement: string, policy: PolicyRevision, product: ProductFacts | undefined): Breach | undefined => {
  const { flagged } = judgeStatement(statement, policy, product);
  return flagged.length ? { detail: `Makes absolute, superlative or guaranteeing claims: ${flagged.map(describeClaim).join(', ')}`, claims: flagged } : undefined;
};

const capabilityNotListed: Check<RecordedPromise, PromiseFacts>['check'] = ({ committed: { capability }, sku }, { product }) => {
  if (!capability) return undefined;
  if (!product) return `Claims "${capability}" on ${sku ? `${sku}, which is not in the catalog` : 'no product'}`;
  const listed = product.capabilities.some((listedCapability) => normaliseStatement(listedCapability) === normaliseStatement(capability));
  return listed ? undefined : `Claims "${capability}", which the catalog does not list for ${product.sku}`;
};

const slaBeyondProduct: Check<RecordedPromise, PromiseFacts>['check'] = ({ committed: { availabilityPct, responseHours }, sku }, { product }) => {
  if (availabilityPct === undefined && responseHours === undefined) return undefined;
  if (!product) return `Commits to a service level on ${sku ? `${sku}, which is not in the catalog` : 'no product'}, so nothing backs it`;
  const { maxSla } = product;
  const beyond = [
    ...(availabilityPct !== undefined && availabilityPct > maxSla.availabilityPct ? [`availability of ${availabilityPct}% (at most ${maxSla.availabilityPct}%)`] : []),
    ...(responseHours !== undefined && responseHours < maxSla.responseHours ? [`response within ${responseHours} hours (at best ${maxSla.responseHours})`] : []),
  ];
  return beyond.length ? `Commits to ${beyond.join(' and ')} on ${product.sku}` : undefined;
};

const promisedPriceBelowFloor: Check<RecordedPromise, PromiseFacts>['check'] = ({ committed: { price } }, { product }) => {
  if (!price || !product) return undefined;
  const { floorPrice } = product;
  // A price in another currency cannot be shown to clear the floor, so it is reported rather than passed.
  if (price.currency !== floorPrice.currency) return `Promises ${asMoney(price)} on ${product.sku}, whose floor is in ${floorPrice.currency}`;
  return price.minor < floorPrice.minor ? `Promises ${asMoney(price)} on ${product.sku}, below its floor of ${asMoney(floorPrice)}` : undefined;
};

const promisedDiscountBeyondAuthority: Check<RecordedPromise, PromiseFacts>['check'] = ({ committed: { price }, madeBy }, { product, seller, policy }) => {
  if (!price || !product || price.currency !== product.listPrice.currency) return undefined;
  const discount = discountOffListBps({ unitPrice: price, discountPct: 0 }, product.listPrice);
  const authority = authorityOf(policy.discountAuthority, seller?.role);
  return discount > authority
    ? `Promises ${asPct(discount)} off the list price of ${product.sku}, above ${authorityOfSeller(seller, madeBy, authority)}`
    : undefined;
};

const deliveryBeforeLeadTime: Check<RecordedPromise, PromiseFacts>['check'] = ({ committed: { deliveryDate }, recordedAt }, { product }) => {
  if (!deliveryDate || !product) return undefined;
  const earliest = addDays(companyDay(recordedAt), product.leadTimeDays);
  return deliveryDate < earliest
    ? `Promises delivery on ${deliveryDate}; ${product.sku} takes ${product.leadTimeDays} days, so ${earliest} at the earliest`
    : undefined;
};

const uncertifiedSeller = (sellerId: string, seller: RepFacts | undefined, skus: readonly string[], at: string) => {
  const uncertified = skus.filter((sku) => !seller || !isCertified(seller, sku, at));
  return uncertified.length ? `${sellerId} holds no valid certification for ${uncertified.join(', ')} at ${at}` : undefined;
};

const promiseChecks: readonly Check<RecordedPromise, PromiseFacts>[] = [
  { rule: complianceRules.absoluteClaims, check: (promise, { policy, product }) => absoluteClaimsIn(promise.statement, policy, product) },
  { rule: complianceRules.catalogCapabilities, check: capabilityNotListed },
  { rule: complianceRules.slaWithinProduct, check: slaBeyondProduct },
  { rule: complianceRules.floorPrice, check: promisedPriceBelowFloor },
  { rule: complianceRules.discountAuthority, check: promisedDiscountBeyondAuthority },
  { rule: complianceRules.leadTime, check: deliveryBeforeLeadTime },
  {
    rule: complianceRules.certification,
    check: ({ sku, madeBy, recordedAt }, { policy, seller }) =>
      policy.certificationRequired && sku ? uncertifiedSeller(madeBy, seller, [sku], recordedAt) : undefined,
  },
];

/**
 * Judges a recorded promise as of when it was made (its recordedAt), so a later re-check gives the
 * same answer. Every violation is a flag whatever the policy says: the words were already said,
 * and refusing to record them would hide them.
 */
export const checkPromise = (promise: RecordedPromise, facts: PromiseFacts): Violation[] => judge(promiseChecks, promise, facts, 'flag');

// Rules on what a quote offers

const lineLabel = (line: QuoteLine, index: number) => `line ${index + 1} (${line.sku})`;

const linesBelowFloor: Check<QuoteUnderCheck, QuoteFacts>['check'] = ({ lines }, { approvalOnRecord }) => {
  if (approvalOnRecord) return undefined;
  const below = lines.flatMap((line, index) => (isBelowFloor(line) ? [lineLabel(line, index)] : []));
  return below.length ? `Priced below the floor with no approval on record: ${below.join(', ')}` : undefined;
};

const linesBeyondAuthority: Check<QuoteUnderCheck, QuoteFacts>['check'] = ({ lines }, { approvalOnRecord, policy, seller }) => {
  if (approvalOnRecord) return undefined;
  const authority = authorityOf(policy.discountAuthority, seller?.role);
  const beyond = lines.flatMap((line, index) => {
    const discount = discountToAuthorise(line);
    return discount > authority ? [`${lineLabel(line, index)} takes ${asPct(discount)} off list`] : [];
  });
  return beyond.length
    ? `Above ${authorityOfSeller(seller, 'the seller', authority)}, with no approval on record: ${beyond.join(', ')}`
    : undefined;
};

const promotionsMisused: Check<QuoteUnderCheck, QuoteFacts>['check'] = ({ lines }, { promotions, customer, now }) => {
  const misuses = lines.flatMap((line, index) => {
    if (line.promotionId === undefined) return [];
    const promotion = promotions[line.promotionId];
    if (!promotion) return [`${lineLabel(line, index)}: promotion ${line.promotionId} is not known`];
    const fit = promotionApplies(promotion, { sku: line.sku, customerTier: customer.tier, customerRegion: customer.region, at: now });
    return fit.ok ? [] : [`${lineLabel(line, index)}: ${fit.detail}`];
  });
  return misuses.length ? misuses.join('; ') : undefined;
};

const quoteChecks: readonly Check<QuoteUnderCheck, QuoteFacts>[] = [
  { rule: complianceRules.floorPrice, check: linesBelowFloor },
  { rule: complianceRules.discountAuthority, check: linesBeyondAuthority },
  {
    rule: complianceRules.certification,
    check: ({ lines }, { policy, seller, now }) =>
      policy.certificationRequired ? uncertifiedSeller(seller?.actorId ?? 'The seller', seller, [...new Set(lines.map((line) => line.sku))], now) : undefined,
  },
  { rule: complianceRules.promotionTerms, check: promotionsMisused },
];

/**
 * Judges a quote at the moment it is sent, with the policy's action for each rule: a `block` keeps
 * it from going out (see firstBlock), a `flag` lets it go and raises a finding. A quote carries no
 * free text, capability, service level or delivery date, so those rules are for promises.
 */
export const checkQuote = (quote: QuoteUnderCheck, facts: QuoteFacts): Violation[] => judge(quoteChecks, quote, facts);

/** The refusal a blocking violation makes of the command, naming the rule and the policy revision; undefined when none blocks. */
export const firstBlock = (violations: readonly Violation[]): Refusal | undefined => {
  const blocking = violations.find((violation) => violation.action === 'block');
  return blocking && refuse(blocking.rule, blocking.detail, blocking.policyRevision);
};

// Rules time enforces

type OverdueFacts = { readonly policy: PolicyRevision; readonly now: string };

const stillOpenAfterDueDate: Check<CustomerPromise, OverdueFacts>['check'] = (promise, { now }) =>
  promise.status === 'open' && companyDay(now) > promise.dueDate
    ? `Promise ${promise.promiseId} was due on ${promise.dueDate} and is still open on ${companyDay(now)}`
    : undefined;

/** A promise still open after its due date (a day of the company calendar); always a flag, since time, not a command, broke it. */
export const overduePromise = (promise: CustomerPromise, facts: OverdueFacts): Violation | undefined =>
  judge([{ rule: complianceRules.promisesKept, check: stillOpenAfterDueDate }], promise, facts, 'flag')[0];

// Rules customers enforce

export type ComplaintFiledData = z.infer<typeof complaintEventSchemas.ComplaintFiled>;

const promiseComplainedOf: Check<ComplaintFiledData, { readonly policy: PolicyRevision }>['check'] = ({ category, promiseId, sellerId, summary }) => {
  if (category !== 'false_promise' && promiseId === undefined) return undefined;
  const about = promiseId !== undefined ? `promise ${promiseId}` : 'a promise';
  return `The customer complains (${category}) about ${about} made by ${sellerId ?? 'an unnamed seller'}: ${summary}`;
};

/**
 * A complaint of a false promise, or one about a recorded promise, judged under the revision it
 * was filed under; always a flag, since the customer, not a command, raised it.
 */
export const complaintAboutPromise = (complaint: ComplaintFiledData, facts: { readonly policy: PolicyRevision }): Violation | undefined =>
  judge([{ rule: complianceRules.promisesNotComplainedOf, check: promiseComplainedOf }], complaint, facts, 'flag')[0];
