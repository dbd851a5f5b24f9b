import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';

/**
 * Exchange rates finance records as data, one stream per pair of currencies: a deal in another
 * currency than an incentive plan's is converted at the rate valid on the day it is credited,
 * and the statement line names the rate. A rate is a decimal string, never a float, so a
 * conversion is exact until it is rounded once.
 */
export const FX_RATE_CATEGORY = 'fxrate';
export const fxPairId = (from: string, to: string) => `${from}-${to}`;
export const fxRateStreamId = (pairId: string) => `${FX_RATE_CATEGORY}-${pairId}`;

/** Units of `to` for one unit of `from`: up to 12 digits before the point and 8 after. */
export const RATE_PATTERN = /^\d{1,12}(\.\d{1,8})?$/;
export const Rate = z.string().regex(RATE_PATTERN, 'a decimal such as 7.1234, at most 8 decimals');

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const fxRateEventSchemas = {
  FxRateRecorded: z.object({
    from: z.string(),
    to: z.string(),
    rate: Rate,
    /** The company day from which it is the rate in use, until a later one. */
    validOn: z.iso.date(),
    recordedBy: z.string(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type FxRateEvent = EventOf<typeof fxRateEventSchemas>;

// State

export type FxRates = { days: readonly string[] };

export const initialState = (): FxRates => ({ days: [] });

export const evolve = (state: FxRates, event: FxRateEvent): FxRates => ({ days: [...state.days, event.data.validOn] });

// Commands

export type RecordFxRate = { type: 'RecordFxRate'; from: string; to: string; rate: string; validOn: string };
export type FxRateCommand = RecordFxRate;

export const fxRateRules = {
  twoCurrencies: { id: 'FX-01', name: 'A rate converts one currency into another' },
  positiveRate: { id: 'FX-02', name: 'A rate is above zero' },
  oneRateADay: { id: 'FX-03', name: 'A pair of currencies has one rate a day' },
  recordedByFinance: { id: 'FX-04', name: 'Rates are recorded by finance or an admin' },
} as const satisfies Record<string, Rule>;

const RECORDING_ROLES: readonly string[] = ['finance', 'admin'];

/** A rate as an exact fraction: the digits as an integer over a power of ten. */
export const rateFraction = (rate: string): { numerator: bigint; denominator: bigint } => {
  const [whole, decimals = ''] = rate.split('.');
  return { numerator: BigInt(`${whole}${decimals}`), denominator: 10n ** BigInt(decimals.length) };
};

export const decide = (command: FxRateCommand, state: FxRates, context: DecisionContext): FxRateEvent[] | Refusal => {
  const { from, to, rate, validOn } = command;
  if (!RECORDING_ROLES.includes(context.actor.role)) return refuse(fxRateRules.recordedByFinance, `A ${context.actor.role} cannot record a rate`);
  if (from === to) return refuse(fxRateRules.twoCurrencies, `${from} to ${to} converts nothing`);
  if (rateFraction(rate).numerator === 0n) return refuse(fxRateRules.positiveRate, `${rate} is not a rate`);
  if (state.days.includes(validOn)) return refuse(fxRateRules.oneRateADay, `${from} to ${to} already has a rate on ${validOn}`);
  return [{ type: 'FxRateRecorded', data: { from, to, rate, validOn, recordedBy: context.actor.id } }];
};

export const fxRateDecider: Decider<FxRates, FxRateCommand, FxRateEvent> = { initialState, evolve, decide };

export const fxRateAggregate: Aggregate<FxRates, FxRateCommand, FxRateEvent> = {
  category: FX_RATE_CATEGORY,
  name: 'Exchange rate',
  streamId: fxRateStreamId,
  decider: fxRateDecider,
  events: fxRateEventSchemas,
};
