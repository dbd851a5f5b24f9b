import { describe, expect, it } from 'vitest';
import type { ProductFacts } from '../../domain/catalog/product.js';
import type { PromotionFacts } from '../../domain/catalog/promotion.js';
import { isRefusal, type Rule } from '../../domain/shared/decider.js';
import { complianceRules } from '../../domain/compliance/ruleCatalogue.js';
import type { Violation } from '../../domain/compliance/rules.js';
import { DEFAULT_POLICY } from '../../domain/policy/policy.js';
import type { QuoteLine, QuoteLineRequest } from '../../domain/quote/pricing.js';
import { DEFAULT_BELOW_FLOOR_APPROVERS, quoteDecider, quoteRules, type DraftQuote, type QuoteEvent } from '../../domain/quote/quote.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });
const usd = (minor: number) => ({ minor, currency: 'USD' });

const product = (sku: string, listPrice: ProductFacts['listPrice'], floorPrice: ProductFacts['floorPrice'], retired = false): ProductFacts => ({
  sku,
  name: sku,
  capabilities: [],
  maxSla: { availabilityPct: 99.9, responseHours: 4 },
  leadTimeDays: 14,
  listPrice,
  floorPrice,
  unitCost: { minor: 0, currency: listPrice.currency },
  retired,
});

const blackFriday: PromotionFacts = {
  promotionId: 'bf-2026',
  name: 'Black Friday firewall offer',
  skus: ['FW-100'],
  discountPct: 15,
  validFrom: '2026-11-20T00:00:00.000Z',
  validTo: '2026-12-01T00:00:00.000Z',
  eligibility: { tiers: ['gold'], regions: ['east'] },
};

const context = {
  ...defaultContext, // now 2026-11-27T09:00Z, actor rep-1 (sales_rep)
  products: {
    'FW-100': product('FW-100', cny(199_999), cny(150_000)),
    'EDR-1': product('EDR-1', cny(100_000), cny(95_000)),
    'OLD-1': product('OLD-1', cny(50_000), cny(40_000), true),
    'USD-1': product('USD-1', usd(50_000), usd(40_000)),
  },
  promotions: { 'bf-2026': blackFriday },
  customer: { tier: 'gold', region: 'east' },
  opportunity: { status: 'open' as const },
  discountAuthority: DEFAULT_POLICY.discountAuthority,
  belowFloorApprovers: DEFAULT_BELOW_FLOOR_APPROVERS,
  policyVersion: 3,
  violations: [],
  // rep-1 owns the deal, under mgr-1.
  owner: { actorId: 'rep-1', role: 'sales_rep', managerId: 'mgr-1', active: true },
  dealOwnerId: 'rep-1',
};
const spec = deciderSpecification(quoteDecider, context);

const validUntil = '2026-12-31T00:00:00.000Z';
const rep1 = { actor: { id: 'rep-1', role: 'sales_rep' } };
const rep2 = { actor: { id: 'rep-2', role: 'sales_rep' } };
const manager = { actor: { id: 'mgr-1', role: 'sales_manager' } };
const otherManager = { actor: { id: 'mgr-2', role: 'sales_manager' } };
const finance = { actor: { id: 'fin-1', role: 'finance' } };
const afterExpiry = { now: validUntil };

const draftQuote = (...lines: QuoteLineRequest[]): DraftQuote => ({
  type: 'DraftQuote',
  quoteId: 'q1',
  opportunityId: 'o1',
  customerId: 'c1',
  ownerId: 'rep-1',
  lines,
  validUntil,
});
const request = (sku: string, qty: number, unitPrice: number, discountPct: number, promotionId?: string): QuoteLineRequest => ({
  sku,
  qty,
  unitPrice: cny(unitPrice),
  discountPct,
  ...(promotionId ? { promotionId } : {}),
});

/** One firewall at list price; the discount amount is written out, not recomputed, so the spec checks the rounding. */
const firewallLine = (discountPct: number, discountAmount: number, promotion?: { promotionId: string; promotionDiscountPct: number }): QuoteLine => ({
  sku: 'FW-100',
  qty: 1,
  listPrice: cny(199_999),
  floorPrice: cny(150_000),
  unitPrice: cny(199_999),
  discountPct,
  ...promotion,
  listTotal: cny(199_999),
  discountAmount: cny(discountAmount),
  netTotal: cny(199_999 - discountAmount),
});
const edrLine = (discountPct: number, discountAmount: number): QuoteLine => ({
  sku: 'EDR-1',
  qty: 1,
  listPrice: cny(100_000),
  floorPrice: cny(95_000),
  unitPrice: cny(100_000),
  discountPct,
  listTotal: cny(100_000),
  discountAmount: cny(discountAmount),
  netTotal: cny(100_000 - discountAmount),
});

const sum = (lines: QuoteLine[], pick: (line: QuoteLine) => { minor: number }) => cny(lines.reduce((total, line) => total + pick(line).minor, 0));
const drafted = (...lines: QuoteLine[]): QuoteEvent => ({
  type: 'QuoteDrafted',
  data: {
    quoteId: 'q1',
    opportunityId: 'o1',
    customerId: 'c1',
    ownerId: 'rep-1',
    draftedBy: 'rep-1',
    validUntil,
    lines,
    subtotal: sum(lines, (line) => line.listTotal),
    discountTotal: sum(lines, (line) => line.discountAmount),
    total: sum(lines, (line) => line.netTotal),
  },
});
const submitted = (submittedBy: string, reasons: string[] = []): QuoteEvent => ({
  type: 'QuoteSubmitted',
  data: { quoteId: 'q1', submittedBy, approvalRequired: reasons.length > 0, reasons },
});

// A sales rep's 20% discount: twice the rep's authority, within a manager's.
const draftedAt20 = drafted(firewallLine(20, 40_000));
const submittedAt20 = submitted('rep-1', ['QUO-13: line 1 (FW-100) takes 20% off list, above the sales_rep authority of 10%']);
const approvedByManager: QuoteEvent = { type: 'QuoteApproved', data: { quoteId: 'q1', approvedBy: 'mgr-1', approverRole: 'sales_manager' } };
const sentByRep: QuoteEvent = { type: 'QuoteSent', data: { quoteId: 'q1', sentBy: 'rep-1' } };
const pendingAt20 = [draftedAt20, submittedAt20];
const approvedAt20 = [...pendingAt20, approvedByManager];
const sent = [...approvedAt20, sentByRep];
const accepted: QuoteEvent = { type: 'QuoteAccepted', data: { quoteId: 'q1', opportunityId: 'o1', customerId: 'c1', total: cny(159_999) } };
const declined: QuoteEvent = { type: 'QuoteDeclined', data: { quoteId: 'q1', customerId: 'c1', reason: 'went with a competitor' } };
const rejected: QuoteEvent = { type: 'QuoteRejected', data: { quoteId: 'q1', rejectedBy: 'mgr-1', reason: 'margin too thin' } };
const expired: QuoteEvent = { type: 'QuoteExpired', data: { quoteId: 'q1', validUntil } };

// Within the rep's own authority, so approved on submission.
const draftedAt10 = drafted(firewallLine(10, 20_000));
const approvedAt10 = [draftedAt10, submitted('rep-1')];

describe('Quote', () => {
  describe('drafting', () => {
    it(`refuses a quote for a won or lost opportunity (${quoteRules.openOpportunity.id})`, () => {
      spec.given([]).when(draftQuote(request('FW-100', 1, 199_999, 0)), { opportunity: { status: 'won' } }).thenRefuses(quoteRules.openOpportunity, /won/);
      spec.given([]).when(draftQuote(request('FW-100', 1, 199_999, 0)), { opportunity: { status: 'lost' } }).thenRefuses(quoteRules.openOpportunity, /lost/);
    });

    it('computes line and quote totals exactly, rounding each line discount half-up to the minor unit', () =>
      spec
        .given([])
        .when(draftQuote(request('FW-100', 3, 199_999, 12.5), request('EDR-1', 2, 100_000, 5)))
        .then([
          {
            type: 'QuoteDrafted',
            data: {
              quoteId: 'q1',
              opportunityId: 'o1',
              customerId: 'c1',
              ownerId: 'rep-1',
              draftedBy: 'rep-1',
              validUntil,
              lines: [
                {
                  // 3 x 1999.99 = 5999.97; 12.5% of it is 749.99625, which rounds up to 750.00
                  sku: 'FW-100',
                  qty: 3,
                  listPrice: cny(199_999),
                  floorPrice: cny(150_000),
                  unitPrice: cny(199_999),
                  discountPct: 12.5,
                  listTotal: cny(599_997),
                  discountAmount: cny(75_000),
                  netTotal: cny(524_997),
                },
                {
                  sku: 'EDR-1',
                  qty: 2,
                  listPrice: cny(100_000),
                  floorPrice: cny(95_000),
                  unitPrice: cny(100_000),
                  discountPct: 5,
                  listTotal: cny(200_000),
                  discountAmount: cny(10_000),
                  netTotal: cny(190_000),
                },
              ],
              subtotal: cny(799_997),
              discountTotal: cny(85_000),
              total: cny(714_997),
            },
          },
        ]));

    it('rounds an exact half of a minor unit up: 50% of 1999.99 is 999.995, so 1000.00 off', () =>
      spec.given([]).when(draftQuote(request('FW-100', 1, 199_999, 50))).then([drafted(firewallLine(50, 100_000))]));

    it('rounds below a half down, and shows a unit price under list as discount off list', () =>
      // 10% of 1800.03 is 180.003, so 180.00 off: net 1620.03, which is 379.96 off the 1999.99 list price.
      spec
        .given([])
        .when(draftQuote(request('FW-100', 1, 180_003, 10)))
        .then([
          drafted({
            ...firewallLine(10, 0),
            unitPrice: cny(180_003),
            discountAmount: cny(37_996),
            netTotal: cny(162_003),
          }),
        ]));

    it('records the promotion and the discount it grants on the line', () =>
      spec
        .given([])
        .when(draftQuote(request('FW-100', 1, 199_999, 20, 'bf-2026')))
        .then([drafted(firewallLine(20, 40_000, { promotionId: 'bf-2026', promotionDiscountPct: 15 }))]));

    it(`refuses to draft twice (${quoteRules.draftedOnce.id})`, () =>
      spec.given([draftedAt10]).when(draftQuote(request('FW-100', 1, 199_999, 10))).thenRefuses(quoteRules.draftedOnce));

    it(`refuses a quote without lines (${quoteRules.hasLines.id})`, () => spec.given([]).when(draftQuote()).thenRefuses(quoteRules.hasLines));

    it(`refuses a quantity of zero (${quoteRules.positiveQuantity.id})`, () =>
      spec.given([]).when(draftQuote(request('FW-100', 0, 199_999, 0))).thenRefuses(quoteRules.positiveQuantity, /Line 1 \(FW-100\)/));

    it(`refuses part units (${quoteRules.positiveQuantity.id})`, () =>
      spec.given([]).when(draftQuote(request('FW-100', 2.5, 199_999, 0))).thenRefuses(quoteRules.positiveQuantity));

    it('takes a million units on a line', () =>
      spec
        .given([])
        .when(draftQuote(request('EDR-1', 1_000_000, 100_000, 0)))
        .then([drafted({ ...edrLine(0, 0), qty: 1_000_000, listTotal: cny(100_000_000_000), netTotal: cny(100_000_000_000) })]));

    it(`refuses a million and one units on a line (${quoteRules.positiveQuantity.id})`, () =>
      spec.given([]).when(draftQuote(request('EDR-1', 1_000_001, 100_000, 0))).thenRefuses(quoteRules.positiveQuantity, /1000001 is not a whole number of units from one to a million/));

    describe(`the amount limit (${quoteRules.withinAmountLimit.id})`, () => {
      const AMOUNT_LIMIT = 1_000_000_000_000_000;
      const withBig = { products: { ...context.products, 'BIG-1': product('BIG-1', cny(AMOUNT_LIMIT), cny(1)) } };
      const bigLine = (qty: number, unitPrice: number, discountPct: number, netTotal: number): QuoteLine => ({
        sku: 'BIG-1',
        qty,
        listPrice: cny(AMOUNT_LIMIT),
        floorPrice: cny(1),
        unitPrice: cny(unitPrice),
        discountPct,
        listTotal: cny(qty * AMOUNT_LIMIT),
        discountAmount: cny(qty * AMOUNT_LIMIT - netTotal),
        netTotal: cny(netTotal),
      });

      it('takes a quote whose list and net totals are exactly the limit', () =>
        spec.given([]).when(draftQuote(request('BIG-1', 1, AMOUNT_LIMIT, 0)), withBig).then([drafted(bigLine(1, AMOUNT_LIMIT, 0, AMOUNT_LIMIT))]));

      it('judges a line as quoted after its discount: two units at the limit, half off, come to the limit', () =>
        spec
          .given([])
          .when(draftQuote({ ...request('FW-100', 2, AMOUNT_LIMIT, 50) }))
          .then([
            drafted({
              ...firewallLine(50, 0),
              qty: 2,
              unitPrice: cny(AMOUNT_LIMIT),
              listTotal: cny(399_998),
              discountAmount: cny(399_998 - AMOUNT_LIMIT),
              netTotal: cny(AMOUNT_LIMIT),
            }),
          ]));

      it('refuses a line whose total at list price passes the limit, whatever it is sold for', () =>
        spec
          .given([])
          .when(draftQuote(request('BIG-1', 2, 1, 0)), withBig)
          .thenRefuses(quoteRules.withinAmountLimit, /^Line 1 \(BIG-1\): 2 units come to 2000000000000000 minor units at list price, past the amount limit of 10\^15$/));

      it('refuses a line whose total as quoted passes the limit, computing it exactly far beyond a safe integer', () =>
        spec
          .given([])
          .when(draftQuote(request('FW-100', 1_000_000, AMOUNT_LIMIT, 0)))
          .thenRefuses(quoteRules.withinAmountLimit, /1000000 units come to 1000000000000000000000 minor units as quoted/));

      it('refuses a quote whose lines are each within the limit but whose total is one minor unit past it', () =>
        spec
          .given([])
          .when(draftQuote(request('FW-100', 1, AMOUNT_LIMIT, 0), request('FW-100', 1, 1, 0)))
          .thenRefuses(quoteRules.withinAmountLimit, /^The quote's 2 lines come to 1000000000000001 minor units in total/));

      it('refuses ten lines at the limit, whose sum no JavaScript number would hold exactly', () =>
        spec
          .given([])
          .when(draftQuote(...Array.from({ length: 10 }, () => request('BIG-1', 1, AMOUNT_LIMIT, 0))), withBig)
          .thenRefuses(quoteRules.withinAmountLimit, /10 lines come to 10000000000000000 minor units at list price/));
    });

    it(`refuses a discount above 100% (${quoteRules.discountRange.id})`, () =>
      spec.given([]).when(draftQuote(request('FW-100', 1, 199_999, 101))).thenRefuses(quoteRules.discountRange));

    it(`refuses a negative discount (${quoteRules.discountRange.id})`, () =>
      spec.given([]).when(draftQuote(request('FW-100', 1, 199_999, -1))).thenRefuses(quoteRules.discountRange));

    it(`refuses a discount with three decimals (${quoteRules.discountRange.id})`, () =>
      spec.given([]).when(draftQuote(request('FW-100', 1, 199_999, 12.345))).thenRefuses(quoteRules.discountRange));

    it(`refuses a negative unit price (${quoteRules.unitPriceNotNegative.id})`, () =>
      spec.given([]).when(draftQuote(request('FW-100', 1, -1, 0))).thenRefuses(quoteRules.unitPriceNotNegative));

    it(`refuses a validity that ends now (${quoteRules.validUntilAhead.id})`, () =>
      spec
        .given([])
        .when({ ...draftQuote(request('FW-100', 1, 199_999, 10)), validUntil: context.now })
        .thenRefuses(quoteRules.validUntilAhead));

    it(`refuses a validity already past (${quoteRules.validUntilAhead.id})`, () =>
      spec
        .given([])
        .when({ ...draftQuote(request('FW-100', 1, 199_999, 10)), validUntil: '2026-11-01T00:00:00.000Z' })
        .thenRefuses(quoteRules.validUntilAhead));

    it(`refuses a retired product (${quoteRules.productOnSale.id})`, () =>
      spec
        .given([])
        .when(draftQuote(request('FW-100', 1, 199_999, 10), request('OLD-1', 1, 50_000, 0)))
        .thenRefuses(quoteRules.productOnSale, /Line 2 \(OLD-1\): the product is retired/));

    it(`refuses a product the context does not know, though the application answers that with NotFound first (${quoteRules.productOnSale.id})`, () =>
      spec.given([]).when(draftQuote(request('NOPE-1', 1, 100, 0))).thenRefuses(quoteRules.productOnSale, /not in the catalog/));

    it(`refuses a line in a currency other than its product's (${quoteRules.productCurrency.id})`, () =>
      spec
        .given([])
        .when(draftQuote({ sku: 'FW-100', qty: 1, unitPrice: usd(29_999), discountPct: 0 }))
        .thenRefuses(quoteRules.productCurrency, /USD, the product in CNY/));

    it(`refuses lines in two currencies, each right for its product (${quoteRules.oneCurrency.id})`, () =>
      spec
        .given([])
        .when(draftQuote(request('FW-100', 1, 199_999, 0), { sku: 'USD-1', qty: 1, unitPrice: usd(50_000), discountPct: 0 }))
        .thenRefuses(quoteRules.oneCurrency));

    describe(`promotions (${quoteRules.promotionTerms.id})`, () => {
      const withPromotion = draftQuote(request('FW-100', 1, 199_999, 20, 'bf-2026'));

      it('refuses a promotion outside its window', () =>
        spec
          .given([])
          .when({ ...withPromotion, validUntil: '2027-01-31T00:00:00.000Z' }, { now: '2026-12-02T00:00:00.000Z' })
          .thenRefuses(quoteRules.promotionTerms, /runs from/));

      it('refuses a promotion for a customer outside its tiers', () =>
        spec.given([]).when(withPromotion, { customer: { tier: 'silver', region: 'east' } }).thenRefuses(quoteRules.promotionTerms, /not offered/));

      it('refuses a promotion for a customer outside its regions', () =>
        spec.given([]).when(withPromotion, { customer: { tier: 'gold', region: 'west' } }).thenRefuses(quoteRules.promotionTerms, /not offered/));

      it('refuses a promotion on a product it does not cover', () =>
        spec.given([]).when(draftQuote(request('EDR-1', 1, 100_000, 5, 'bf-2026'))).thenRefuses(quoteRules.promotionTerms, /does not cover EDR-1/));

      it('refuses a promotion that was ended early', () =>
        spec
          .given([])
          .when(withPromotion, { promotions: { 'bf-2026': { ...blackFriday, endedAt: '2026-11-26T00:00:00.000Z' } } })
          .thenRefuses(quoteRules.promotionTerms, /was ended/));

      it('refuses a promotion the context does not know', () =>
        spec.given([]).when(withPromotion, { promotions: {} }).thenRefuses(quoteRules.promotionTerms, /not known/));
    });
  });

  describe('submitting', () => {
    it('is approved at once when every discount is within the submitter’s authority (10% for a rep)', () =>
      spec.given([draftedAt10]).when({ type: 'SubmitQuote' }, rep1).then([submitted('rep-1')]));

    it(`needs approval for a discount a hundredth of a point above the rep's authority (${quoteRules.aboveAuthorityNeedsApproval.id})`, () =>
      spec
        .given([drafted(firewallLine(10.01, 20_020))])
        .when({ type: 'SubmitQuote' }, rep1)
        .then([submitted('rep-1', ['QUO-13: line 1 (FW-100) takes 10.01% off list, above the sales_rep authority of 10%'])]));

    it(`needs approval for a rep's 20% discount (${quoteRules.aboveAuthorityNeedsApproval.id})`, () =>
      spec.given([draftedAt20]).when({ type: 'SubmitQuote' }, rep1).then([submittedAt20]));

    it('is approved at once when a manager (25%) submits the same 20% discount', () =>
      spec.given([draftedAt20]).when({ type: 'SubmitQuote' }, manager).then([submitted('mgr-1')]));

    it(`counts a unit price under list as discount, so it cannot slip past authority (${quoteRules.aboveAuthorityNeedsApproval.id})`, () =>
      // 1599.99 against a 1999.99 list is 20.0001% off, rounded up to 20.01% so it counts as above 20%.
      spec
        .given([drafted({ ...firewallLine(0, 0), unitPrice: cny(159_999), discountAmount: cny(40_000), netTotal: cny(159_999) })])
        .when({ type: 'SubmitQuote' }, rep1)
        .then([submitted('rep-1', ['QUO-13: line 1 (FW-100) takes 20.01% off list, above the sales_rep authority of 10%'])]));

    it(`needs approval for a price below the floor, even within authority (${quoteRules.belowFloorNeedsApproval.id})`, () =>
      // 8% off 1000.00 nets 920.00 against a 950.00 floor.
      spec
        .given([drafted(edrLine(8, 8_000))])
        .when({ type: 'SubmitQuote' }, rep1)
        .then([submitted('rep-1', ["QUO-12: line 1 (EDR-1) is priced below the product's floor"])]));

    it('leaves what a promotion grants out of the rep’s authority: 20% with a 15% promotion is 5% of the rep’s own', () =>
      spec
        .given([drafted(firewallLine(20, 40_000, { promotionId: 'bf-2026', promotionDiscountPct: 15 }))])
        .when({ type: 'SubmitQuote' }, rep1)
        .then([submitted('rep-1')]));

    it(`does not let a promotion excuse a price below the floor (${quoteRules.belowFloorNeedsApproval.id})`, () =>
      spec
        .given([drafted(firewallLine(30, 60_000, { promotionId: 'bf-2026', promotionDiscountPct: 15 }))])
        .when({ type: 'SubmitQuote' }, rep1)
        .then([
          submitted('rep-1', [
            "QUO-12: line 1 (FW-100) is priced below the product's floor",
            'QUO-13: line 1 (FW-100) takes 30% off list, above the sales_rep authority of 10%',
          ]),
        ]));

    it('gives a role the table does not list no authority at all', () =>
      spec
        .given([drafted(firewallLine(1, 2_000))])
        .when({ type: 'SubmitQuote' }, { actor: { id: 'rep-1', role: 'support' } })
        .then([submitted('rep-1', ['QUO-13: line 1 (FW-100) takes 1% off list, above the support authority of 0%'])]));

    it('gives an admin unlimited authority', () =>
      spec
        .given([drafted(firewallLine(90, 179_999))])
        .when({ type: 'SubmitQuote' }, { actor: { id: 'adm-1', role: 'admin' } })
        .then([submitted('adm-1', ["QUO-12: line 1 (FW-100) is priced below the product's floor"])]));

    it(`refuses to submit twice (${quoteRules.submitOnlyDraft.id})`, () =>
      spec.given(pendingAt20).when({ type: 'SubmitQuote' }, rep1).thenRefuses(quoteRules.submitOnlyDraft, /pending_approval/));

    it(`refuses to submit a quote never drafted (${quoteRules.draftedFirst.id})`, () =>
      spec.given([]).when({ type: 'SubmitQuote' }).thenRefuses(quoteRules.draftedFirst));
  });

  describe('approving, with segregation of duties', () => {
    it(`refuses a manager approving a quote on a deal she owns and drafted, though a colleague submitted it (${quoteRules.segregationOfDuties.id})`, () => {
      const ownDeal: QuoteEvent = { type: 'QuoteDrafted', data: { ...(draftedAt20.data as Extract<QuoteEvent, { type: 'QuoteDrafted' }>['data']), ownerId: 'mgr-1', draftedBy: 'mgr-1' } };
      spec.given([ownDeal, submittedAt20]).when({ type: 'ApproveQuote' }, manager).thenRefuses(quoteRules.segregationOfDuties, /mgr-1 drafted this quote/);
      const ownedOnly: QuoteEvent = { type: 'QuoteDrafted', data: { ...(draftedAt20.data as Extract<QuoteEvent, { type: 'QuoteDrafted' }>['data']), ownerId: 'mgr-1' } };
      spec.given([ownedOnly, submittedAt20]).when({ type: 'RejectQuote', reason: 'no' }, manager).thenRefuses(quoteRules.segregationOfDuties, /mgr-1 owned the deal when the quote was drafted/);
    });

    it(`refuses an approver the deal was handed to after the quote was drafted (${quoteRules.segregationOfDuties.id})`, () => {
      spec.given(pendingAt20).when({ type: 'ApproveQuote' }, { ...manager, dealOwnerId: 'mgr-1' }).thenRefuses(quoteRules.segregationOfDuties, /mgr-1 owns the deal/);
      spec.given(pendingAt20).when({ type: 'RejectQuote', reason: 'no' }, { ...manager, dealOwnerId: 'mgr-1' }).thenRefuses(quoteRules.segregationOfDuties, /mgr-1 owns the deal/);
    });

    it(`lets the deal's new owner work the quote, and no longer the owner it was taken from (${quoteRules.workedByOwner.id})`, () => {
      const handedToRep2 = { dealOwnerId: 'rep-2', owner: { actorId: 'rep-2', role: 'sales_rep', managerId: 'mgr-1', active: true } };
      spec.given(approvedAt20).when({ type: 'SendQuote' }, { ...rep1, ...handedToRep2 }).thenRefuses(quoteRules.workedByOwner);
      spec.given(approvedAt20).when({ type: 'SendQuote' }, { ...rep2, ...handedToRep2 }).then([{ type: 'QuoteSent', data: { quoteId: 'q1', sentBy: 'rep-2' } }]);
    });

    it('is approved by a manager whose authority covers the discount', () =>
      spec.given(pendingAt20).when({ type: 'ApproveQuote' }, manager).then([approvedByManager]));

    it('keeps the approver’s reason', () =>
      spec
        .given(pendingAt20)
        .when({ type: 'ApproveQuote', reason: 'three-year renewal' }, manager)
        .then([{ type: 'QuoteApproved', data: { quoteId: 'q1', approvedBy: 'mgr-1', approverRole: 'sales_manager', reason: 'three-year renewal' } }]));

    it(`refuses the requester approving their own quote (${quoteRules.segregationOfDuties.id})`, () =>
      spec.given(pendingAt20).when({ type: 'ApproveQuote' }, rep1).thenRefuses(quoteRules.segregationOfDuties, /rep-1 submitted/));

    it(`refuses a manager approving her own below-floor quote, though her authority covers the discount (${quoteRules.segregationOfDuties.id})`, () => {
      const pendingBelowFloor = [drafted(edrLine(8, 8_000)), submitted('mgr-1', ["QUO-12: line 1 (EDR-1) is priced below the product's floor"])];
      spec.given(pendingBelowFloor).when({ type: 'ApproveQuote' }, manager).thenRefuses(quoteRules.segregationOfDuties);
      spec
        .given(pendingBelowFloor)
        .when({ type: 'ApproveQuote' }, otherManager)
        .then([{ type: 'QuoteApproved', data: { quoteId: 'q1', approvedBy: 'mgr-2', approverRole: 'sales_manager' } }]);
    });

    it(`refuses another rep (10%) approving a 20% discount (${quoteRules.approverAuthority.id})`, () =>
      spec.given(pendingAt20).when({ type: 'ApproveQuote' }, rep2).thenRefuses(quoteRules.approverAuthority, /sales_rep authority of 10% does not cover a discount of 20%/));

    it(`records the policy version on a refusal that used the authority table (${quoteRules.approverAuthority.id})`, () => {
      const state = pendingAt20.reduce(quoteDecider.evolve, quoteDecider.initialState());
      const withVersion = quoteDecider.decide({ type: 'ApproveQuote' }, state, { ...context, ...rep2 });
      // The submitter deciding on their own quote is refused by QUO-14, which no policy table judges.
      const withoutVersion = quoteDecider.decide({ type: 'ApproveQuote' }, state, { ...context, ...rep1 });
      expect(isRefusal(withVersion) && withVersion.policyVersion).toBe(3);
      expect(isRefusal(withoutVersion) && withoutVersion.refused).toEqual(quoteRules.segregationOfDuties);
      expect(isRefusal(withoutVersion) && 'policyVersion' in withoutVersion).toBe(false);
    });

    it(`refuses a role without authority (${quoteRules.approverAuthority.id})`, () =>
      spec.given(pendingAt20).when({ type: 'ApproveQuote' }, { actor: { id: 'sup-1', role: 'support' } }).thenRefuses(quoteRules.approverAuthority));

    it(`judges a below-floor line on its whole discount off list: a manager (25%) cannot approve 30% with a 15% promotion (${quoteRules.approverAuthority.id})`, () => {
      const pending = [
        drafted(firewallLine(30, 60_000, { promotionId: 'bf-2026', promotionDiscountPct: 15 })),
        submitted('rep-1', ["QUO-12: line 1 (FW-100) is priced below the product's floor", 'QUO-13: line 1 (FW-100) takes 30% off list, above the sales_rep authority of 10%']),
      ];
      spec.given(pending).when({ type: 'ApproveQuote' }, manager).thenRefuses(quoteRules.approverAuthority, /discount of 30%/);
      spec.given(pending).when({ type: 'ApproveQuote' }, finance).then([{ type: 'QuoteApproved', data: { quoteId: 'q1', approvedBy: 'fin-1', approverRole: 'finance' } }]);
    });

    describe(`a price below the floor (${quoteRules.belowFloorApprover.id})`, () => {
      // 8% off 1000.00 nets 920.00 against a 950.00 floor: within a rep's 10% authority, yet below the floor.
      const pendingBelowFloor = [drafted(edrLine(8, 8_000)), submitted('rep-1', ["QUO-12: line 1 (EDR-1) is priced below the product's floor"])];

      it('is approved by a sales manager', () =>
        spec
          .given(pendingBelowFloor)
          .when({ type: 'ApproveQuote' }, manager)
          .then([{ type: 'QuoteApproved', data: { quoteId: 'q1', approvedBy: 'mgr-1', approverRole: 'sales_manager' } }]));

      it('is approved by finance', () =>
        spec
          .given(pendingBelowFloor)
          .when({ type: 'ApproveQuote' }, finance)
          .then([{ type: 'QuoteApproved', data: { quoteId: 'q1', approvedBy: 'fin-1', approverRole: 'finance' } }]));

      it('refuses another rep, though the discount is within a rep’s authority', () =>
        spec
          .given(pendingBelowFloor)
          .when({ type: 'ApproveQuote' }, rep2)
          .thenRefuses(quoteRules.belowFloorApprover, /Line 1 \(EDR-1\) is priced below the product's floor, which a sales_rep cannot decide on/));

      it('refuses another rep rejecting it, since rejecting is the same decision', () =>
        spec.given(pendingBelowFloor).when({ type: 'RejectQuote', reason: 'margin too thin' }, rep2).thenRefuses(quoteRules.belowFloorApprover));

      it('takes the roles that may approve it from the context', () => {
        spec.given(pendingBelowFloor).when({ type: 'ApproveQuote' }, { ...manager, belowFloorApprovers: ['finance'] }).thenRefuses(quoteRules.belowFloorApprover);
        spec
          .given(pendingBelowFloor)
          .when({ type: 'ApproveQuote' }, { ...rep2, belowFloorApprovers: ['sales_rep'] })
          .then([{ type: 'QuoteApproved', data: { quoteId: 'q1', approvedBy: 'rep-2', approverRole: 'sales_rep' } }]);
      });

      it('does not restrict who approves a quote with no line below the floor', () =>
        spec
          .given(pendingAt20)
          .when({ type: 'ApproveQuote' }, { ...manager, belowFloorApprovers: [] })
          .then([approvedByManager]));

      it('records the policy version on the refusal', () => {
        const state = pendingBelowFloor.reduce(quoteDecider.evolve, quoteDecider.initialState());
        const refusal = quoteDecider.decide({ type: 'ApproveQuote' }, state, { ...context, ...rep2 });
        expect(isRefusal(refusal) && refusal.policyVersion).toBe(3);
      });
    });

    it(`refuses to approve a quote that needed no approval (${quoteRules.decideOnlyPending.id})`, () =>
      spec.given(approvedAt10).when({ type: 'ApproveQuote' }, manager).thenRefuses(quoteRules.decideOnlyPending, /approved/));

    it(`refuses to approve a draft (${quoteRules.decideOnlyPending.id})`, () =>
      spec.given([draftedAt20]).when({ type: 'ApproveQuote' }, manager).thenRefuses(quoteRules.decideOnlyPending, /draft/));
  });

  describe('rejecting', () => {
    it('is rejected by a manager, with a reason', () =>
      spec.given(pendingAt20).when({ type: 'RejectQuote', reason: 'margin too thin' }, manager).then([rejected]));

    it(`refuses a rejection without a reason (${quoteRules.reasonRequired.id})`, () =>
      spec.given(pendingAt20).when({ type: 'RejectQuote', reason: ' ' }, manager).thenRefuses(quoteRules.reasonRequired));

    it(`refuses the requester rejecting their own quote (${quoteRules.segregationOfDuties.id})`, () =>
      spec.given(pendingAt20).when({ type: 'RejectQuote', reason: 'changed my mind' }, rep1).thenRefuses(quoteRules.segregationOfDuties));

    it(`refuses a rejection by a role that could not approve it either (${quoteRules.approverAuthority.id})`, () =>
      spec.given(pendingAt20).when({ type: 'RejectQuote', reason: 'too deep' }, rep2).thenRefuses(quoteRules.approverAuthority));

    it(`refuses to reject a quote not awaiting approval (${quoteRules.decideOnlyPending.id})`, () =>
      spec.given(approvedAt20).when({ type: 'RejectQuote', reason: 'x' }, otherManager).thenRefuses(quoteRules.decideOnlyPending));

    it(`refuses anything after a rejection (${quoteRules.finalIsFinal.id})`, () =>
      spec.given([...pendingAt20, rejected]).when({ type: 'ApproveQuote' }, otherManager).thenRefuses(quoteRules.finalIsFinal, /rejected/));
  });

  describe("the seller's side, worked for the deal's owner", () => {
    const otherRep = { actor: { id: 'rep-2', role: 'sales_rep' } };
    const otherManager = { actor: { id: 'mgr-2', role: 'sales_manager' } };

    it(`refuses another rep, or a manager of another team, drafting, submitting, sending or answering a quote on rep-1's deal (${quoteRules.workedByOwner.id})`, () => {
      for (const who of [otherRep, otherManager]) {
        spec.given([]).when(draftQuote(request('FW-100', 1, 199_999, 5)), who).thenRefuses(quoteRules.workedByOwner, /is neither rep-1, their manager nor an admin/);
        spec.given([draftedAt10]).when({ type: 'SubmitQuote' }, who).thenRefuses(quoteRules.workedByOwner);
        spec.given(approvedAt20).when({ type: 'SendQuote' }, who).thenRefuses(quoteRules.workedByOwner);
        spec.given(sent).when({ type: 'AcceptQuote' }, who).thenRefuses(quoteRules.workedByOwner);
        spec.given(sent).when({ type: 'DeclineQuote', reason: 'price' }, who).thenRefuses(quoteRules.workedByOwner);
      }
    });

    it("lets the owner's manager step in", () =>
      spec.given(approvedAt20).when({ type: 'SendQuote' }, manager).then([{ type: 'QuoteSent', data: { quoteId: 'q1', sentBy: 'mgr-1' } }]));
  });

  describe('sending', () => {
    it('sends an approved quote', () => spec.given(approvedAt20).when({ type: 'SendQuote' }, rep1).then([sentByRep]));

    it('sends a quote approved on submission', () =>
      spec.given(approvedAt10).when({ type: 'SendQuote' }, rep1).then([sentByRep]));

    it(`refuses to send a quote awaiting approval (${quoteRules.sendOnlyApproved.id})`, () =>
      spec.given(pendingAt20).when({ type: 'SendQuote' }).thenRefuses(quoteRules.sendOnlyApproved, /awaiting approval/));

    it(`refuses to send a draft (${quoteRules.sendOnlyApproved.id})`, () =>
      spec.given([draftedAt10]).when({ type: 'SendQuote' }).thenRefuses(quoteRules.sendOnlyApproved, /not been submitted/));

    it(`refuses to send twice (${quoteRules.sendOnlyApproved.id})`, () =>
      spec.given(sent).when({ type: 'SendQuote' }).thenRefuses(quoteRules.sendOnlyApproved, /already sent/));

    describe('under the compliance checks of the policy in force', () => {
      const violation = (action: 'block' | 'flag', rule: Rule = complianceRules.certification): Violation => ({
        rule,
        severity: 'medium',
        action,
        detail: 'rep-1 holds no valid certification for FW-100',
        policyRevision: 3,
      });

      it(`refuses to send when a rule whose action is block finds something, naming the rule and the policy revision (${complianceRules.certification.id})`, () => {
        const state = approvedAt20.reduce(quoteDecider.evolve, quoteDecider.initialState());
        const refused = quoteDecider.decide({ type: 'SendQuote' }, state, { ...context, ...rep1, violations: [violation('flag', complianceRules.promotionTerms), violation('block')] });
        expect(refused).toEqual({ refused: complianceRules.certification, detail: 'rep-1 holds no valid certification for FW-100', policyVersion: 3 });
      });

      it('sends despite a rule whose action is flag: the finding is raised on what went out', () =>
        spec.given(approvedAt20).when({ type: 'SendQuote' }, { ...rep1, violations: [violation('flag')] }).then([sentByRep]));

      it(`judges the quote's own rules first: a quote awaiting approval is refused as such, blocked or not (${quoteRules.sendOnlyApproved.id})`, () =>
        spec.given(pendingAt20).when({ type: 'SendQuote' }, { violations: [violation('block')] }).thenRefuses(quoteRules.sendOnlyApproved, /awaiting approval/));
    });
  });

  describe('the customer’s answer', () => {
    it('is accepted, carrying the total', () => spec.given(sent).when({ type: 'AcceptQuote' }).then([accepted]));

    it('is declined, with a reason', () => spec.given(sent).when({ type: 'DeclineQuote', reason: 'went with a competitor' }).then([declined]));

    it(`refuses a decline without a reason (${quoteRules.reasonRequired.id})`, () =>
      spec.given(sent).when({ type: 'DeclineQuote', reason: '' }).thenRefuses(quoteRules.reasonRequired));

    it(`refuses to accept a quote not sent (${quoteRules.answerOnlySent.id})`, () =>
      spec.given(approvedAt20).when({ type: 'AcceptQuote' }).thenRefuses(quoteRules.answerOnlySent, /approved, not sent/));

    it(`refuses to decline a quote awaiting approval (${quoteRules.answerOnlySent.id})`, () =>
      spec.given(pendingAt20).when({ type: 'DeclineQuote', reason: 'x' }).thenRefuses(quoteRules.answerOnlySent));

    it(`refuses to accept twice (${quoteRules.finalIsFinal.id})`, () =>
      spec.given([...sent, accepted]).when({ type: 'AcceptQuote' }).thenRefuses(quoteRules.finalIsFinal, /accepted/));

    it(`refuses to accept a declined quote (${quoteRules.finalIsFinal.id})`, () =>
      spec.given([...sent, declined]).when({ type: 'AcceptQuote' }).thenRefuses(quoteRules.finalIsFinal, /declined/));
  });

  describe('expiry', () => {
    it('expires a sent quote once its validity has run out', () => spec.given(sent).when({ type: 'ExpireQuote' }, afterExpiry).then([expired]));

    it('expires a quote still awaiting approval', () => spec.given(pendingAt20).when({ type: 'ExpireQuote' }, afterExpiry).then([expired]));

    it(`refuses to expire a quote still valid (${quoteRules.expireOnlyWhenDue.id})`, () =>
      spec.given(sent).when({ type: 'ExpireQuote' }, { now: '2026-12-30T23:59:59.999Z' }).thenRefuses(quoteRules.expireOnlyWhenDue));

    it('accepts a quote in its last instant of validity', () =>
      spec.given(sent).when({ type: 'AcceptQuote' }, { now: '2026-12-30T23:59:59.999Z' }).then([accepted]));

    it(`refuses acceptance once validity has run out, even before the watcher expires it (${quoteRules.noActionAfterExpiry.id})`, () =>
      spec.given(sent).when({ type: 'AcceptQuote' }, afterExpiry).thenRefuses(quoteRules.noActionAfterExpiry));

    it(`refuses a submission past validity (${quoteRules.noActionAfterExpiry.id})`, () =>
      spec.given([draftedAt10]).when({ type: 'SubmitQuote' }, afterExpiry).thenRefuses(quoteRules.noActionAfterExpiry));

    it(`refuses an approval past validity (${quoteRules.noActionAfterExpiry.id})`, () =>
      spec.given(pendingAt20).when({ type: 'ApproveQuote' }, { ...manager, ...afterExpiry }).thenRefuses(quoteRules.noActionAfterExpiry));

    it(`refuses anything after expiry (${quoteRules.finalIsFinal.id})`, () =>
      spec.given([...sent, expired]).when({ type: 'AcceptQuote' }, afterExpiry).thenRefuses(quoteRules.finalIsFinal, /expired/));

    it(`does not expire an accepted quote (${quoteRules.finalIsFinal.id})`, () =>
      spec.given([...sent, accepted]).when({ type: 'ExpireQuote' }, afterExpiry).thenRefuses(quoteRules.finalIsFinal));
  });
});
