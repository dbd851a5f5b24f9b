import { describe, it } from 'vitest';
import { fxRateDecider, fxRateRules, type FxRateEvent, type RecordFxRate } from '../../domain/fx/fxRate.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const finance = { actor: { id: 'fin-1', role: 'finance' } };
const spec = deciderSpecification(fxRateDecider, { ...defaultContext, ...finance });
const record: RecordFxRate = { type: 'RecordFxRate', from: 'USD', to: 'CNY', rate: '7.1234', validOn: '2026-11-01' };
const recorded: FxRateEvent = { type: 'FxRateRecorded', data: { from: 'USD', to: 'CNY', rate: '7.1234', validOn: '2026-11-01', recordedBy: 'fin-1' } };

describe('Exchange rate', () => {
  it('records a rate, as a decimal string, valid from a company day', () => spec.given([]).when(record).then([recorded]));
  it('records the next day\'s rate of the same pair', () =>
    spec.given([recorded]).when({ ...record, validOn: '2026-11-02', rate: '7.2' }).then([{ type: 'FxRateRecorded', data: { ...recorded.data, validOn: '2026-11-02', rate: '7.2' } }]));
  it('FX-01: refuses a rate from a currency into itself', () => spec.given([]).when({ ...record, to: 'USD' }).thenRefuses(fxRateRules.twoCurrencies));
  it('FX-02: refuses a rate of zero', () => spec.given([]).when({ ...record, rate: '0.00' }).thenRefuses(fxRateRules.positiveRate));
  it('FX-03: refuses a second rate for the same pair and day', () => spec.given([recorded]).when({ ...record, rate: '7.3' }).thenRefuses(fxRateRules.oneRateADay));
  it('FX-04: refuses a rate recorded by a sales manager', () => spec.given([]).when(record, { actor: { id: 'mgr-1', role: 'sales_manager' } }).thenRefuses(fxRateRules.recordedByFinance));
});
