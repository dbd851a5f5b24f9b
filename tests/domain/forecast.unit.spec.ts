import { describe, expect, it } from 'vitest';
import { forecastDecider, forecastEventSchemas, forecastRules, forecastStreamId, type ForecastEvent } from '../../domain/forecast/forecast.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const pipeline = {
  position: 41,
  policyRevision: 1,
  owners: [{ ownerId: 'rep-1', team: 'east', currency: 'CNY', openCount: 2, openMinor: '30000000', weightedMinor: '12500000' }],
};
/** 1 April 2026 begins at 16:00 UTC on 31 March, midnight in Beijing. */
const aprilStart = '2026-03-31T16:00:00.000Z';
const spec = deciderSpecification(forecastDecider, { ...defaultContext, now: '2026-03-31T16:00:05.000Z', actor: { id: 'deadline-watcher', role: 'system' }, pipeline });
const taken: ForecastEvent = {
  type: 'ForecastSnapshotTaken',
  data: { period: '2026-04', periodStart: aprilStart, takenAt: '2026-03-31T16:00:05.000Z', ...pipeline },
};

describe('Forecast snapshot', () => {
  it('lives in one stream per month', () => expect(forecastStreamId('2026-04')).toBe('forecast-2026-04'));
  it('records every seller\'s open and weighted pipeline as the month began, and the log position it counted', () =>
    spec.given([]).when({ type: 'TakeForecastSnapshot', period: '2026-04' }).then([taken]));
  it(`is taken once (${forecastRules.takenOnce.id})`, () => spec.given([taken]).when({ type: 'TakeForecastSnapshot', period: '2026-04' }).thenRefuses(forecastRules.takenOnce));
  it(`is not taken before its month begins in Beijing (${forecastRules.takenOnceBegun.id})`, () =>
    spec.given([]).when({ type: 'TakeForecastSnapshot', period: '2026-04' }, { now: '2026-03-31T15:59:59.000Z' }).thenRefuses(forecastRules.takenOnceBegun));
  it(`is taken for a month, not a quarter or a day (${forecastRules.calendarMonth.id})`, () => {
    spec.given([]).when({ type: 'TakeForecastSnapshot', period: '2026-Q2' }).thenRefuses(forecastRules.calendarMonth);
    spec.given([]).when({ type: 'TakeForecastSnapshot', period: '2026-13' }).thenRefuses(forecastRules.calendarMonth);
  });
  it('writes events that satisfy their stored schemas', () => expect(() => forecastEventSchemas.ForecastSnapshotTaken.parse(taken.data)).not.toThrow());
});
