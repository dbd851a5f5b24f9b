import { z } from 'zod';
import { basisPoints, hasAtMostTwoDecimals } from '../shared/percent.js';
import type { Aggregate } from '../shared/aggregate.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';

export const PROMOTION_CATEGORY = 'promotion';
export const promotionStreamId = (promotionId: string) => `${PROMOTION_CATEGORY}-${promotionId}`;

const instant = (iso: string) => Date.parse(iso);

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

/** Who may have the promotion; a missing or empty list places no restriction. */
export const Eligibility = z.object({
  tiers: z.array(z.string()).optional(),
  regions: z.array(z.string()).optional(),
});
export type Eligibility = z.infer<typeof Eligibility>;

export const promotionEventSchemas = {
  PromotionLaunched: z.object({
    promotionId: z.string(),
    name: z.string(),
    skus: z.array(z.string()),
    discountPct: z.number(),
    validFrom: z.iso.datetime(),
    validTo: z.iso.datetime(),
    eligibility: Eligibility,
  }),
  PromotionEnded: z.object({
    promotionId: z.string(),
    reason: z.string(),
    endedAt: z.iso.datetime(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type PromotionEvent = EventOf<typeof promotionEventSchemas>;

// State

export type Promotion =
  | { status: 'none' }
  | {
      status: 'launched' | 'ended';
      promotionId: string;
      name: string;
      skus: string[];
      discountPct: number;
      validFrom: string;
      validTo: string;
      eligibility: Eligibility;
      endedAt?: string;
    };

export const initialState = (): Promotion => ({ status: 'none' });

export const evolve = (state: Promotion, event: PromotionEvent): Promotion => {
  switch (event.type) {
    case 'PromotionLaunched':
      return { status: 'launched', ...event.data };
    case 'PromotionEnded':
      return state.status === 'none' ? state : { ...state, status: 'ended', endedAt: event.data.endedAt };
  }
};

/** What a quote may know of a promotion when it decides. */
export type PromotionFacts = {
  readonly promotionId: string;
  readonly name: string;
  readonly skus: readonly string[];
  readonly discountPct: number;
  readonly validFrom: string;
  readonly validTo: string;
  readonly eligibility: Eligibility;
  /** Set when the promotion was ended early; it no longer applies from this instant. */
  readonly endedAt?: string;
};

/** The facts of a promotion, or undefined when it was never launched (a NotFound for the caller). */
export const promotionFacts = (state: Promotion): PromotionFacts | undefined => {
  if (state.status === 'none') return undefined;
  const { promotionId, name, skus, discountPct, validFrom, validTo, eligibility, endedAt } = state;
  return { promotionId, name, skus, discountPct, validFrom, validTo, eligibility, ...(endedAt ? { endedAt } : {}) };
};

export type PromotionMiss = 'ended' | 'outside_window' | 'sku_not_covered' | 'not_eligible';

export type PromotionFit = { ok: true } | { ok: false; reason: PromotionMiss; detail: string };

const admits = (allowed: readonly string[] | undefined, value: string | undefined) =>
  !allowed?.length || (value !== undefined && allowed.includes(value));

/** Whether a promotion may be used on this sku, for this customer, at this instant. The window is [validFrom, validTo). */
export const promotionApplies = (
  promo: PromotionFacts,
  target: { sku: string; customerTier?: string; customerRegion: string; at: string },
): PromotionFit => {
  const at = instant(target.at);
  if (promo.endedAt !== undefined && at >= instant(promo.endedAt)) {
    return { ok: false, reason: 'ended', detail: `Promotion ${promo.promotionId} was ended at ${promo.endedAt}` };
  }
  if (!(at >= instant(promo.validFrom) && at < instant(promo.validTo))) {
    return { ok: false, reason: 'outside_window', detail: `Promotion ${promo.promotionId} runs from ${promo.validFrom} to ${promo.validTo}` };
  }
  if (!promo.skus.includes(target.sku)) {
    return { ok: false, reason: 'sku_not_covered', detail: `Promotion ${promo.promotionId} does not cover ${target.sku}` };
  }
  if (!admits(promo.eligibility.tiers, target.customerTier) || !admits(promo.eligibility.regions, target.customerRegion)) {
    return {
      ok: false,
      reason: 'not_eligible',
      detail: `Promotion ${promo.promotionId} is not offered to tier ${target.customerTier ?? '(none)'} in region ${target.customerRegion}`,
    };
  }
  return { ok: true };
};

// Commands

export type LaunchPromotion = {
  type: 'LaunchPromotion';
  promotionId: string;
  name: string;
  skus: string[];
  discountPct: number;
  validFrom: string;
  validTo: string;
  eligibility: Eligibility;
};
export type EndPromotion = { type: 'EndPromotion'; reason: string };

export type PromotionCommand = LaunchPromotion | EndPromotion;

export const promotionRules = {
  launchedOnce: { id: 'PROMO-01', name: 'A promotion is launched once' },
  endsAfterStart: { id: 'PROMO-02', name: 'A promotion ends after it starts' },
  discountRange: { id: 'PROMO-03', name: 'A promotion takes off more than 0% and at most 100%, to two decimals' },
  coversProducts: { id: 'PROMO-04', name: 'A promotion names the products it covers' },
  endOnlyRunning: { id: 'PROMO-05', name: 'Only a running promotion is ended early' },
  endNeedsReason: { id: 'PROMO-06', name: 'Ending a promotion early needs a reason' },
} as const satisfies Record<string, Rule>;

export const decide = (command: PromotionCommand, state: Promotion, context: DecisionContext): PromotionEvent[] | Refusal => {
  switch (command.type) {
    case 'LaunchPromotion': {
      if (state.status !== 'none') return refuse(promotionRules.launchedOnce, `Promotion ${state.promotionId} is already launched`);
      if (!(instant(command.validTo) > instant(command.validFrom))) {
        return refuse(promotionRules.endsAfterStart, `The window ${command.validFrom} to ${command.validTo} does not end after it starts`);
      }
      const bps = basisPoints(command.discountPct);
      if (!hasAtMostTwoDecimals(command.discountPct) || bps <= 0 || bps > 10_000) {
        return refuse(promotionRules.discountRange, `A discount of ${command.discountPct}% is not between 0% (excluded) and 100%, to two decimals`);
      }
      if (command.skus.length === 0) return refuse(promotionRules.coversProducts, 'The promotion covers no product');
      const { promotionId, name, skus, discountPct, validFrom, validTo, eligibility } = command;
      return [{ type: 'PromotionLaunched', data: { promotionId, name, skus, discountPct, validFrom, validTo, eligibility } }];
    }
    case 'EndPromotion': {
      if (state.status === 'none') return refuse(promotionRules.endOnlyRunning, 'The promotion was never launched');
      if (state.status === 'ended') return refuse(promotionRules.endOnlyRunning, `Promotion ${state.promotionId} already ended at ${state.endedAt}`);
      const now = instant(context.now);
      if (!(now >= instant(state.validFrom) && now < instant(state.validTo))) {
        return refuse(promotionRules.endOnlyRunning, `Promotion ${state.promotionId} runs from ${state.validFrom} to ${state.validTo}, not now`);
      }
      if (!command.reason.trim()) return refuse(promotionRules.endNeedsReason, 'Say why the promotion ends early');
      return [{ type: 'PromotionEnded', data: { promotionId: state.promotionId, reason: command.reason, endedAt: context.now } }];
    }
  }
};

export const promotionDecider: Decider<Promotion, PromotionCommand, PromotionEvent> = { initialState, evolve, decide };

export const promotionAggregate: Aggregate<Promotion, PromotionCommand, PromotionEvent> = {
  category: PROMOTION_CATEGORY,
  name: 'Promotion',
  streamId: promotionStreamId,
  decider: promotionDecider,
  events: promotionEventSchemas,
};
