import { describe, expect, it } from 'vitest';
import type { ProductFacts } from '../../domain/catalog/product.js';
import type { PromotionFacts } from '../../domain/catalog/promotion.js';
import {
  checkPromise,
  checkQuote,
  firstBlock,
  overduePromise,
  type PromiseFacts,
  type QuoteFacts,
  type RecordedPromise,
  type Violation,
} from '../../domain/compliance/rules.js';
import { complianceRules } from '../../domain/compliance/ruleCatalogue.js';
import { DEFAULT_POLICY, type PolicyRevision } from '../../domain/policy/policy.js';
import type { CustomerPromise } from '../../domain/promise/promise.js';
import type { QuoteLine } from '../../domain/quote/pricing.js';
import type { Rule } from '../../domain/shared/decider.js';
import type { RepFacts } from '../../domain/team/rep.js';
import { defaultContext } from '../support/deciderSpecification.js';

const now = defaultContext.now; // 2026-11-27T09:00Z
const cny = (minor: number) => ({ minor, currency: 'CNY' });

const policy: PolicyRevision = { revision: 3, effectiveFrom: '2026-01-01T00:00:00.000Z', publishedBy: 'co-1', ...DEFAULT_POLICY };

const firewall: ProductFacts = {
  sku: 'FW-100',
  name: 'Next-gen firewall',
  capabilities: ['intrusion prevention', 'URL filtering', '入侵防御'],
  maxSla: { availabilityPct: 99.9, responseHours: 4 },
  leadTimeDays: 14,
  listPrice: cny(200_000),
  floorPrice: cny(150_000),
  unitCost: cny(90_000),
  retired: false,
};

const rep: RepFacts = {
  actorId: 'rep-1',
  name: '王芳',
  team: 'east',
  role: 'sales_rep',
  managerId: 'mgr-1',
  active: true,
  certifications: [{ sku: 'FW-100', course: 'NGFW sales', passedAt: '2026-01-10T00:00:00.000Z', expiresAt: '2027-01-10T00:00:00.000Z' }],
};
const manager: RepFacts = { ...rep, actorId: 'mgr-1', role: 'sales_manager', managerId: undefined };

const promiseFacts: PromiseFacts = { policy, product: firewall, seller: rep };

/** Each rule is tried on a promise said in Chinese and one said in English. */
const STATEMENTS = [
  ['Chinese', '这款防火墙支持入侵防御,可用性 99.9%,两周内交付。'],
  ['English', 'The firewall does intrusion prevention at 99.9% availability, delivered in two weeks.'],
] as const;

const promise = (statement: string, changes: Partial<RecordedPromise> = {}): RecordedPromise => ({
  promiseId: 'pr1',
  customerId: 'c1',
  kind: 'other',
  statement,
  sku: 'FW-100',
  committed: {},
  dueDate: '2027-03-31',
  madeBy: 'rep-1',
  recordedAt: now,
  policyVersion: 3,
  ...changes,
});

const by = (rule: Rule, violations: Violation[]) => violations.filter((violation) => violation.rule.id === rule.id);
const judgedBy = (rule: Rule, statement: string, changes: Partial<RecordedPromise>, facts: Partial<PromiseFacts> = {}) =>
  by(rule, checkPromise(promise(statement, changes), { ...promiseFacts, ...facts }));

describe('Compliance rules', () => {
  describe(`${complianceRules.absoluteClaims.id} ${complianceRules.absoluteClaims.name}`, () => {
    it.each(STATEMENTS)('accepts a measured %s statement', (_, statement) => expect(checkPromise(promise(statement), promiseFacts)).toEqual([]));

    it.each([
      ['Chinese', '我们的产品提供１００％ 防护,绝对安全', /"１００％ 防护".*"绝对安全"/, ['１００％ 防护', '绝对安全']],
      ['English', 'Our appliance is Un Hackable, ZERO   RISK', /"Un Hackable".*"ZERO {3}RISK"/, ['Un Hackable', 'ZERO   RISK']],
    ])('flags absolute claims in a %s statement, with the policy revision, the severity and where each claim stands', (_, statement, detail, texts) => {
      const [violation, ...others] = checkPromise(promise(statement), promiseFacts);
      expect(others).toEqual([]);
      expect(violation).toEqual({
        rule: complianceRules.absoluteClaims,
        severity: 'critical',
        action: 'flag',
        detail: expect.stringMatching(detail),
        policyRevision: 3,
        claims: texts.map((text) => expect.objectContaining({ category: 'absolute', text, start: statement.indexOf(text), end: statement.indexOf(text) + text.length })),
      });
    });

    it('flags, never blocks, a promise, even where the policy says block: the words were already said', () => {
      expect(policy.rules['CMP-01']?.action).toBe('block');
      expect(checkPromise(promise('绝对安全'), promiseFacts).map((violation) => violation.action)).toEqual(['flag']);
    });

    it('judges nothing under a revision that does not set the rule', () => {
      const { 'CMP-01': _, ...rules } = policy.rules;
      expect(checkPromise(promise('绝对安全'), { ...promiseFacts, policy: { ...policy, rules } })).toEqual([]);
    });
  });

  describe.each(STATEMENTS)('on a promise said in %s', (_, statement) => {
    describe(`${complianceRules.catalogCapabilities.id} ${complianceRules.catalogCapabilities.name}`, () => {
      const rule = complianceRules.catalogCapabilities;
      it('accepts a capability the catalog lists, however it is cased or spaced', () => {
        expect(judgedBy(rule, statement, { kind: 'capability', committed: { capability: 'url  Filtering' } })).toEqual([]);
        expect(judgedBy(rule, statement, { kind: 'capability', committed: { capability: '入侵 防御' } })).toEqual([]);
      });
      it('flags a capability the catalog does not list for the sku', () =>
        expect(judgedBy(rule, statement, { kind: 'capability', committed: { capability: '检测所有零日攻击' } })).toEqual([
          expect.objectContaining({ action: 'flag', severity: 'high', detail: 'Claims "检测所有零日攻击", which the catalog does not list for FW-100' }),
        ]));
      it('flags a capability claimed on a sku the catalog does not have', () =>
        expect(judgedBy(rule, statement, { sku: 'NOPE-1', committed: { capability: 'url filtering' } }, { product: undefined })[0]?.detail).toMatch(
          /NOPE-1, which is not in the catalog/,
        ));
    });

    describe(`${complianceRules.slaWithinProduct.id} ${complianceRules.slaWithinProduct.name}`, () => {
      const rule = complianceRules.slaWithinProduct;
      it('accepts an SLA within what the product offers', () =>
        expect(judgedBy(rule, statement, { kind: 'sla', committed: { availabilityPct: 99.9, responseHours: 8 } })).toEqual([]));
      it('flags an availability above the product maximum', () =>
        expect(judgedBy(rule, statement, { kind: 'sla', committed: { availabilityPct: 99.99 } })[0]?.detail).toMatch(/availability of 99.99% \(at most 99.9%\)/));
      it('flags a response faster than the product offers', () =>
        expect(judgedBy(rule, statement, { kind: 'sla', committed: { responseHours: 2 } })[0]?.detail).toMatch(/response within 2 hours \(at best 4\)/));
      it('flags an SLA no catalog product backs', () =>
        expect(judgedBy(rule, statement, { kind: 'sla', sku: undefined, committed: { availabilityPct: 99 } }, { product: undefined })[0]?.detail).toMatch(
          /no product, so nothing backs it/,
        ));
    });

    describe(`${complianceRules.floorPrice.id} ${complianceRules.floorPrice.name}`, () => {
      const rule = complianceRules.floorPrice;
      it('accepts a price at the floor', () => expect(judgedBy(rule, statement, { kind: 'price', committed: { price: cny(150_000) } })).toEqual([]));
      it('flags a price below the floor', () =>
        expect(judgedBy(rule, statement, { kind: 'price', committed: { price: cny(149_999) } })[0]?.detail).toBe(
          'Promises CNY 1499.99 on FW-100, below its floor of CNY 1500.00',
        ));
      it('flags a price in another currency, which cannot be shown to clear the floor', () =>
        expect(judgedBy(rule, statement, { kind: 'price', committed: { price: { minor: 150_000, currency: 'USD' } } })[0]?.detail).toMatch(/floor is in CNY/));
    });

    describe(`${complianceRules.discountAuthority.id} ${complianceRules.discountAuthority.name}`, () => {
      const rule = complianceRules.discountAuthority;
      it("accepts a discount within the seller's authority (10% for a rep)", () =>
        expect(judgedBy(rule, statement, { kind: 'price', committed: { price: cny(180_000) } })).toEqual([]));
      it("flags a discount beyond the seller's authority", () =>
        expect(judgedBy(rule, statement, { kind: 'price', committed: { price: cny(170_000) } })[0]?.detail).toBe(
          'Promises 15% off the list price of FW-100, above the sales_rep authority of 10%',
        ));
      it("accepts the same discount from a manager, whose authority covers it", () =>
        expect(judgedBy(rule, statement, { kind: 'price', madeBy: 'mgr-1', committed: { price: cny(170_000) } }, { seller: manager })).toEqual([]));
      it('flags any discount from a seller not on the roster, who has no authority', () =>
        expect(judgedBy(rule, statement, { kind: 'price', committed: { price: cny(199_000) } }, { seller: undefined })[0]?.detail).toMatch(
          /0.5% off .* the authority of rep-1, who is not on the roster and has none/,
        ));
    });

    describe(`${complianceRules.leadTime.id} ${complianceRules.leadTime.name}`, () => {
      const rule = complianceRules.leadTime;
      it('accepts a delivery on the first day the lead time allows', () =>
        expect(judgedBy(rule, statement, { kind: 'delivery', committed: { deliveryDate: '2026-12-11' } })).toEqual([]));
      it('flags a delivery earlier than the lead time allows', () =>
        expect(judgedBy(rule, statement, { kind: 'delivery', committed: { deliveryDate: '2026-12-10' } })).toEqual([
          expect.objectContaining({
            action: 'flag',
            severity: 'medium',
            detail: 'Promises delivery on 2026-12-10; FW-100 takes 14 days, so 2026-12-11 at the earliest',
          }),
        ]));
    });

    describe(`${complianceRules.certification.id} ${complianceRules.certification.name}`, () => {
      const rule = complianceRules.certification;
      it('accepts a seller certified for the product', () => expect(judgedBy(rule, statement, {})).toEqual([]));
      it('flags a seller not certified for the product', () =>
        expect(judgedBy(rule, statement, { sku: 'EDR-1' }, { product: undefined })[0]?.detail).toBe(`rep-1 holds no valid certification for EDR-1 at ${now}`));
      it('flags a seller whose certification had expired when the promise was made', () =>
        expect(judgedBy(rule, statement, { recordedAt: '2027-01-10T00:00:00.000Z' })).toHaveLength(1));
      it('accepts an uncertified seller where the policy does not require certification', () =>
        expect(judgedBy(rule, statement, { sku: 'EDR-1' }, { product: undefined, policy: { ...policy, certificationRequired: false } })).toEqual([]));
    });
  });

  describe('promises, all rules together', () => {
    it('reports every rule a promise breaks, in rule order, under the revision that judged it', () =>
      expect(
        checkPromise(
          promise('保证 100% 可用, never be breached', { kind: 'sla', committed: { availabilityPct: 100, price: cny(100_000) } }),
          { ...promiseFacts, seller: { ...rep, certifications: [] } },
        ).map((violation) => [violation.rule.id, violation.action, violation.policyRevision]),
      ).toEqual([
        ['CMP-01', 'flag', 3],
        ['CMP-03', 'flag', 3],
        ['CMP-04', 'flag', 3],
        ['CMP-05', 'flag', 3],
        ['CMP-07', 'flag', 3],
      ]));
  });

  describe(`${complianceRules.promisesKept.id} ${complianceRules.promisesKept.name}`, () => {
    const open: CustomerPromise = { status: 'open', promiseId: 'pr1', customerId: 'c1', madeBy: 'rep-1', dueDate: '2027-03-31', overdue: false };

    it('accepts an open promise up to the end of its due day in the company (Beijing time)', () => expect(overduePromise(open, { policy, now: '2027-03-31T15:59:59.999Z' })).toBeUndefined());

    it('flags an open promise once its due day has passed in the company, though not yet in UTC', () =>
      expect(overduePromise(open, { policy, now: '2027-03-31T16:00:00.000Z' })).toEqual({
        rule: complianceRules.promisesKept,
        severity: 'medium',
        action: 'flag',
        detail: 'Promise pr1 was due on 2027-03-31 and is still open on 2027-04-01',
        policyRevision: 3,
      }));

    it('accepts a promise settled, even late', () =>
      expect(overduePromise({ ...open, status: 'fulfilled' }, { policy, now: '2027-05-01T00:00:00.000Z' })).toBeUndefined());
  });

  describe('quotes, when sent', () => {
    const blackFriday: PromotionFacts = {
      promotionId: 'bf-2026',
      name: 'Black Friday firewall offer',
      skus: ['FW-100'],
      discountPct: 15,
      validFrom: '2026-11-20T00:00:00.000Z',
      validTo: '2026-12-01T00:00:00.000Z',
      eligibility: { tiers: ['gold'], regions: ['east'] },
    };
    const quoteFacts: QuoteFacts = {
      policy,
      promotions: { 'bf-2026': blackFriday },
      customer: { tier: 'gold', region: 'east' },
      seller: rep,
      now,
      approvalOnRecord: false,
    };
    /** One unit at list price less discountPct; the totals are worked out here as the quote would. */
    const line = (sku: string, unitPrice: number, discountPct: number, promotion?: PromotionFacts): QuoteLine => {
      const netTotal = Math.round(unitPrice * (1 - discountPct / 100));
      return {
        sku,
        qty: 1,
        listPrice: cny(200_000),
        floorPrice: cny(150_000),
        unitPrice: cny(unitPrice),
        discountPct,
        ...(promotion ? { promotionId: promotion.promotionId, promotionDiscountPct: promotion.discountPct } : {}),
        listTotal: cny(200_000),
        discountAmount: cny(200_000 - netTotal),
        netTotal: cny(netTotal),
      };
    };
    const quote = (...lines: QuoteLine[]) => ({ quoteId: 'q1', lines });
    const ids = (violations: Violation[]) => violations.map((violation) => `${violation.rule.id} ${violation.action}`);

    it("accepts a quote within the seller's authority, on a product they are certified for", () =>
      expect(checkQuote(quote(line('FW-100', 200_000, 10)), quoteFacts)).toEqual([]));

    it(`blocks a discount beyond the seller's authority without approval (${complianceRules.discountAuthority.id})`, () =>
      expect(checkQuote(quote(line('FW-100', 200_000, 20)), quoteFacts)).toEqual([
        {
          rule: complianceRules.discountAuthority,
          severity: 'high',
          action: 'block',
          detail: 'Above the sales_rep authority of 10%, with no approval on record: line 1 (FW-100) takes 20% off list',
          policyRevision: 3,
        },
      ]));

    it(`blocks a price below the floor without approval (${complianceRules.floorPrice.id})`, () =>
      expect(ids(checkQuote(quote(line('FW-100', 140_000, 0)), quoteFacts))).toEqual(['CMP-04 block', 'CMP-05 block']));

    it('accepts a price below the floor or beyond authority once an approval is on record', () =>
      expect(checkQuote(quote(line('FW-100', 140_000, 0)), { ...quoteFacts, approvalOnRecord: true })).toEqual([]));

    it('does not count a valid promotion against the seller', () =>
      expect(checkQuote(quote(line('FW-100', 200_000, 20, blackFriday)), quoteFacts)).toEqual([]));

    it(`blocks a promotion used after its window (${complianceRules.promotionTerms.id})`, () =>
      expect(checkQuote(quote(line('FW-100', 200_000, 15, blackFriday)), { ...quoteFacts, now: '2026-12-01T00:00:00.000Z' })).toEqual([
        expect.objectContaining({ rule: complianceRules.promotionTerms, action: 'block', detail: expect.stringMatching(/^line 1 \(FW-100\): Promotion bf-2026 runs from/) }),
      ]));

    it(`blocks a promotion for a customer it is not offered to (${complianceRules.promotionTerms.id})`, () =>
      expect(ids(checkQuote(quote(line('FW-100', 200_000, 15, blackFriday)), { ...quoteFacts, customer: { tier: 'silver', region: 'east' } }))).toEqual([
        'CMP-08 block',
      ]));

    it(`blocks a promotion that is not known (${complianceRules.promotionTerms.id})`, () =>
      expect(ids(checkQuote(quote(line('FW-100', 200_000, 15, blackFriday)), { ...quoteFacts, promotions: {} }))).toEqual(['CMP-08 block']));

    it(`blocks a quote on a product the seller is not certified for (${complianceRules.certification.id})`, () =>
      expect(checkQuote(quote(line('FW-100', 200_000, 5), line('EDR-1', 200_000, 5)), quoteFacts)).toEqual([
        expect.objectContaining({ rule: complianceRules.certification, severity: 'medium', action: 'block', detail: `rep-1 holds no valid certification for EDR-1 at ${now}` }),
      ]));

    it("takes each rule's action from the policy revision", () => {
      const lenient: PolicyRevision = { ...policy, revision: 4, rules: { ...policy.rules, 'CMP-05': { action: 'flag', severity: 'low' } } };
      expect(checkQuote(quote(line('FW-100', 200_000, 20)), { ...quoteFacts, policy: lenient })).toEqual([
        expect.objectContaining({ rule: complianceRules.discountAuthority, action: 'flag', severity: 'low', policyRevision: 4 }),
      ]);
    });

    it('turns the first blocking violation into the refusal of the command, naming the revision', () => {
      const violations = checkQuote(quote(line('FW-100', 140_000, 0)), quoteFacts);
      expect(firstBlock(violations)).toEqual({ refused: complianceRules.floorPrice, detail: violations[0]?.detail, policyVersion: 3 });
      expect(firstBlock(violations.map((violation) => ({ ...violation, action: 'flag' })))).toBeUndefined();
    });
  });
});
