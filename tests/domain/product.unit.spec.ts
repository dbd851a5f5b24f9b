import { describe, expect, it } from 'vitest';
import { productDecider, productFacts, productRules, type ProductEvent, type PublishProduct } from '../../domain/catalog/product.js';
import { deciderSpecification } from '../support/deciderSpecification.js';

const spec = deciderSpecification(productDecider);
const cny = (minor: number) => ({ minor, currency: 'CNY' });

const publish: PublishProduct = {
  type: 'PublishProduct',
  sku: 'FW-100',
  name: 'Next-gen firewall',
  capabilities: ['intrusion prevention', 'url filtering'],
  maxSla: { availabilityPct: 99.9, responseHours: 4 },
  leadTimeDays: 14,
  listPrice: cny(199_999),
  floorPrice: cny(150_000),
  unitCost: cny(90_000),
};
const { type: _publish, ...publishedData } = publish;
const published: ProductEvent = { type: 'ProductPublished', data: publishedData };
const retired: ProductEvent = { type: 'ProductRetired', data: { sku: 'FW-100' } };

describe('Product', () => {
  describe('publishing', () => {
    it('publishes a product with its prices and service limits', () => spec.given([]).when(publish).then([published]));

    it(`refuses to publish twice (${productRules.publishedOnce.id})`, () =>
      spec.given([published]).when(publish).thenRefuses(productRules.publishedOnce));

    it(`refuses a list price of zero (${productRules.realPrices.id})`, () =>
      spec.given([]).when({ ...publish, listPrice: cny(0), floorPrice: cny(0), unitCost: cny(0) }).thenRefuses(productRules.realPrices));

    it(`refuses a negative cost (${productRules.realPrices.id})`, () =>
      spec.given([]).when({ ...publish, unitCost: cny(-1) }).thenRefuses(productRules.realPrices));

    it(`refuses prices in two currencies (${productRules.oneCurrency.id})`, () =>
      spec
        .given([])
        .when({ ...publish, unitCost: { minor: 90_000, currency: 'USD' } })
        .thenRefuses(productRules.oneCurrency, /CNY, not USD/));

    it(`refuses a floor above the list price (${productRules.floorNotAboveList.id})`, () =>
      spec.given([]).when({ ...publish, floorPrice: cny(200_000) }).thenRefuses(productRules.floorNotAboveList));

    it('accepts a floor equal to the list price', () =>
      spec
        .given([])
        .when({ ...publish, floorPrice: cny(199_999) })
        .then([{ type: 'ProductPublished', data: { ...publishedData, floorPrice: cny(199_999) } }]));

    it(`refuses a floor below cost at publication, where no reason can be given (${productRules.belowCostNeedsReason.id})`, () =>
      spec.given([]).when({ ...publish, floorPrice: cny(80_000) }).thenRefuses(productRules.belowCostNeedsReason));

    it(`refuses an availability above 100% (${productRules.realServiceLevels.id})`, () =>
      spec
        .given([])
        .when({ ...publish, maxSla: { availabilityPct: 100.5, responseHours: 4 } })
        .thenRefuses(productRules.realServiceLevels));

    it(`refuses a response time of zero hours (${productRules.realServiceLevels.id})`, () =>
      spec
        .given([])
        .when({ ...publish, maxSla: { availabilityPct: 99.9, responseHours: 0 } })
        .thenRefuses(productRules.realServiceLevels));

    it(`refuses a lead time in part days (${productRules.realServiceLevels.id})`, () =>
      spec.given([]).when({ ...publish, leadTimeDays: 1.5 }).thenRefuses(productRules.realServiceLevels));
  });

  describe('revising the price', () => {
    it('revises list and floor, keeping the cost when none is given', () =>
      spec
        .given([published])
        .when({ type: 'ReviseProductPrice', listPrice: cny(209_999), floorPrice: cny(160_000) })
        .then([{ type: 'ProductPriceRevised', data: { sku: 'FW-100', listPrice: cny(209_999), floorPrice: cny(160_000), unitCost: cny(90_000) } }]));

    it('sets a floor below cost when the reason is given', () =>
      spec
        .given([published])
        .when({ type: 'ReviseProductPrice', listPrice: cny(199_999), floorPrice: cny(85_000), reason: 'end-of-life clearance' })
        .then([
          {
            type: 'ProductPriceRevised',
            data: { sku: 'FW-100', listPrice: cny(199_999), floorPrice: cny(85_000), unitCost: cny(90_000), reason: 'end-of-life clearance' },
          },
        ]));

    it(`refuses a floor below cost without a reason (${productRules.belowCostNeedsReason.id})`, () =>
      spec
        .given([published])
        .when({ type: 'ReviseProductPrice', listPrice: cny(199_999), floorPrice: cny(85_000), reason: ' ' })
        .thenRefuses(productRules.belowCostNeedsReason));

    it(`judges the floor against a new cost given with the revision (${productRules.belowCostNeedsReason.id})`, () =>
      spec
        .given([published])
        .when({ type: 'ReviseProductPrice', listPrice: cny(199_999), floorPrice: cny(150_000), unitCost: cny(155_000) })
        .thenRefuses(productRules.belowCostNeedsReason));

    it(`refuses a floor above the list price (${productRules.floorNotAboveList.id})`, () =>
      spec
        .given([published])
        .when({ type: 'ReviseProductPrice', listPrice: cny(140_000), floorPrice: cny(150_000) })
        .thenRefuses(productRules.floorNotAboveList));

    it(`refuses a revision in another currency (${productRules.oneCurrency.id})`, () =>
      spec
        .given([published])
        .when({ type: 'ReviseProductPrice', listPrice: { minor: 29_999, currency: 'USD' }, floorPrice: { minor: 20_000, currency: 'USD' } })
        .thenRefuses(productRules.oneCurrency));

    it(`refuses a negative floor (${productRules.realPrices.id})`, () =>
      spec
        .given([published])
        .when({ type: 'ReviseProductPrice', listPrice: cny(199_999), floorPrice: cny(-1), reason: 'x' })
        .thenRefuses(productRules.realPrices));

    it(`refuses to reprice a product never published (${productRules.publishedFirst.id})`, () =>
      spec
        .given([])
        .when({ type: 'ReviseProductPrice', listPrice: cny(199_999), floorPrice: cny(150_000) })
        .thenRefuses(productRules.publishedFirst));

    it(`refuses to reprice a retired product (${productRules.retiredIsFinal.id})`, () =>
      spec
        .given([published, retired])
        .when({ type: 'ReviseProductPrice', listPrice: cny(199_999), floorPrice: cny(150_000) })
        .thenRefuses(productRules.retiredIsFinal));
  });

  describe('retiring', () => {
    it('retires a product', () => spec.given([published]).when({ type: 'RetireProduct' }).then([retired]));

    it('retires a product with a reason', () =>
      spec
        .given([published])
        .when({ type: 'RetireProduct', reason: 'replaced by FW-200' })
        .then([{ type: 'ProductRetired', data: { sku: 'FW-100', reason: 'replaced by FW-200' } }]));

    it(`refuses to retire twice (${productRules.retiredIsFinal.id})`, () =>
      spec.given([published, retired]).when({ type: 'RetireProduct' }).thenRefuses(productRules.retiredIsFinal));

    it(`refuses to retire a product never published (${productRules.publishedFirst.id})`, () =>
      spec.given([]).when({ type: 'RetireProduct' }).thenRefuses(productRules.publishedFirst));
  });

  describe('facts for other decisions', () => {
    const fold = (events: ProductEvent[]) => productFacts(events.reduce(productDecider.evolve, productDecider.initialState()));

    it('has none for a product never published', () => expect(fold([])).toBeUndefined());

    it('gives the current prices after a revision', () =>
      expect(
        fold([published, { type: 'ProductPriceRevised', data: { sku: 'FW-100', listPrice: cny(209_999), floorPrice: cny(160_000), unitCost: cny(95_000) } }]),
      ).toEqual({ ...publishedData, listPrice: cny(209_999), floorPrice: cny(160_000), unitCost: cny(95_000), retired: false }));

    it('says when the product is retired', () => expect(fold([published, retired])).toMatchObject({ sku: 'FW-100', retired: true }));
  });
});
