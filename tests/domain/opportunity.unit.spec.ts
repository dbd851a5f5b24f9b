import { describe, it } from 'vitest';
import { opportunityDecider, opportunityRules, type OpportunityEvent } from '../../domain/opportunity/opportunity.js';
import { deciderSpecification } from '../support/deciderSpecification.js';

const spec = deciderSpecification(opportunityDecider);
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
});
