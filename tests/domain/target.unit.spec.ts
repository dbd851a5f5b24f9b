import { describe, it } from 'vitest';
import { targetDecider, targetRules, type SetTarget, type TargetEvent } from '../../domain/target/target.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });
const rep = { actorId: 'rep-1', role: 'sales_rep', managerId: 'mgr-1', active: true };
const manager = { actor: { id: 'mgr-1', role: 'sales_manager' } };
const otherManager = { actor: { id: 'mgr-2', role: 'sales_manager' } };
const admin = { actor: { id: 'admin-1', role: 'admin' } };
const spec = deciderSpecification(targetDecider, { ...defaultContext, ...manager, rep, teamKnown: true, setter: { team: 'east' } });

const set: SetTarget = { type: 'SetTarget', targetId: 't1', subject: { kind: 'rep', id: 'rep-1' }, period: '2026-Q4', metric: 'bookings', amount: cny(2_000_000) };
const targetSet: TargetEvent = { type: 'TargetSet', data: { targetId: 't1', subject: { kind: 'rep', id: 'rep-1' }, period: '2026-Q4', metric: 'bookings', amount: cny(2_000_000), setBy: 'mgr-1' } };
const revise = { type: 'ReviseTarget' as const, amount: cny(2_500_000), reason: 'Two new accounts moved to the rep' };

describe('Target', () => {
  describe('setting', () => {
    it("sets a rep's target, by the rep's manager", () => spec.given([]).when(set).then([targetSet]));

    it("sets a team's target, by the manager of that team, as its own figure", () =>
      spec
        .given([])
        .when({ ...set, subject: { kind: 'team', id: 'east' }, amount: cny(4_000_000) })
        .then([{ type: 'TargetSet', data: { ...targetSet.data, subject: { kind: 'team', id: 'east' }, amount: cny(4_000_000) } }]));

    it('sets a count of new customers, by an admin for a region', () =>
      spec
        .given([])
        .when({ ...set, subject: { kind: 'region', id: 'east' }, metric: 'new_customers', amount: undefined, count: 5 } as SetTarget, admin)
        .then([{ type: 'TargetSet', data: { targetId: 't1', subject: { kind: 'region', id: 'east' }, period: '2026-Q4', metric: 'new_customers', count: 5, setBy: 'admin-1' } }]));

    it('TGT-01: refuses a second target for the same subject, period and measure', () => spec.given([targetSet]).when(set).thenRefuses(targetRules.setOnce));

    it('TGT-02: refuses a target for a rep who is not on the roster', () => spec.given([]).when(set, { rep: undefined }).thenRefuses(targetRules.knownSubject, /not on the sales roster/));

    it("TGT-02: refuses a target for someone on the roster who is not a seller, the service desk's agent", () =>
      spec.given([]).when(set, { rep: { ...rep, role: 'support_agent' } }).thenRefuses(targetRules.knownSubject, /support_agent, not a seller/));

    it('TGT-02: refuses a target for a team no one is in', () =>
      spec.given([]).when({ ...set, subject: { kind: 'team', id: 'north' } }, { teamKnown: false }).thenRefuses(targetRules.knownSubject, /team north/));

    it('TGT-03: refuses a count for a money measure, and an amount for new customers', () => {
      spec.given([]).when({ ...set, amount: undefined, count: 3 } as SetTarget).thenRefuses(targetRules.figureForMetric);
      spec.given([]).when({ ...set, metric: 'new_customers' }).thenRefuses(targetRules.figureForMetric);
    });

    it('TGT-04: refuses a target of zero', () => spec.given([]).when({ ...set, amount: cny(0) }).thenRefuses(targetRules.positiveFigure));

    it("TGT-05: refuses a rep's target from another team's manager, a team's from a manager of another team, and anyone's own", () => {
      spec.given([]).when(set, otherManager).thenRefuses(targetRules.setByThoseAbove);
      spec.given([]).when({ ...set, subject: { kind: 'team', id: 'north' } }, { setter: { team: 'east' } }).thenRefuses(targetRules.setByThoseAbove);
      spec.given([]).when({ ...set, subject: { kind: 'rep', id: 'mgr-1' } }, { rep: { actorId: 'mgr-1', role: 'sales_manager', active: true } }).thenRefuses(targetRules.setByThoseAbove, /own target/);
      spec.given([]).when({ ...set, subject: { kind: 'region', id: 'east' } }).thenRefuses(targetRules.setByThoseAbove);
    });
  });

  describe('revising', () => {
    it('revises the figure, saying why', () =>
      spec
        .given([targetSet])
        .when(revise)
        .then([
          {
            type: 'TargetRevised',
            data: { targetId: 't1', subject: { kind: 'rep', id: 'rep-1' }, period: '2026-Q4', metric: 'bookings', amount: cny(2_500_000), reason: revise.reason, revisedBy: 'mgr-1' },
          },
        ]));

    it('TGT-06: refuses a revision without a reason, or to the same figure', () => {
      spec.given([targetSet]).when({ ...revise, reason: ' ' }).thenRefuses(targetRules.revisionExplained);
      spec.given([targetSet]).when({ ...revise, amount: cny(2_000_000) }).thenRefuses(targetRules.revisionExplained, /already has/);
    });

    it('TGT-07: refuses to revise a target never set', () => spec.given([]).when(revise).thenRefuses(targetRules.revisedOnceSet));

    it('TGT-05: refuses a revision by a manager of another team', () => spec.given([targetSet]).when(revise, otherManager).thenRefuses(targetRules.setByThoseAbove));
  });
});
