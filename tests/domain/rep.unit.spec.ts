import { describe, expect, it } from 'vitest';
import {
  actorMayAct,
  isCertified,
  repDecider,
  repEventSchemas,
  repFacts,
  repRules,
  type HireRep,
  type RecordTraining,
  type RepEvent,
} from '../../domain/team/rep.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const manager = { actor: { id: 'mgr-1', role: 'sales_manager' } };
const spec = deciderSpecification(repDecider, { ...defaultContext, ...manager, keyRoles: [] });
const self = { actor: { id: 'rep-1', role: 'sales_rep' } };
const admin = { actor: { id: 'admin-1', role: 'admin' } };

const hire: HireRep = { type: 'HireRep', actorId: 'rep-1', name: '王芳', team: 'east', role: 'sales_rep', managerId: 'mgr-1' };
const hired: RepEvent = { type: 'RepHired', data: { actorId: 'rep-1', name: '王芳', team: 'east', role: 'sales_rep', managerId: 'mgr-1' } };
const hiredManager: RepEvent = { type: 'RepHired', data: { actorId: 'mgr-9', name: '李强', team: 'north', role: 'sales_manager' } };
const training: RecordTraining = {
  type: 'RecordTraining',
  trainingId: 't1',
  course: 'NGFW sales certification',
  passedAt: '2026-11-20T00:00:00.000Z',
  certifies: ['FW-100', 'FW-200', 'FW-100'],
  expiresAt: '2027-11-20T00:00:00.000Z',
};
const trained: RepEvent = {
  type: 'TrainingRecorded',
  data: {
    actorId: 'rep-1',
    trainingId: 't1',
    course: 'NGFW sales certification',
    passedAt: '2026-11-20T00:00:00.000Z',
    certifies: ['FW-100', 'FW-200'],
    expiresAt: '2027-11-20T00:00:00.000Z',
    recordedBy: 'mgr-1',
  },
};
const offboarded: RepEvent = { type: 'RepOffboarded', data: { actorId: 'rep-1', reason: 'left the company' } };

const factsAfter = (events: RepEvent[]) => repFacts(events.reduce(repDecider.evolve, repDecider.initialState()));

describe('Rep', () => {
  describe('hiring', () => {
    it('puts a rep on the roster with team, role and manager', () => spec.given([]).when(hire).then([hired]));

    it('hires a rep with no manager yet', () => {
      const { managerId: _, ...withoutManager } = hire;
      return spec
        .given([])
        .when(withoutManager)
        .then([{ type: 'RepHired', data: { actorId: 'rep-1', name: '王芳', team: 'east', role: 'sales_rep' } }]);
    });

    it(`refuses to hire twice (${repRules.hiredOnce.id})`, () => spec.given([hired]).when(hire).thenRefuses(repRules.hiredOnce));
    it(`refuses a rep without a name (${repRules.named.id})`, () => spec.given([]).when({ ...hire, name: ' ' }).thenRefuses(repRules.named));
    it(`refuses a manager hiring a fellow manager: that is an admin's call (${repRules.bySomeoneAbove.id})`, () => {
      spec.given([]).when({ ...hire, role: 'sales_manager' }).thenRefuses(repRules.bySomeoneAbove, /cannot hire a sales_manager/);
      spec.given([]).when({ ...hire, role: 'sales_manager' }, admin).then([{ type: 'RepHired', data: { ...hired.data, role: 'sales_manager' } }]);
    });
    it(`refuses to put anyone but sales reps and managers on the roster (${repRules.salesRolesOnly.id})`, () => {
      for (const role of ['admin', 'compliance_officer', 'auditor', 'finance', 'analyst']) {
        spec.given([]).when({ ...hire, actorId: 'dev-admin', role }).thenRefuses(repRules.salesRolesOnly);
      }
    });
    it(`refuses a manager enrolling, under any sales role, an id that holds a key outside sales; an admin may, on the record (${repRules.salesKeysOnly.id})`, () => {
      for (const keyRole of ['admin', 'compliance_officer', 'auditor', 'finance', 'analyst']) {
        spec.given([]).when(hire, { keyRoles: ['sales_rep', keyRole] }).thenRefuses(repRules.salesKeysOnly, new RegExp(`holds a ${keyRole} key`));
      }
      spec.given([]).when(hire, { ...admin, keyRoles: ['sales_rep', 'compliance_officer'] }).then([hired]);
      spec.given([]).when(hire, { keyRoles: ['sales_rep'] }).then([hired]);
      spec.given([]).when({ ...hire, role: 'sales_manager' }, { ...admin, keyRoles: ['sales_manager'] }).then([{ type: 'RepHired', data: { ...hired.data, role: 'sales_manager' } }]);
    });
    it(`refuses a rep who manages themselves (${repRules.notOwnManager.id})`, () =>
      spec.given([]).when({ ...hire, managerId: 'rep-1' }).thenRefuses(repRules.notOwnManager));
    it(`refuses anything before hiring (${repRules.hiredFirst.id})`, () => spec.given([]).when(training).thenRefuses(repRules.hiredFirst));
  });

  describe('changing role and team', () => {
    it('changes the role, keeping the old one on record', () =>
      spec
        .given([hired])
        .when({ type: 'ChangeRepRole', role: 'sales_manager', reason: 'promoted' }, admin)
        .then([{ type: 'RepRoleChanged', data: { actorId: 'rep-1', from: 'sales_rep', to: 'sales_manager', reason: 'promoted' } }]));

    it(`refuses a manager making a rep their peer, or changing a fellow manager's role (${repRules.bySomeoneAbove.id})`, () => {
      spec.given([hired]).when({ type: 'ChangeRepRole', role: 'sales_manager' }).thenRefuses(repRules.bySomeoneAbove, /sales_manager cannot make a sales_rep a sales_manager/);
      spec.given([hiredManager]).when({ type: 'ChangeRepRole', role: 'sales_rep' }).thenRefuses(repRules.bySomeoneAbove);
    });

    it(`refuses a role outside sales on the roster (${repRules.salesRolesOnly.id})`, () =>
      spec.given([hired]).when({ type: 'ChangeRepRole', role: 'admin' }, admin).thenRefuses(repRules.salesRolesOnly, /not a sales role/));

    it(`refuses a change to the same role (${repRules.changeMustChange.id})`, () =>
      spec.given([hired]).when({ type: 'ChangeRepRole', role: 'sales_rep' }).thenRefuses(repRules.changeMustChange));

    it(`refuses a rep changing their own role (${repRules.notOnOwnRecord.id})`, () =>
      spec.given([hired]).when({ type: 'ChangeRepRole', role: 'sales_manager' }, self).thenRefuses(repRules.notOnOwnRecord));

    it('moves a rep to another team under another manager', () =>
      spec
        .given([hired])
        .when({ type: 'ChangeRepTeam', team: 'north', managerId: 'mgr-2' })
        .then([{ type: 'RepTeamChanged', data: { actorId: 'rep-1', fromTeam: 'east', fromManagerId: 'mgr-1', team: 'north', managerId: 'mgr-2' } }]));

    it('changes only the manager, within the same team', () =>
      spec
        .given([hired])
        .when({ type: 'ChangeRepTeam', team: 'east', managerId: 'mgr-3' })
        .then([{ type: 'RepTeamChanged', data: { actorId: 'rep-1', fromTeam: 'east', fromManagerId: 'mgr-1', team: 'east', managerId: 'mgr-3' } }]));

    it('leaves a rep moved without a named manager with none', () => {
      const moved: RepEvent = { type: 'RepTeamChanged', data: { actorId: 'rep-1', fromTeam: 'east', fromManagerId: 'mgr-1', team: 'north' } };
      spec.given([hired]).when({ type: 'ChangeRepTeam', team: 'north' }).then([moved]);
      expect(factsAfter([hired, moved])?.managerId).toBeUndefined();
    });

    it(`refuses a move that changes nothing (${repRules.changeMustChange.id})`, () =>
      spec.given([hired]).when({ type: 'ChangeRepTeam', team: 'east', managerId: 'mgr-1' }).thenRefuses(repRules.changeMustChange));

    it(`refuses a move under the rep themselves (${repRules.notOwnManager.id})`, () =>
      spec.given([hired]).when({ type: 'ChangeRepTeam', team: 'east', managerId: 'rep-1' }).thenRefuses(repRules.notOwnManager));

    it(`refuses a rep moving themselves (${repRules.notOnOwnRecord.id})`, () =>
      spec.given([hired]).when({ type: 'ChangeRepTeam', team: 'north' }, self).thenRefuses(repRules.notOnOwnRecord));
  });

  describe('training', () => {
    it('records a course passed and the certifications it grants, each sku once', () => spec.given([hired]).when(training).then([trained]));

    it('records a course that certifies no product', () =>
      spec
        .given([hired])
        .when({ ...training, course: 'Honest selling', certifies: [] })
        .then([{ type: 'TrainingRecorded', data: { ...trained.data, course: 'Honest selling', certifies: [] } }]));

    it(`refuses the same training twice (${repRules.trainingRecordedOnce.id})`, () =>
      spec.given([hired, trained]).when(training).thenRefuses(repRules.trainingRecordedOnce));

    it(`refuses an expiry not after the pass (${repRules.trainingDated.id})`, () =>
      spec.given([hired]).when({ ...training, expiresAt: training.passedAt }).thenRefuses(repRules.trainingDated, /not after/));

    it(`refuses a course passed in the future (${repRules.trainingDated.id})`, () =>
      spec.given([hired]).when({ ...training, passedAt: '2026-12-01T00:00:00.000Z' }).thenRefuses(repRules.trainingDated, /still to come/));

    it(`refuses a training without a course (${repRules.trainingNamed.id})`, () =>
      spec.given([hired]).when({ ...training, course: '' }).thenRefuses(repRules.trainingNamed));

    it(`refuses a rep recording their own training (${repRules.notOnOwnRecord.id})`, () =>
      spec.given([hired]).when(training, self).thenRefuses(repRules.notOnOwnRecord));
  });

  describe('offboarding', () => {
    it('offboards a rep with the reason', () => spec.given([hired]).when({ type: 'OffboardRep', reason: 'left the company' }).then([offboarded]));

    it(`refuses offboarding without a reason (${repRules.offboardingExplained.id})`, () =>
      spec.given([hired]).when({ type: 'OffboardRep', reason: '' }).thenRefuses(repRules.offboardingExplained));

    it(`offboards a manager only by an admin (${repRules.bySomeoneAbove.id})`, () => {
      spec.given([hiredManager]).when({ type: 'OffboardRep', reason: 'restructuring' }).thenRefuses(repRules.bySomeoneAbove, /sales_manager cannot offboard a sales_manager/);
      spec.given([hiredManager]).when({ type: 'OffboardRep', reason: 'restructuring' }, admin).then([{ type: 'RepOffboarded', data: { actorId: 'mgr-9', reason: 'restructuring' } }]);
    });

    it(`keeps a rep from offboarding anyone (${repRules.bySomeoneAbove.id})`, () =>
      spec.given([hired]).when({ type: 'OffboardRep', reason: 'rivalry' }, { actor: { id: 'rep-2', role: 'sales_rep' } }).thenRefuses(repRules.bySomeoneAbove));

    it(`refuses any change to an offboarded rep (${repRules.offboardedIsFinal.id})`, () =>
      spec.given([hired, offboarded]).when(training).thenRefuses(repRules.offboardedIsFinal));

    it(`keeps an offboarded rep from issuing any command (${repRules.offboardedIssuesNothing.id})`, () => {
      const asRep = { id: 'rep-1', role: 'sales_rep' };
      expect(actorMayAct(asRep, factsAfter([hired, offboarded]))).toEqual({ refused: repRules.offboardedIssuesNothing, detail: 'rep-1 was offboarded' });
      expect(actorMayAct(asRep, factsAfter([hired]))).toBeUndefined();
      expect(actorMayAct(asRep, undefined)).toBeUndefined();
    });

    it('never gates a key of a role outside sales, whatever the roster says of its actor', () => {
      for (const role of ['admin', 'compliance_officer', 'auditor', 'finance', 'analyst']) {
        expect(actorMayAct({ id: 'rep-1', role }, factsAfter([hired, offboarded]))).toBeUndefined();
      }
    });
  });

  describe('reinstating', () => {
    const reinstated: RepEvent = { type: 'RepReinstated', data: { actorId: 'rep-1', reason: 'offboarded by mistake', reinstatedBy: 'admin-1' } };

    it('reinstates an offboarded rep, by an admin, with the reason; the rep is active again', () => {
      spec.given([hired, offboarded]).when({ type: 'ReinstateRep', reason: 'offboarded by mistake' }, admin).then([reinstated]);
      expect(factsAfter([hired, offboarded, reinstated])).toMatchObject({ active: true });
    });

    it(`refuses a manager reinstating, a rep never offboarded, and no reason (${repRules.reinstatedByAdmin.id})`, () => {
      spec.given([hired, offboarded]).when({ type: 'ReinstateRep', reason: 'x' }).thenRefuses(repRules.reinstatedByAdmin, /sales_manager cannot reinstate/);
      spec.given([hired]).when({ type: 'ReinstateRep', reason: 'x' }, admin).thenRefuses(repRules.reinstatedByAdmin, /not offboarded/);
      spec.given([hired, offboarded]).when({ type: 'ReinstateRep', reason: ' ' }, admin).thenRefuses(repRules.reinstatedByAdmin, /why/);
    });
  });

  describe('facts and certification', () => {
    it('gives the facts other decisions read', () =>
      expect(factsAfter([hired, trained, { type: 'RepRoleChanged', data: { actorId: 'rep-1', from: 'sales_rep', to: 'sales_manager' } }])).toEqual({
        actorId: 'rep-1',
        name: '王芳',
        team: 'east',
        role: 'sales_manager',
        managerId: 'mgr-1',
        active: true,
        certifications: [
          { sku: 'FW-100', course: 'NGFW sales certification', passedAt: '2026-11-20T00:00:00.000Z', expiresAt: '2027-11-20T00:00:00.000Z' },
          { sku: 'FW-200', course: 'NGFW sales certification', passedAt: '2026-11-20T00:00:00.000Z', expiresAt: '2027-11-20T00:00:00.000Z' },
        ],
      }));

    it('has no facts for an actor never hired', () => expect(factsAfter([])).toBeUndefined());

    const rep = factsAfter([hired, trained])!;
    it('is certified for a sku the course covers, from the pass until just before expiry', () => {
      expect(isCertified(rep, 'FW-100', '2026-11-20T00:00:00.000Z')).toBe(true);
      expect(isCertified(rep, 'FW-200', '2027-11-19T23:59:59.999Z')).toBe(true);
    });
    it('is not certified before the pass, from the expiry on, or for a sku not covered', () => {
      expect(isCertified(rep, 'FW-100', '2026-11-19T23:59:59.999Z')).toBe(false);
      expect(isCertified(rep, 'FW-100', '2027-11-20T00:00:00.000Z')).toBe(false);
      expect(isCertified(rep, 'EDR-1', defaultContext.now)).toBe(false);
    });
    it('is certified again once a renewal is recorded', () => {
      const renewed: RepEvent = { type: 'TrainingRecorded', data: { ...trained.data, trainingId: 't2', passedAt: '2027-11-01T00:00:00.000Z', expiresAt: '2028-11-01T00:00:00.000Z' } };
      expect(isCertified(factsAfter([hired, trained, renewed])!, 'FW-100', '2028-01-01T00:00:00.000Z')).toBe(true);
    });
  });

  it('writes events their schemas accept', () => {
    for (const event of [hired, trained, offboarded]) expect(repEventSchemas[event.type].safeParse(event.data).success).toBe(true);
  });
});
