import type { Touch } from './facts.js';

/**
 * Attribution (articles 30-35): how much of a deal's amount each campaign or partner that touched it
 * is credited with. The model is named in every question, since each answers a different one:
 * first touch credits what opened the door, last touch what closed it, linear shares it evenly.
 */
export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch', 'linear'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export type Credit = { readonly id: string; readonly minor: bigint };

/**
 * The touches of one kind, each campaign or partner once at its first touch, earliest first (ties in
 * the order they were recorded).
 */
export const distinctTouches = (touches: readonly Touch[], kind: Touch['kind']): Touch[] => {
  const first = new Map<string, Touch>();
  for (const touch of touches) {
    if (touch.kind !== kind) continue;
    const seen = first.get(touch.id);
    if (!seen || Date.parse(touch.at) < Date.parse(seen.at)) first.set(touch.id, touch);
  }
  return [...first.values()].map((touch, order) => ({ touch, order })).sort((a, b) => Date.parse(a.touch.at) - Date.parse(b.touch.at) || a.order - b.order).map(({ touch }) => touch);
};

/**
 * Splits an amount (minor units) among the touches of one kind under a model. Linear gives each an
 * equal share rounded down and the minor units left over one each to the earliest, so the credits
 * always add up to the amount. No touch, no credit.
 */
export const attribute = (model: AttributionModel, touches: readonly Touch[], kind: Touch['kind'], amountMinor: bigint): Credit[] => {
  const ordered = distinctTouches(touches, kind);
  if (ordered.length === 0) return [];
  switch (model) {
    case 'first_touch':
      return [{ id: ordered[0]!.id, minor: amountMinor }];
    case 'last_touch':
      return [{ id: ordered.at(-1)!.id, minor: amountMinor }];
    case 'linear': {
      const count = BigInt(ordered.length);
      const share = amountMinor / count;
      const leftOver = amountMinor - share * count;
      return ordered.map((touch, i) => ({ id: touch.id, minor: share + (BigInt(i) < leftOver ? 1n : 0n) }));
    }
  }
};
