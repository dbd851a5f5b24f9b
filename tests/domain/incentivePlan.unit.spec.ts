import { describe, it } from 'vitest';
import { incentivePlanDecider, incentivePlanRules, type CreateIncentivePlan, type IncentivePlanEvent, type PublishPlanRevision } from '../../domain/incentive/plan.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });
const finance = { actor: { id: 'fin-1', role: 'finance' } };
const spec = deciderSpecification(incentivePlanDecider, { ...defaultContext, ...finance, otherPlans: [] }); // now 2026-11-27

const create: CreateIncentivePlan = { type: 'CreateIncentivePlan', planId: 'plan-1', name: 'East 2027', currency: 'CNY', appliesTo: { teams: ['east'], reps: ['rep-9'] }, window: { from: '2026-12-01', to: '2028-01-01' } };
const created: IncentivePlanEvent = {
  type: 'IncentivePlanCreated',
  data: { planId: 'plan-1', name: 'East 2027', currency: 'CNY', appliesTo: { teams: ['east'], reps: ['rep-9'] }, window: { from: '2026-12-01', to: '2028-01-01' }, publicResults: false, createdBy: 'fin-1' },
};
const rules = {
  effectiveFrom: '2026-12-01',
  creditOn: 'order_completed',
  measure: 'bookings',
  tierMode: 'marginal',
  tiers: [
    { fromPct: 0, toPct: 50, ratePct: 2 },
    { fromPct: 50, toPct: 100, ratePct: 5 },
    { fromPct: 100, ratePct: 8 },
  ],
  cap: cny(5_000_000),
  spiffs: [{ sku: 'SOC-PLUS', amountPerUnit: cny(10_000), from: '2026-12-01', to: '2026-12-31' }],
  discountPenalty: { abovePct: 15, reducePct: 50 },
  compliance: { holdSeverities: ['high', 'critical'], deduct: { critical: { amount: cny(20_000) }, high: { pct: 5 } } },
  clawbackDays: 30,
} as const satisfies Omit<PublishPlanRevision, 'type'>;
const publish: PublishPlanRevision = { type: 'PublishPlanRevision', ...rules, tiers: [...rules.tiers], spiffs: [...rules.spiffs], compliance: { holdSeverities: [...rules.compliance.holdSeverities], deduct: rules.compliance.deduct } };
const { type: _t, ...published } = publish;
const revisionEvent = (n: number, changes: Partial<typeof published> = {}): IncentivePlanEvent => ({
  type: 'IncentivePlanRevisionPublished',
  data: { ...published, ...changes, planId: 'plan-1', revision: n, publishedBy: 'fin-1' },
});

describe('Incentive plan', () => {
  describe('creating', () => {
    it('creates a plan: its name, currency, whom it pays and its window', () => spec.given([]).when(create).then([created]));
    it('INC-01: refuses to create a plan twice', () => spec.given([created]).when(create).thenRefuses(incentivePlanRules.createdOnce));
    it('INC-02: refuses a plan that names no one', () => spec.given([]).when({ ...create, appliesTo: {} }).thenRefuses(incentivePlanRules.appliesToSomeone));
    it('INC-03: refuses a plan that names a team another plan pays over overlapping days', () =>
      spec
        .given([])
        .when(create, { otherPlans: [{ planId: 'plan-0', appliesTo: { teams: ['east'], reps: [] }, window: { from: '2026-01-01', to: '2026-12-02' } }] })
        .thenRefuses(incentivePlanRules.noOverlap, /team east/));
    it('INC-03: accepts a plan for the same team once the other plan has ended', () =>
      spec.given([]).when(create, { otherPlans: [{ planId: 'plan-0', appliesTo: { teams: ['east'], reps: [] }, window: { from: '2026-01-01', to: '2026-12-01' } }] }).then([created]));
    it('INC-04: refuses a window that ends before it starts', () =>
      spec.given([]).when({ ...create, window: { from: '2027-01-01', to: '2026-12-31' } }).thenRefuses(incentivePlanRules.windowEndsAfterStart));
    it('INC-05: refuses a plan created by a sales manager', () => spec.given([]).when(create, { actor: { id: 'mgr-1', role: 'sales_manager' } }).thenRefuses(incentivePlanRules.publishedByFinance));
  });

  describe('revising', () => {
    it('publishes revision 1, then revision 2 later', () => {
      spec.given([created]).when(publish).then([revisionEvent(1)]);
      spec.given([created, revisionEvent(1)]).when({ ...publish, effectiveFrom: '2027-01-01' }).then([revisionEvent(2, { effectiveFrom: '2027-01-01' })]);
    });
    it('INC-06: refuses tiers with a gap, an overlap, a first tier not from 0, or an open tier before the last', () => {
      spec.given([created]).when({ ...publish, tiers: [{ fromPct: 0, toPct: 50, ratePct: 2 }, { fromPct: 60, ratePct: 5 }] }).thenRefuses(incentivePlanRules.tiersContiguous, /starts at 60%/);
      spec.given([created]).when({ ...publish, tiers: [{ fromPct: 0, toPct: 50, ratePct: 2 }, { fromPct: 40, ratePct: 5 }] }).thenRefuses(incentivePlanRules.tiersContiguous);
      spec.given([created]).when({ ...publish, tiers: [{ fromPct: 10, ratePct: 2 }] }).thenRefuses(incentivePlanRules.tiersContiguous);
      spec.given([created]).when({ ...publish, tiers: [{ fromPct: 0, ratePct: 2 }, { fromPct: 50, ratePct: 5 }] }).thenRefuses(incentivePlanRules.tiersContiguous, /not the last/);
      spec.given([created]).when({ ...publish, tiers: [{ fromPct: 0, toPct: 100, ratePct: 2 }] }).thenRefuses(incentivePlanRules.tiersContiguous, /open-ended/);
    });
    it('INC-07: refuses a rate above 100%, a negative one, or one with three decimals', () => {
      spec.given([created]).when({ ...publish, tiers: [{ fromPct: 0, ratePct: 100.01 }] }).thenRefuses(incentivePlanRules.percentagesPossible);
      spec.given([created]).when({ ...publish, tiers: [{ fromPct: 0, ratePct: -1 }] }).thenRefuses(incentivePlanRules.percentagesPossible);
      spec.given([created]).when({ ...publish, tiers: [{ fromPct: 0, ratePct: 2.125 }] }).thenRefuses(incentivePlanRules.percentagesPossible);
      spec.given([created]).when({ ...publish, discountPenalty: { abovePct: 15, reducePct: 150 } }).thenRefuses(incentivePlanRules.percentagesPossible);
    });
    it('INC-07: accepts a rate of exactly 100%', () => spec.given([created]).when({ ...publish, tiers: [{ fromPct: 0, ratePct: 100 }] }).then([revisionEvent(1, { tiers: [{ fromPct: 0, ratePct: 100 }] })]));
    it("INC-08: refuses a cap in another currency, a SPIFF of nothing, and a deduction that names nothing", () => {
      spec.given([created]).when({ ...publish, cap: { minor: 1, currency: 'USD' } }).thenRefuses(incentivePlanRules.amountsInPlanCurrency);
      spec.given([created]).when({ ...publish, spiffs: [{ ...rules.spiffs[0], amountPerUnit: cny(0) }] }).thenRefuses(incentivePlanRules.amountsInPlanCurrency);
      spec.given([created]).when({ ...publish, compliance: { holdSeverities: [], deduct: { high: {} } } }).thenRefuses(incentivePlanRules.amountsInPlanCurrency);
    });
    it('INC-09: refuses a revision before the plan starts, in the past, or before the revision before it', () => {
      spec.given([created]).when({ ...publish, effectiveFrom: '2028-01-01' }).thenRefuses(incentivePlanRules.revisionDated, /outside/);
      spec.given([{ ...created, data: { ...created.data, window: { from: '2026-01-01' } } } as IncentivePlanEvent]).when({ ...publish, effectiveFrom: '2026-11-26' }).thenRefuses(incentivePlanRules.revisionDated, /before today/);
      spec.given([created, revisionEvent(1, { effectiveFrom: '2027-02-01' })]).when({ ...publish, effectiveFrom: '2027-01-01' }).thenRefuses(incentivePlanRules.revisionDated, /Revision 1/);
    });
    it('INC-10: refuses a SPIFF window that ends before it starts', () =>
      spec.given([created]).when({ ...publish, spiffs: [{ ...rules.spiffs[0], from: '2026-12-31', to: '2026-12-01' }] }).thenRefuses(incentivePlanRules.spiffWindow));
    it('INC-11: refuses a negative clawback window', () => spec.given([created]).when({ ...publish, clawbackDays: -1 }).thenRefuses(incentivePlanRules.clawbackWindow));
    it('INC-12: refuses a revision of a plan never created', () => spec.given([]).when(publish).thenRefuses(incentivePlanRules.revisedOnceCreated));
    it('INC-05: refuses a revision published by a sales rep', () => spec.given([created]).when(publish, { actor: { id: 'rep-1', role: 'sales_rep' } }).thenRefuses(incentivePlanRules.publishedByFinance));
  });
});
