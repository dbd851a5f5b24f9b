import { describe, expect, it } from 'vitest';
import {
  promiseDecider,
  promiseEventSchemas,
  promiseRules,
  STATEMENT_MAX_CHARS,
  type PromiseEvent,
  type RecordPromise,
} from '../../domain/promise/promise.js';
import { deciderSpecification, defaultContext } from '../support/deciderSpecification.js';

const onRoster = (actorId: string) => ({ actorId, role: 'sales_rep', managerId: 'mgr-1', active: true });
/** rep-1 made the promise, under mgr-1. */
const context = { ...defaultContext, policyVersion: 3, opportunity: { customerId: 'c1' }, owner: onRoster('rep-1'), seller: onRoster('rep-1') };
const spec = deciderSpecification(promiseDecider, context);
const now = context.now; // 2026-11-27

const record: RecordPromise = {
  type: 'RecordPromise',
  promiseId: 'pr1',
  customerId: 'c1',
  opportunityId: 'o1',
  kind: 'sla',
  statement: '我们保证 99.99% 的可用性,4 小时内响应。',
  sku: 'SOC-MANAGED',
  committed: { availabilityPct: 99.99, responseHours: 4 },
  dueDate: '2027-03-31',
  madeBy: 'rep-1',
};
const recorded: PromiseEvent = {
  type: 'PromiseRecorded',
  data: {
    promiseId: 'pr1',
    customerId: 'c1',
    opportunityId: 'o1',
    kind: 'sla',
    statement: '我们保证 99.99% 的可用性,4 小时内响应。',
    sku: 'SOC-MANAGED',
    committed: { availabilityPct: 99.99, responseHours: 4 },
    dueDate: '2027-03-31',
    madeBy: 'rep-1',
    recordedAt: now,
    policyVersion: 3,
  },
};
const fulfilled: PromiseEvent = { type: 'PromiseFulfilled', data: { promiseId: 'pr1', customerId: 'c1', evidence: 'Q1 SLA report: 99.995%' } };
const broken: PromiseEvent = { type: 'PromiseBroken', data: { promiseId: 'pr1', customerId: 'c1', reason: 'outage of 6 hours in March' } };
const withdrawn: PromiseEvent = { type: 'PromiseWithdrawn', data: { promiseId: 'pr1', customerId: 'c1', reason: 'recorded against the wrong customer' } };
const overdue: PromiseEvent = { type: 'PromiseWentOverdue', data: { promiseId: 'pr1', customerId: 'c1', dueDate: '2027-03-31' } };
const afterDue = { now: '2027-03-31T16:00:01.000Z' };

describe('Promise', () => {
  describe('recording', () => {
    it('records what was said, by whom, when, and under which policy', () => spec.given([]).when(record).then([recorded]));

    it("records an exaggerated promise as said: judging it is the compliance check's job", () =>
      spec
        .given([])
        .when({ ...record, statement: 'Guaranteed 100% uptime, never any breach', committed: { availabilityPct: 100 } })
        .then([
          {
            type: 'PromiseRecorded',
            data: { ...recorded.data, statement: 'Guaranteed 100% uptime, never any breach', committed: { availabilityPct: 100 } },
          },
        ]));

    it('records without a policy version when none is known', () => {
      const { policyVersion: _, ...withoutPolicy } = recorded.data;
      return spec.given([]).when(record, { policyVersion: undefined }).then([{ type: 'PromiseRecorded', data: withoutPolicy }]);
    });

    it('records a capability promise with its capability and sku', () =>
      spec
        .given([])
        .when({ ...record, opportunityId: undefined, kind: 'capability', sku: 'NGFW-X1', committed: { capability: 'detects encrypted C2 traffic' } })
        .then([
          {
            type: 'PromiseRecorded',
            data: {
              promiseId: 'pr1',
              customerId: 'c1',
              kind: 'capability',
              statement: record.statement,
              sku: 'NGFW-X1',
              committed: { capability: 'detects encrypted C2 traffic' },
              dueDate: '2027-03-31',
              madeBy: 'rep-1',
              recordedAt: now,
              policyVersion: 3,
            },
          },
        ]));

    it('accepts kinds that need no figure (support, other)', () =>
      spec
        .given([])
        .when({ ...record, kind: 'support', sku: undefined, committed: {} })
        .then([
          {
            type: 'PromiseRecorded',
            data: {
              promiseId: 'pr1',
              customerId: 'c1',
              opportunityId: 'o1',
              kind: 'support',
              statement: record.statement,
              committed: {},
              dueDate: '2027-03-31',
              madeBy: 'rep-1',
              recordedAt: now,
              policyVersion: 3,
            },
          },
        ]));

    it('may be due the day it is made', () =>
      spec
        .given([])
        .when({ ...record, dueDate: '2026-11-27' })
        .then([{ type: 'PromiseRecorded', data: { ...recorded.data, dueDate: '2026-11-27' } }]));

    it(`accepts a statement of exactly ${STATEMENT_MAX_CHARS} Chinese characters (${promiseRules.statementRecorded.id})`, () => {
      const statement = '承'.repeat(STATEMENT_MAX_CHARS);
      return spec.given([]).when({ ...record, statement }).then([{ type: 'PromiseRecorded', data: { ...recorded.data, statement } }]);
    });

    it(`refuses a second recording (${promiseRules.recordedOnce.id})`, () => spec.given([recorded]).when(record).thenRefuses(promiseRules.recordedOnce));

    it(`refuses an empty statement (${promiseRules.statementRecorded.id})`, () =>
      spec.given([]).when({ ...record, statement: '  ' }).thenRefuses(promiseRules.statementRecorded, /empty/));

    it(`refuses a statement over ${STATEMENT_MAX_CHARS} characters (${promiseRules.statementRecorded.id})`, () =>
      spec
        .given([])
        .when({ ...record, statement: '承'.repeat(STATEMENT_MAX_CHARS + 1) })
        .thenRefuses(promiseRules.statementRecorded, /2001/));

    it.each([
      ['capability', undefined, { capability: 'sandboxing' }, /sku/],
      ['capability', 'NGFW-X1', {}, /capability/],
      ['sla', 'SOC-MANAGED', { capability: 'x' }, /availability or a response time/],
      ['delivery', undefined, {}, /delivery date/],
      ['price', undefined, { deliveryDate: '2027-01-01' }, /price/],
    ] as const)(`refuses a %s promise without its figure (${promiseRules.committedForKind.id})`, (kind, sku, committed, detail) =>
      spec.given([]).when({ ...record, kind, sku, committed }).thenRefuses(promiseRules.committedForKind, detail));

    it.each([
      [{ availabilityPct: 100.5 }, /100.5%/],
      [{ availabilityPct: -1 }, /-1%/],
      [{ responseHours: -2 }, /-2 hours/],
      [{ availabilityPct: 99.9, price: { minor: -100, currency: 'CNY' } }, /negative price/],
    ])(`refuses an impossible figure %j (${promiseRules.committedFiguresPossible.id})`, (committed, detail) =>
      spec.given([]).when({ ...record, committed }).thenRefuses(promiseRules.committedFiguresPossible, detail));

    it(`refuses a promise due before it was made (${promiseRules.dueNotBeforeMade.id})`, () =>
      spec.given([]).when({ ...record, dueDate: '2026-11-26' }).thenRefuses(promiseRules.dueNotBeforeMade, /2026-11-26/));

    it(`records a promise tied to a deal of the same customer (${promiseRules.opportunityOfCustomer.id})`, () =>
      spec.given([]).when(record, { opportunity: { customerId: 'c1' } }).then([recorded]));

    it(`records a promise tied to no deal, whatever opportunity the context holds (${promiseRules.opportunityOfCustomer.id})`, () => {
      const { opportunityId: _none, ...withoutDeal } = recorded.data;
      return spec
        .given([])
        .when({ ...record, opportunityId: undefined }, { opportunity: { customerId: 'c2' } })
        .then([{ type: 'PromiseRecorded', data: withoutDeal }]);
    });

    it(`refuses a promise tied to another customer's deal (${promiseRules.opportunityOfCustomer.id})`, () =>
      spec.given([]).when(record, { opportunity: { customerId: 'c2' } }).thenRefuses(promiseRules.opportunityOfCustomer, /o1 belongs to customer c2, not c1/));

    it(`refuses a promise tied to a deal the context does not know, though the application answers that with NotFound first (${promiseRules.opportunityOfCustomer.id})`, () =>
      spec.given([]).when(record, { opportunity: undefined }).thenRefuses(promiseRules.opportunityOfCustomer, /not known/));
  });

  describe('whose promise it is (article 36)', () => {
    const manager = { actor: { id: 'mgr-1', role: 'sales_manager' } };
    const otherManager = { actor: { id: 'mgr-2', role: 'sales_manager' } };
    const { type: _type, madeBy: _seller, ...said } = record;
    const onBehalf = { type: 'RecordPromiseOnBehalf' as const, ...said, madeBy: 'rep-1' };

    it('records the seller as whoever records it', () => {
      const { madeBy: _none, ...withoutSeller } = record;
      spec.given([]).when(withoutSeller).then([recorded]);
    });

    it(`refuses a seller naming someone else as the one who made it (${promiseRules.madeByRecorder.id})`, () =>
      spec.given([]).when({ ...record, madeBy: 'rep-2' }).thenRefuses(promiseRules.madeByRecorder, /cannot record a promise in rep-2's name/));

    it("lets the seller's manager record it in the seller's name, and says so", () =>
      spec.given([]).when(onBehalf, manager).then([{ type: 'PromiseRecorded', data: { ...recorded.data, recordedBy: 'mgr-1' } }]));

    it(`refuses a manager of another team, a fellow rep, or anyone recording in their own name that way (${promiseRules.madeByRecorder.id})`, () => {
      spec.given([]).when(onBehalf, otherManager).thenRefuses(promiseRules.madeByRecorder, /neither rep-1's manager nor an admin/);
      spec.given([]).when(onBehalf, { actor: { id: 'rep-2', role: 'sales_rep' } }).thenRefuses(promiseRules.madeByRecorder);
      spec.given([]).when(onBehalf).thenRefuses(promiseRules.madeByRecorder);
    });

    it(`refuses anyone but the seller, their manager or an admin settling it (${promiseRules.settledBySeller.id})`, () => {
      spec.given([recorded]).when({ type: 'FulfilPromise', evidence: 'report' }, { actor: { id: 'rep-2', role: 'sales_rep' } }).thenRefuses(promiseRules.settledBySeller);
      spec.given([recorded]).when({ type: 'BreakPromise', reason: 'x' }, otherManager).thenRefuses(promiseRules.settledBySeller);
      spec.given([recorded]).when({ type: 'WithdrawPromise', reason: 'x' }, manager).then([{ type: 'PromiseWithdrawn', data: { promiseId: 'pr1', customerId: 'c1', reason: 'x' } }]);
    });
  });

  describe('outcome', () => {
    it('is fulfilled with evidence', () => spec.given([recorded]).when({ type: 'FulfilPromise', evidence: 'Q1 SLA report: 99.995%' }).then([fulfilled]));

    it('is fulfilled late, after going overdue', () =>
      spec.given([recorded, overdue]).when({ type: 'FulfilPromise', evidence: 'Q1 SLA report: 99.995%' }).then([fulfilled]));

    it('is broken with a reason', () => spec.given([recorded]).when({ type: 'BreakPromise', reason: 'outage of 6 hours in March' }).then([broken]));

    it('is withdrawn with a reason', () =>
      spec.given([recorded]).when({ type: 'WithdrawPromise', reason: 'recorded against the wrong customer' }).then([withdrawn]));

    it(`refuses a fulfilment without evidence (${promiseRules.outcomeExplained.id})`, () =>
      spec.given([recorded]).when({ type: 'FulfilPromise', evidence: '' }).thenRefuses(promiseRules.outcomeExplained, /evidence/));

    it(`refuses to break a promise without a reason (${promiseRules.outcomeExplained.id})`, () =>
      spec.given([recorded]).when({ type: 'BreakPromise', reason: ' ' }).thenRefuses(promiseRules.outcomeExplained, /broken/));

    it(`refuses to withdraw a promise without a reason (${promiseRules.outcomeExplained.id})`, () =>
      spec.given([recorded]).when({ type: 'WithdrawPromise', reason: '' }).thenRefuses(promiseRules.outcomeExplained, /withdrawn/));

    it(`refuses to break a fulfilled promise (${promiseRules.oneOutcome.id})`, () =>
      spec.given([recorded, fulfilled]).when({ type: 'BreakPromise', reason: 'x' }).thenRefuses(promiseRules.oneOutcome, /fulfilled/));

    it(`refuses to fulfil a broken promise (${promiseRules.oneOutcome.id})`, () =>
      spec.given([recorded, broken]).when({ type: 'FulfilPromise', evidence: 'x' }).thenRefuses(promiseRules.oneOutcome, /broken/));

    it(`refuses to withdraw a withdrawn promise (${promiseRules.oneOutcome.id})`, () =>
      spec.given([recorded, withdrawn]).when({ type: 'WithdrawPromise', reason: 'x' }).thenRefuses(promiseRules.oneOutcome, /withdrawn/));

    it(`refuses an outcome for a promise never recorded (${promiseRules.promiseMustExist.id})`, () =>
      spec.given([]).when({ type: 'FulfilPromise', evidence: 'x' }).thenRefuses(promiseRules.promiseMustExist));
  });

  describe('going overdue', () => {
    it('goes overdue the day after its due date', () => spec.given([recorded]).when({ type: 'MarkPromiseOverdue' }, afterDue).then([overdue]));

    it(`refuses on its due date (${promiseRules.overdueAfterDueDate.id})`, () =>
      spec
        .given([recorded])
        .when({ type: 'MarkPromiseOverdue' }, { now: '2027-03-31T15:59:59.999Z' })
        .thenRefuses(promiseRules.overdueAfterDueDate, /2027-03-31/));

    it(`refuses twice (${promiseRules.overdueOnce.id})`, () =>
      spec.given([recorded, overdue]).when({ type: 'MarkPromiseOverdue' }, afterDue).thenRefuses(promiseRules.overdueOnce, /already overdue/));

    it(`refuses a kept promise (${promiseRules.overdueOnce.id})`, () =>
      spec.given([recorded, fulfilled]).when({ type: 'MarkPromiseOverdue' }, afterDue).thenRefuses(promiseRules.overdueOnce, /fulfilled/));

    it(`refuses a promise never recorded (${promiseRules.promiseMustExist.id})`, () =>
      spec.given([]).when({ type: 'MarkPromiseOverdue' }, afterDue).thenRefuses(promiseRules.promiseMustExist));
  });

  it('writes events that satisfy their stored schemas', () => {
    for (const event of [recorded, fulfilled, broken, withdrawn, overdue]) {
      expect(() => promiseEventSchemas[event.type].parse(event.data)).not.toThrow();
    }
    const tooLong = { ...recorded.data, statement: 'x'.repeat(STATEMENT_MAX_CHARS + 1) };
    expect(promiseEventSchemas.PromiseRecorded.safeParse(tooLong).success).toBe(false);
  });
});
