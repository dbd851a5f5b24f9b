import type { Touch } from './facts.js';

/**
 * Attribution (articles 30-35): how much of a deal's amount each campaign or partner that touched it
 * is credited with. The model is named in every question, since each answers a different one:
 * first touch credits what opened the door, last touch what closed it, linear shares it evenly.
 */
export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch', 'linear'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export type Credit = { readonly id: string; readonly minor: bigint };

const byTime = (touches: readonly Touch[]) =>
  touches.map((touch, order) => ({ touch, order })).sort((a, b) => Date.parse(a.touch.at) - Date.parse(b.touch.at) || a.order - b.order).map(({ touch }) => touch);

/**
 * The campaigns (or partners) that touched a deal, each once, in the order of their first touch
 * (ties in the order they were recorded).
 */
export const distinctTouches = (touches: readonly Touch[], kind: Touch['kind']): Touch[] => {
  const first = new Map<string, Touch>();
  for (const touch of byTime(touches.filter((t) => t.kind === kind))) if (!first.has(touch.id)) first.set(touch.id, touch);
  return [...first.values()];
};

/**
 * Splits an amount (minor units) among the campaigns (or partners) that touched a deal, under a
 * model: first touch credits all of it to the one whose touch came first, last touch to the one
 * whose touch came last (one that touched again late is the last), linear shares it equally among
 * them, each counted once however often it touched, the minor units left over going one each to
 * the earliest, so the credits always add up to the amount. No touch, no credit.
 */
export const attribute = (model: AttributionModel, touches: readonly Touch[], kind: Touch['kind'], amountMinor: bigint): Credit[] => {
  const ordered = distinctTouches(touches, kind);
  if (ordered.length === 0) return [];
  switch (model) {
    case 'first_touch':
      return [{ id: ordered[0]!.id, minor: amountMinor }];
    case 'last_touch':
      return [{ id: byTime(touches.filter((t) => t.kind === kind)).at(-1)!.id, minor: amountMinor }];
    case 'linear': {
      const count = BigInt(ordered.length);
      const share = amountMinor / count;
      // A negative amount (a margin below cost) leaves negative minor units over, shared out the same way.
      const leftOver = amountMinor - share * count;
      const step = leftOver < 0n ? -1n : 1n;
      return ordered.map((touch, i) => ({ id: touch.id, minor: share + (BigInt(i) < leftOver * step ? step : 0n) }));
    }
  }
};
