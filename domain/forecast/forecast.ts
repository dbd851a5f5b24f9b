import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { decideByCommand, refuse, type Decider, type EventOf, type Rule } from '../shared/decider.js';
import { periodOfKey } from '../shared/periods.js';

/**
 * The forecast as it stood when a month began (article 19): every seller's open pipeline, and that
 * pipeline weighed by the stage probabilities of the policy then in force. Taken once per month by
 * the deadline watcher, as the month starts; a quarter's forecast is the one taken as its first
 * month began. Forecast accuracy compares it with what was won in the period.
 */
export const FORECAST_CATEGORY = 'forecast';
/** One stream per month: `forecast-2026-04`. */
export const forecastStreamId = (month: string) => `${FORECAST_CATEGORY}-${month}`;

const Digits = z.string().regex(/^\d+$/, 'a whole number of minor units, as decimal digits');

/** One seller's open pipeline in one currency; sums are decimal strings, exact however many deals add up. */
export const OwnerForecast = z.object({
  ownerId: z.string(),
  /** The seller's team when the month began; null for an owner on no roster. */
  team: z.string().nullable(),
  currency: z.string(),
  openCount: z.number().int().nonnegative(),
  openMinor: Digits,
  weightedMinor: Digits,
});
export type OwnerForecast = z.infer<typeof OwnerForecast>;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const forecastEventSchemas = {
  ForecastSnapshotTaken: z.object({
    /** The month, 2026-04. */
    period: z.string(),
    periodStart: z.iso.datetime(),
    takenAt: z.iso.datetime(),
    /** The last position of the log counted: every event up to the month's first instant; null when the log held none. */
    position: z.number().int().nullable(),
    policyRevision: z.number().int().positive(),
    owners: z.array(OwnerForecast),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type ForecastEvent = EventOf<typeof forecastEventSchemas>;

// State

export type ForecastSnapshot = { status: 'none' } | { status: 'taken'; period: string; takenAt: string };

export const initialState = (): ForecastSnapshot => ({ status: 'none' });

export const evolve = (_state: ForecastSnapshot, event: ForecastEvent): ForecastSnapshot => {
  switch (event.type) {
    case 'ForecastSnapshotTaken':
      return { status: 'taken', period: event.data.period, takenAt: event.data.takenAt };
  }
};

// Commands

export type TakeForecastSnapshot = { type: 'TakeForecastSnapshot'; period: string };

export type ForecastCommand = TakeForecastSnapshot;

/** The pipeline as it stood at the month's first instant, replayed from the log, with the policy that weighed it. */
export type PipelineAtPeriodStart = {
  readonly position: number | null;
  readonly policyRevision: number;
  readonly owners: readonly OwnerForecast[];
};

export type ForecastFacts = { readonly TakeForecastSnapshot: { readonly pipeline: PipelineAtPeriodStart } };

export const forecastRules = {
  takenOnce: { id: 'FCS-01', name: "A month's forecast is taken once" },
  takenOnceBegun: { id: 'FCS-02', name: 'A forecast is taken only once its month has begun' },
  calendarMonth: { id: 'FCS-03', name: 'A forecast is taken for a month of the company calendar' },
} as const satisfies Record<string, Rule>;

export const decide = decideByCommand<ForecastSnapshot, ForecastCommand, ForecastEvent, ForecastFacts>({
  TakeForecastSnapshot: ({ period }, state, context) => {
    if (state.status !== 'none') return refuse(forecastRules.takenOnce, `The forecast of ${state.period} was taken at ${state.takenAt}`);
    const month = periodOfKey(period);
    if (month?.kind !== 'month') return refuse(forecastRules.calendarMonth, `${period} is not a month such as 2026-04`);
    if (Date.parse(context.now) < Date.parse(month.start)) return refuse(forecastRules.takenOnceBegun, `${period} begins at ${month.start}`);
    const { position, policyRevision, owners } = context.pipeline;
    return [{ type: 'ForecastSnapshotTaken', data: { period, periodStart: month.start, takenAt: context.now, position, policyRevision, owners: [...owners] } }];
  },
});

export const forecastDecider: Decider<ForecastSnapshot, ForecastCommand, ForecastEvent, ForecastFacts> = { initialState, evolve, decide };

export const forecastAggregate: Aggregate<ForecastSnapshot, ForecastCommand, ForecastEvent, ForecastFacts> = {
  category: FORECAST_CATEGORY,
  name: 'Forecast',
  streamId: forecastStreamId,
  decider: forecastDecider,
  events: forecastEventSchemas,
};
