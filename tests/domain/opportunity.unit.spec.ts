import { describe, expect, it } from 'vitest';
import { opportunityDecider, opportunityEventSchemas, opportunityRules, type OpportunityCommand, type OpportunityEvent } from '../../domain/opportunity/opportunity.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const onRoster = (actorId: string, managerId = 'mgr-1') => ({ actorId, role: 'sales_rep', managerId, active: true });
/** An approved registration of partner pa-1 for customer c1, running to the end of the year. */
const registration = { registrationId: 'reg-1', status: 'approved' as const, partnerId: 'pa-1', customerId: 'c1', expiresAt: '2026-12-31T16:00:00.000Z' };
/** rep-1 owns the deal under mgr-1; rep-2, in the same team, is who a reassignment hands it to. */
const spec = deciderSpecification(opportunityDecider, { ...defaultContext, owner: onRoster('rep-1'), newOwner: onRoster('rep-2'), registration });
const amount = { minor: 1_200_000_00, currency: 'CNY' };
const opened: OpportunityEvent = {
  type: 'OpportunityOpened',
  data: { opportunityId: 'o1', customerId: 'c1', title: 'Firewall renewal', ownerId: 'rep-1', amount, stage: 'qualification' },
};
const movedTo = (from: 'qualification' | 'discovery' | 'proposal', to: 'discovery' | 'proposal' | 'negotiation'): OpportunityEvent => ({
  type: 'OpportunityStageChanged',
  data: { opportunityId: 'o1', from, to },
});
const won: OpportunityEvent = { type: 'OpportunityWon', data: { opportunityId: 'o1', customerId: 'c1', amount } };
const lost: OpportunityEvent = { type: 'OpportunityLost', data: { opportunityId: 'o1', customerId: 'c1', reason: 'budget cut' } };
const manager = { actor: { id: 'mgr-1', role: 'sales_manager' } };
const reassigned: OpportunityEvent = {
  type: 'OpportunityReassigned',
  data: { opportunityId: 'o1', from: 'rep-1', to: 'rep-2', reason: 'rep-1 moved to the north region' },
};

describe('Opportunity', () => {
  describe('opening', () => {
    it('opens in qualification', () =>
      spec
        .given([])
        .when({ type: 'OpenOpportunity', opportunityId: 'o1', customerId: 'c1', title: 'Firewall renewal', ownerId: 'rep-1', amount })
        .then([opened]));

    it(`refuses to open twice (${opportunityRules.openedOnce.id})`, () =>
      spec
        .given([opened])
        .when({ type: 'OpenOpportunity', opportunityId: 'o1', customerId: 'c1', title: 'again', ownerId: 'rep-1', amount })
        .thenRefuses(opportunityRules.openedOnce));

    it(`refuses a zero amount (${opportunityRules.positiveAmount.id})`, () =>
      spec
        .given([])
        .when({ type: 'OpenOpportunity', opportunityId: 'o1', customerId: 'c1', title: 't', ownerId: 'rep-1', amount: { minor: 0, currency: 'CNY' } })
        .thenRefuses(opportunityRules.positiveAmount));

    it('opens from a lead, naming it', () =>
      spec
        .given([])
        .when({ type: 'OpenOpportunity', opportunityId: 'o1', customerId: 'c1', title: 'Firewall renewal', ownerId: 'rep-1', amount, leadId: 'l1' })
        .then([{ type: 'OpportunityOpened', data: { ...opened.data, leadId: 'l1' } }]));
  });

  describe('changing stage', () => {
    it('moves forward, skipping stages if the deal warrants it', () =>
      spec.given([opened]).when({ type: 'ChangeStage', stage: 'proposal' }).then([
        { type: 'OpportunityStageChanged', data: { opportunityId: 'o1', from: 'qualification', to: 'proposal' } },
      ]));

    it('moves back with a reason', () =>
      spec
        .given([opened, movedTo('qualification', 'discovery'), movedTo('discovery', 'proposal')])
        .when({ type: 'ChangeStage', stage: 'discovery', reason: 'new stakeholder' })
        .then([{ type: 'OpportunityStageChanged', data: { opportunityId: 'o1', from: 'proposal', to: 'discovery', reason: 'new stakeholder' } }]));

    it(`refuses to move back without a reason (${opportunityRules.backwardsNeedsReason.id})`, () =>
      spec
        .given([opened, movedTo('qualification', 'discovery')])
        .when({ type: 'ChangeStage', stage: 'qualification', reason: '  ' })
        .thenRefuses(opportunityRules.backwardsNeedsReason, /discovery back to qualification/));

    it(`refuses a change to the current stage (${opportunityRules.stageMustChange.id})`, () =>
      spec.given([opened]).when({ type: 'ChangeStage', stage: 'qualification' }).thenRefuses(opportunityRules.stageMustChange));

    it(`refuses any change once won (${opportunityRules.closedIsFinal.id})`, () =>
      spec.given([opened, won]).when({ type: 'ChangeStage', stage: 'proposal' }).thenRefuses(opportunityRules.closedIsFinal, /won/));
  });

  describe('closing', () => {
    it('is won with the amount it carried', () => spec.given([opened]).when({ type: 'WinOpportunity' }).then([won]));

    it('is lost with a reason', () => spec.given([opened]).when({ type: 'LoseOpportunity', reason: 'budget cut' }).then([lost]));

    it(`refuses to win a lost deal (${opportunityRules.closedIsFinal.id})`, () =>
      spec.given([opened, lost]).when({ type: 'WinOpportunity' }).thenRefuses(opportunityRules.closedIsFinal, /lost/));

    it(`refuses to lose a won deal (${opportunityRules.closedIsFinal.id})`, () =>
      spec.given([opened, won]).when({ type: 'LoseOpportunity', reason: 'x' }).thenRefuses(opportunityRules.closedIsFinal));
  });

  describe("recording the customer's needs", () => {
    it('records the needs and the solution proposed', () =>
      spec
        .given([opened])
        .when({ type: 'RecordNeeds', needs: ['等保三级合规', '24x7 monitoring'], proposedSolution: 'Managed SOC with NGFW' })
        .then([
          {
            type: 'OpportunityNeedsRecorded',
            data: { opportunityId: 'o1', needs: ['等保三级合规', '24x7 monitoring'], proposedSolution: 'Managed SOC with NGFW' },
          },
        ]));

    it('leaves out blank needs', () =>
      spec
        .given([opened])
        .when({ type: 'RecordNeeds', needs: ['', 'log retention 180 days'] })
        .then([{ type: 'OpportunityNeedsRecorded', data: { opportunityId: 'o1', needs: ['log retention 180 days'] } }]));

    it(`refuses needs that name nothing (${opportunityRules.needsNamed.id})`, () =>
      spec.given([opened]).when({ type: 'RecordNeeds', needs: [' '] }).thenRefuses(opportunityRules.needsNamed));

    it(`refuses needs on a closed deal (${opportunityRules.closedIsFinal.id})`, () =>
      spec.given([opened, lost]).when({ type: 'RecordNeeds', needs: ['x'] }).thenRefuses(opportunityRules.closedIsFinal));
  });

  describe('reassigning the owner', () => {
    it('is done by a sales manager', () =>
      spec.given([opened]).when({ type: 'ReassignOwner', ownerId: 'rep-2', reason: 'rep-1 moved to the north region' }, manager).then([reassigned]));

    it('is done by an admin, reason optional', () =>
      spec
        .given([opened])
        .when({ type: 'ReassignOwner', ownerId: 'rep-2' }, { actor: { id: 'admin-1', role: 'admin' } })
        .then([{ type: 'OpportunityReassigned', data: { opportunityId: 'o1', from: 'rep-1', to: 'rep-2' } }]));

    it('hands over from the current owner', () =>
      spec
        .given([opened, reassigned])
        .when({ type: 'ReassignOwner', ownerId: 'rep-3' }, manager)
        .then([{ type: 'OpportunityReassigned', data: { opportunityId: 'o1', from: 'rep-2', to: 'rep-3' } }]));

    it(`refuses a rep reassigning a deal (${opportunityRules.reassignedByManager.id})`, () =>
      spec.given([opened]).when({ type: 'ReassignOwner', ownerId: 'rep-2' }).thenRefuses(opportunityRules.reassignedByManager, /sales_rep/));

    it(`refuses a reassignment to the owner (${opportunityRules.reassignChangesOwner.id})`, () =>
      spec.given([opened, reassigned]).when({ type: 'ReassignOwner', ownerId: 'rep-2' }, manager).thenRefuses(opportunityRules.reassignChangesOwner));

    it(`refuses to reassign a won deal (${opportunityRules.closedIsFinal.id})`, () =>
      spec.given([opened, won]).when({ type: 'ReassignOwner', ownerId: 'rep-2' }, manager).thenRefuses(opportunityRules.closedIsFinal));
  });

  describe('linking the source', () => {
    it('links a campaign', () =>
      spec
        .given([opened])
        .when({ type: 'LinkSource', campaignId: 'camp-1' })
        .then([{ type: 'OpportunitySourceLinked', data: { opportunityId: 'o1', campaignId: 'camp-1' } }]));

    it('links a partner and a campaign', () =>
      spec
        .given([opened])
        .when({ type: 'LinkSource', campaignId: 'camp-1', partnerId: 'pa-1' })
        .then([{ type: 'OpportunitySourceLinked', data: { opportunityId: 'o1', campaignId: 'camp-1', partnerId: 'pa-1' } }]));

    it(`refuses a source naming neither (${opportunityRules.sourceNamed.id})`, () =>
      spec.given([opened]).when({ type: 'LinkSource', campaignId: '' }).thenRefuses(opportunityRules.sourceNamed));

    it(`refuses to link a source to a deal never opened (${opportunityRules.closedIsFinal.id})`, () =>
      spec.given([]).when({ type: 'LinkSource', partnerId: 'pa-1' }).thenRefuses(opportunityRules.closedIsFinal, /never opened/));
  });

  describe('working a deal under a partner\'s deal registration', () => {
    const linked: OpportunityEvent = { type: 'OpportunityRegistrationLinked', data: { opportunityId: 'o1', registrationId: 'reg-1', partnerId: 'pa-1' } };
    const link = { type: 'LinkRegistration' as const, registrationId: 'reg-1' };

    it('links an approved, unexpired registration for the deal\'s customer, naming its partner', () => spec.given([opened]).when(link).then([linked]));

    it('links a registration that named a company rather than a registered customer', () => {
      const { customerId: _customer, ...byCompany } = registration;
      spec.given([opened]).when(link, { registration: byCompany }).then([linked]);
    });

    it(`refuses a registration still pending, rejected or expired, or past its expiry (${opportunityRules.registrationInForce.id})`, () => {
      for (const status of ['pending', 'rejected', 'expired'] as const) {
        spec.given([opened]).when(link, { registration: { ...registration, status } }).thenRefuses(opportunityRules.registrationInForce, new RegExp(status));
      }
      spec.given([opened]).when(link, { registration: { ...registration, expiresAt: '2026-11-27T09:00:00.000Z' } }).thenRefuses(opportunityRules.registrationInForce, /expired at/);
    });

    it(`refuses another customer's registration (${opportunityRules.registrationOfCustomer.id})`, () =>
      spec.given([opened]).when(link, { registration: { ...registration, customerId: 'c2' } }).thenRefuses(opportunityRules.registrationOfCustomer, /c2, not c1/));

    it(`refuses a second registration, or the same one twice (${opportunityRules.oneRegistration.id})`, () => {
      spec.given([opened, linked]).when(link).thenRefuses(opportunityRules.oneRegistration, /already linked/);
      spec.given([opened, linked]).when({ ...link, registrationId: 'reg-2' }, { registration: { ...registration, registrationId: 'reg-2' } }).thenRefuses(opportunityRules.oneRegistration, /worked under registration reg-1/);
    });

    it(`links only an open deal, by whoever works it (${opportunityRules.closedIsFinal.id}, ${opportunityRules.workedByOwner.id})`, () => {
      spec.given([opened, won]).when(link).thenRefuses(opportunityRules.closedIsFinal);
      spec.given([opened]).when(link, { actor: { id: 'rep-2', role: 'sales_rep' } }).thenRefuses(opportunityRules.workedByOwner);
    });
  });

  describe("recording the customer's feedback", () => {
    it('records what the customer said of the proposal and how they took it', () =>
      spec
        .given([opened])
        .when({ type: 'RecordFeedback', feedback: '价格可以接受，但希望缩短交付周期', sentiment: 'neutral' })
        .then([{ type: 'OpportunityFeedbackRecorded', data: { opportunityId: 'o1', feedback: '价格可以接受，但希望缩短交付周期', sentiment: 'neutral' } }]));

    it(`refuses empty feedback (${opportunityRules.feedbackInWords.id})`, () =>
      spec.given([opened]).when({ type: 'RecordFeedback', feedback: '  ', sentiment: 'negative' }).thenRefuses(opportunityRules.feedbackInWords));

    it(`takes no feedback on a deal already lost (${opportunityRules.closedIsFinal.id})`, () =>
      spec.given([opened, lost]).when({ type: 'RecordFeedback', feedback: 'too expensive', sentiment: 'negative' }).thenRefuses(opportunityRules.closedIsFinal, /lost/));
  });

  describe('who opens and works a deal (article 36)', () => {
    const open = { type: 'OpenOpportunity' as const, opportunityId: 'o1', customerId: 'c1', title: 'Firewall renewal', ownerId: 'rep-1', amount };
    const otherRep = { actor: { id: 'rep-2', role: 'sales_rep' } };
    const otherManager = { actor: { id: 'mgr-2', role: 'sales_manager' } };
    const admin = { actor: { id: 'admin-1', role: 'admin' } };

    it("opens a deal in a rep's name by the rep, their manager or an admin", () => {
      for (const who of [{}, manager, admin]) spec.given([]).when(open, who).then([opened]);
    });

    it(`refuses a rep opening a deal in another rep's name, or a manager outside the rep's team (${opportunityRules.workedByOwner.id})`, () => {
      spec.given([]).when(open, otherRep).thenRefuses(opportunityRules.workedByOwner, /rep-2 is neither rep-1, their manager nor an admin/);
      spec.given([]).when(open, otherManager).thenRefuses(opportunityRules.workedByOwner);
    });

    it(`refuses a deal owned by a name on no roster, or by an offboarded seller (${opportunityRules.ownerOnRoster.id})`, () => {
      spec.given([]).when({ ...open, ownerId: 'ghost' }, { ...admin, owner: undefined }).thenRefuses(opportunityRules.ownerOnRoster, /ghost is on no sales roster/);
      spec.given([]).when(open, { owner: { ...onRoster('rep-1'), active: false } }).thenRefuses(opportunityRules.ownerOnRoster, /offboarded/);
    });

    it(`keeps other reps and other teams' managers off the deal: stage, win, lose, needs, source, feedback (${opportunityRules.workedByOwner.id})`, () => {
      const commands: OpportunityCommand[] = [
        { type: 'ChangeStage', stage: 'discovery' },
        { type: 'WinOpportunity' },
        { type: 'LoseOpportunity', reason: 'x' },
        { type: 'RecordNeeds', needs: ['x'] },
        { type: 'LinkSource', partnerId: 'pa-1' },
        { type: 'RecordFeedback', feedback: 'x', sentiment: 'neutral' },
      ];
      for (const command of commands) {
        spec.given([opened]).when(command, otherRep).thenRefuses(opportunityRules.workedByOwner);
        spec.given([opened]).when(command, otherManager).thenRefuses(opportunityRules.workedByOwner);
      }
      spec.given([opened]).when({ type: 'ChangeStage', stage: 'discovery' }, manager).then([movedTo('qualification', 'discovery')]);
      spec.given([opened]).when({ type: 'ChangeStage', stage: 'discovery' }, admin).then([movedTo('qualification', 'discovery')]);
    });

    it(`reassigns only by the owner's manager or an admin, and only to an active seller on the roster (${opportunityRules.workedByOwner.id}, ${opportunityRules.ownerOnRoster.id})`, () => {
      const reassign = { type: 'ReassignOwner' as const, ownerId: 'rep-2' };
      spec.given([opened]).when(reassign, otherManager).thenRefuses(opportunityRules.workedByOwner);
      spec.given([opened]).when(reassign, { ...manager, newOwner: undefined }).thenRefuses(opportunityRules.ownerOnRoster, /rep-2 is on no sales roster/);
      spec.given([opened]).when(reassign, { ...admin, newOwner: { ...onRoster('rep-2'), active: false } }).thenRefuses(opportunityRules.ownerOnRoster, /offboarded/);
    });
  });

  it('writes events that satisfy their stored schemas', () => {
    const events: OpportunityEvent[] = [
      { type: 'OpportunityOpened', data: { ...opened.data, leadId: 'l1' } },
      reassigned,
      { type: 'OpportunityNeedsRecorded', data: { opportunityId: 'o1', needs: ['x'] } },
      { type: 'OpportunitySourceLinked', data: { opportunityId: 'o1', partnerId: 'pa-1' } },
      { type: 'OpportunityFeedbackRecorded', data: { opportunityId: 'o1', feedback: 'looks right', sentiment: 'positive' } },
      { type: 'OpportunityRegistrationLinked', data: { opportunityId: 'o1', registrationId: 'reg-1', partnerId: 'pa-1' } },
    ];
    for (const event of events) expect(() => opportunityEventSchemas[event.type].parse(event.data)).not.toThrow();
  });
});
