import { describe, expect, it } from 'vitest';
import {
  promotionApplies,
  promotionDecider,
  promotionFacts,
  promotionRules,
  type LaunchPromotion,
  type PromotionEvent,
  type PromotionFacts,
} from '../../domain/catalog/promotion.js';
import { deciderSpecification } from '../support/deciderSpecification.js';

const spec = deciderSpecification(promotionDecider);

const launch: LaunchPromotion = {
  type: 'LaunchPromotion',
  promotionId: 'bf-2026',
  name: 'Black Friday firewall offer',
  skus: ['FW-100'],
  discountPct: 15,
  validFrom: '2026-11-20T00:00:00.000Z',
  validTo: '2026-12-01T00:00:00.000Z',
  eligibility: { tiers: ['gold'], regions: ['east'] },
};
const { type: _launch, ...launchedData } = launch;
const launched: PromotionEvent = { type: 'PromotionLaunched', data: launchedData };
const ended: PromotionEvent = {
  type: 'PromotionEnded',
  data: { promotionId: 'bf-2026', reason: 'stock ran out', endedAt: '2026-11-25T12:00:00.000Z' },
};

describe('Promotion', () => {
  describe('launching', () => {
    it('launches a promotion', () => spec.given([]).when(launch).then([launched]));

    it('launches at 100% and at two decimals, such as 0.29%, which binary floats cannot hold exactly', () => {
      spec.given([]).when({ ...launch, discountPct: 100 }).then([{ type: 'PromotionLaunched', data: { ...launchedData, discountPct: 100 } }]);
      spec.given([]).when({ ...launch, discountPct: 0.29 }).then([{ type: 'PromotionLaunched', data: { ...launchedData, discountPct: 0.29 } }]);
    });

    it(`refuses to launch twice (${promotionRules.launchedOnce.id})`, () =>
      spec.given([launched]).when(launch).thenRefuses(promotionRules.launchedOnce));

    it(`refuses a window that ends when it starts (${promotionRules.endsAfterStart.id})`, () =>
      spec.given([]).when({ ...launch, validTo: launch.validFrom }).thenRefuses(promotionRules.endsAfterStart));

    it(`refuses a window that ends before it starts (${promotionRules.endsAfterStart.id})`, () =>
      spec.given([]).when({ ...launch, validTo: '2026-11-01T00:00:00.000Z' }).thenRefuses(promotionRules.endsAfterStart));

    it(`refuses a 0% discount (${promotionRules.discountRange.id})`, () =>
      spec.given([]).when({ ...launch, discountPct: 0 }).thenRefuses(promotionRules.discountRange));

    it(`refuses a discount above 100% (${promotionRules.discountRange.id})`, () =>
      spec.given([]).when({ ...launch, discountPct: 100.01 }).thenRefuses(promotionRules.discountRange));

    it(`refuses a discount with three decimals (${promotionRules.discountRange.id})`, () =>
      spec.given([]).when({ ...launch, discountPct: 12.345 }).thenRefuses(promotionRules.discountRange));

    it(`refuses a promotion on no product (${promotionRules.coversProducts.id})`, () =>
      spec.given([]).when({ ...launch, skus: [] }).thenRefuses(promotionRules.coversProducts));
  });

  describe('ending early', () => {
    const during = { now: '2026-11-25T12:00:00.000Z' };

    it('ends a running promotion at the present instant', () =>
      spec.given([launched]).when({ type: 'EndPromotion', reason: 'stock ran out' }, during).then([ended]));

    it(`refuses to end a promotion that has not started (${promotionRules.endOnlyRunning.id})`, () =>
      spec
        .given([launched])
        .when({ type: 'EndPromotion', reason: 'stock ran out' }, { now: '2026-11-19T23:59:59.999Z' })
        .thenRefuses(promotionRules.endOnlyRunning, /not now/));

    it(`refuses to end a promotion whose window is over (${promotionRules.endOnlyRunning.id})`, () =>
      spec
        .given([launched])
        .when({ type: 'EndPromotion', reason: 'stock ran out' }, { now: '2026-12-01T00:00:00.000Z' })
        .thenRefuses(promotionRules.endOnlyRunning));

    it(`refuses to end a promotion twice (${promotionRules.endOnlyRunning.id})`, () =>
      spec
        .given([launched, ended])
        .when({ type: 'EndPromotion', reason: 'again' }, { now: '2026-11-26T00:00:00.000Z' })
        .thenRefuses(promotionRules.endOnlyRunning, /already ended/));

    it(`refuses to end a promotion never launched (${promotionRules.endOnlyRunning.id})`, () =>
      spec.given([]).when({ type: 'EndPromotion', reason: 'x' }, during).thenRefuses(promotionRules.endOnlyRunning, /never launched/));

    it(`refuses to end early without a reason (${promotionRules.endNeedsReason.id})`, () =>
      spec.given([launched]).when({ type: 'EndPromotion', reason: '  ' }, during).thenRefuses(promotionRules.endNeedsReason));
  });

  describe('whether it applies', () => {
    const factsAfter = (events: PromotionEvent[]): PromotionFacts => {
      const facts = promotionFacts(events.reduce(promotionDecider.evolve, promotionDecider.initialState()));
      if (!facts) throw new Error('the promotion was never launched');
      return facts;
    };
    const facts = factsAfter([launched]);
    const target = { sku: 'FW-100', customerTier: 'gold', customerRegion: 'east', at: '2026-11-25T00:00:00.000Z' };

    it('applies to a covered sku, for an eligible customer, inside the window', () => expect(promotionApplies(facts, target)).toEqual({ ok: true }));

    it('applies from the first instant of the window', () =>
      expect(promotionApplies(facts, { ...target, at: '2026-11-20T00:00:00.000Z' })).toEqual({ ok: true }));

    it('does not apply before the window', () =>
      expect(promotionApplies(facts, { ...target, at: '2026-11-19T23:59:59.999Z' })).toMatchObject({ ok: false, reason: 'outside_window' }));

    it('does not apply at the instant the window closes', () =>
      expect(promotionApplies(facts, { ...target, at: '2026-12-01T00:00:00.000Z' })).toMatchObject({ ok: false, reason: 'outside_window' }));

    it('does not apply to a sku it does not cover', () =>
      expect(promotionApplies(facts, { ...target, sku: 'EDR-1' })).toMatchObject({ ok: false, reason: 'sku_not_covered' }));

    it('does not apply to another tier, or to a customer without one', () => {
      expect(promotionApplies(facts, { ...target, customerTier: 'silver' })).toMatchObject({ ok: false, reason: 'not_eligible' });
      expect(promotionApplies(facts, { sku: 'FW-100', customerRegion: 'east', at: target.at })).toMatchObject({ ok: false, reason: 'not_eligible' });
    });

    it('does not apply in another region', () =>
      expect(promotionApplies(facts, { ...target, customerRegion: 'west' })).toMatchObject({ ok: false, reason: 'not_eligible' }));

    it('places no restriction where eligibility lists are missing or empty', () =>
      expect(promotionApplies({ ...facts, eligibility: { tiers: [] } }, { ...target, customerTier: undefined, customerRegion: 'west' })).toEqual({
        ok: true,
      }));

    it('applies before it was ended, and not from the moment it ended', () => {
      const endedFacts = factsAfter([launched, ended]);
      expect(endedFacts.endedAt).toBe('2026-11-25T12:00:00.000Z');
      expect(promotionApplies(endedFacts, { ...target, at: '2026-11-25T11:59:59.999Z' })).toEqual({ ok: true });
      expect(promotionApplies(endedFacts, { ...target, at: '2026-11-25T12:00:00.000Z' })).toMatchObject({ ok: false, reason: 'ended' });
    });

    it('has no facts for a promotion never launched', () => expect(promotionFacts(promotionDecider.initialState())).toBeUndefined());
  });
});
