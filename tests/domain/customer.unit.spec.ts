import { describe, expect, it } from 'vitest';
import {
  customerDecider,
  customerEventSchemas,
  customerFacts,
  customerAggregate,
  customerRules,
  type CustomerEvent,
  type RegisteredCustomer,
} from '../../domain/customer/customer.js';
import { deciderSpecification } from '../support/deciderSpecification.js';

const spec = deciderSpecification(customerDecider);
const finance = { actor: { id: 'fin-1', role: 'finance' } };
const registered: CustomerEvent = {
  type: 'CustomerRegistered',
  data: { customerId: 'c1', name: 'Acme Bank', industry: 'finance', region: 'east' },
};
const limitSet: CustomerEvent = { type: 'CreditLimitSet', data: { customerId: 'c1', limit: { minor: 5_000_000_00, currency: 'CNY' } } };
const flagged: CustomerEvent = { type: 'RiskFlagRaised', data: { customerId: 'c1', reason: 'invoices 120 days overdue' } };
const cleared: CustomerEvent = { type: 'RiskFlagCleared', data: { customerId: 'c1', reason: 'arrears paid' } };
const contactAdded: CustomerEvent = {
  type: 'ContactAdded',
  data: { customerId: 'c1', contactId: 'p1', name: '王伟', phone: '+86 138 0000 0000', email: 'wang.wei@acme.example', title: 'CISO' },
};

const fold = (events: CustomerEvent[]) => events.reduce(customerDecider.evolve, customerDecider.initialState()) as RegisteredCustomer;

describe('Customer', () => {
  it('is registered', () =>
    spec.given([]).when({ type: 'RegisterCustomer', customerId: 'c1', name: 'Acme Bank', industry: 'finance', region: 'east' }).then([registered]));

  it(`refuses a second registration (${customerRules.registeredOnce.id})`, () =>
    spec
      .given([registered])
      .when({ type: 'RegisterCustomer', customerId: 'c1', name: 'Acme Bank', industry: 'finance', region: 'east' })
      .thenRefuses(customerRules.registeredOnce));

  it('records an interaction with the needs heard', () =>
    spec
      .given([registered])
      .when({ type: 'RecordInteraction', interactionId: 'i1', kind: 'demo', note: 'showed the SOC dashboard', needs: ['24x7 monitoring'] })
      .then([
        {
          type: 'InteractionRecorded',
          data: { customerId: 'c1', interactionId: 'i1', kind: 'demo', note: 'showed the SOC dashboard', needs: ['24x7 monitoring'] },
        },
      ]));

  it(`refuses an interaction with an unregistered customer (${customerRules.interactionsNeedACustomer.id})`, () =>
    spec.given([]).when({ type: 'RecordInteraction', interactionId: 'i1', kind: 'call', note: 'hello' }).thenRefuses(customerRules.interactionsNeedACustomer));

  describe('profile', () => {
    it('records only the fields that change', () =>
      spec
        .given([registered])
        .when({ type: 'UpdateProfile', name: 'Acme Bank', region: 'south', tier: 'strategic' })
        .then([{ type: 'CustomerProfileUpdated', data: { customerId: 'c1', region: 'south', tier: 'strategic' } }]));

    it(`refuses an update that changes nothing (${customerRules.profileMustChange.id})`, () =>
      spec.given([registered]).when({ type: 'UpdateProfile', industry: 'finance', tier: 'standard' }).thenRefuses(customerRules.profileMustChange));

    it(`refuses an update with no fields (${customerRules.profileMustChange.id})`, () =>
      spec.given([registered]).when({ type: 'UpdateProfile' }).thenRefuses(customerRules.profileMustChange));

    it(`refuses to update an unregistered customer (${customerRules.accountNeedsACustomer.id})`, () =>
      spec.given([]).when({ type: 'UpdateProfile', tier: 'key' }).thenRefuses(customerRules.accountNeedsACustomer));

    it(`judges a change against earlier updates (${customerRules.profileMustChange.id})`, () =>
      spec
        .given([registered, { type: 'CustomerProfileUpdated', data: { customerId: 'c1', region: 'south', tier: 'key' } }])
        .when({ type: 'UpdateProfile', region: 'south', tier: 'key' })
        .thenRefuses(customerRules.profileMustChange));
  });

  describe('credit limit', () => {
    it('is set by finance', () =>
      spec.given([registered]).when({ type: 'SetCreditLimit', limit: { minor: 5_000_000_00, currency: 'CNY' } }, finance).then([limitSet]));

    it('may be set to zero: cash in advance', () =>
      spec
        .given([registered, limitSet])
        .when({ type: 'SetCreditLimit', limit: { minor: 0, currency: 'CNY' } }, { actor: { id: 'admin-1', role: 'admin' } })
        .then([{ type: 'CreditLimitSet', data: { customerId: 'c1', limit: { minor: 0, currency: 'CNY' } } }]));

    it(`refuses a negative limit (${customerRules.creditLimitNotNegative.id})`, () =>
      spec
        .given([registered])
        .when({ type: 'SetCreditLimit', limit: { minor: -1, currency: 'CNY' } }, finance)
        .thenRefuses(customerRules.creditLimitNotNegative));

    it(`refuses a limit set by a seller (${customerRules.financeControlsCredit.id})`, () =>
      spec
        .given([registered])
        .when({ type: 'SetCreditLimit', limit: { minor: 100, currency: 'CNY' } }, { actor: { id: 'mgr-1', role: 'sales_manager' } })
        .thenRefuses(customerRules.financeControlsCredit, /sales_manager/));

    it(`refuses a limit for an unregistered customer (${customerRules.accountNeedsACustomer.id})`, () =>
      spec.given([]).when({ type: 'SetCreditLimit', limit: { minor: 100, currency: 'CNY' } }, finance).thenRefuses(customerRules.accountNeedsACustomer));
  });

  describe('risk flag', () => {
    it('is raised by anyone who sees a risk, with a reason', () =>
      spec.given([registered]).when({ type: 'FlagRisk', flagged: true, reason: 'invoices 120 days overdue' }).then([flagged]));

    it('is cleared by finance, with a reason', () =>
      spec.given([registered, flagged]).when({ type: 'FlagRisk', flagged: false, reason: 'arrears paid' }, finance).then([cleared]));

    it('may be raised again once cleared', () =>
      spec.given([registered, flagged, cleared]).when({ type: 'FlagRisk', flagged: true, reason: 'invoices 120 days overdue' }).then([flagged]));

    it(`refuses to clear a flag as a seller (${customerRules.financeControlsCredit.id})`, () =>
      spec.given([registered, flagged]).when({ type: 'FlagRisk', flagged: false, reason: 'they promised to pay' }).thenRefuses(customerRules.financeControlsCredit));

    it(`refuses a flag without a reason (${customerRules.riskFlagNeedsReason.id})`, () =>
      spec.given([registered]).when({ type: 'FlagRisk', flagged: true, reason: ' ' }).thenRefuses(customerRules.riskFlagNeedsReason));

    it(`refuses to clear without a reason (${customerRules.riskFlagNeedsReason.id})`, () =>
      spec.given([registered, flagged]).when({ type: 'FlagRisk', flagged: false, reason: '' }, finance).thenRefuses(customerRules.riskFlagNeedsReason));

    it(`refuses to raise a raised flag (${customerRules.riskFlagMustChange.id})`, () =>
      spec.given([registered, flagged]).when({ type: 'FlagRisk', flagged: true, reason: 'still overdue' }).thenRefuses(customerRules.riskFlagMustChange, /already flagged/));

    it(`refuses to clear a clear customer (${customerRules.riskFlagMustChange.id})`, () =>
      spec.given([registered]).when({ type: 'FlagRisk', flagged: false, reason: 'fine' }, finance).thenRefuses(customerRules.riskFlagMustChange, /already clear/));

    it(`refuses a flag on an unregistered customer (${customerRules.accountNeedsACustomer.id})`, () =>
      spec.given([]).when({ type: 'FlagRisk', flagged: true, reason: 'x' }).thenRefuses(customerRules.accountNeedsACustomer));
  });

  describe('contacts', () => {
    it('are added with their details', () =>
      spec
        .given([registered])
        .when({ type: 'AddContact', contactId: 'p1', name: '王伟', phone: '+86 138 0000 0000', email: 'wang.wei@acme.example', title: 'CISO' })
        .then([contactAdded]));

    it('need only a name', () =>
      spec
        .given([registered])
        .when({ type: 'AddContact', contactId: 'p2', name: 'Li Na' })
        .then([{ type: 'ContactAdded', data: { customerId: 'c1', contactId: 'p2', name: 'Li Na' } }]));

    it(`refuses the same contact twice (${customerRules.contactAddedOnce.id})`, () =>
      spec.given([registered, contactAdded]).when({ type: 'AddContact', contactId: 'p1', name: 'Wang Wei' }).thenRefuses(customerRules.contactAddedOnce));

    it(`refuses a contact for an unregistered customer (${customerRules.accountNeedsACustomer.id})`, () =>
      spec.given([]).when({ type: 'AddContact', contactId: 'p1', name: 'Wang Wei' }).thenRefuses(customerRules.accountNeedsACustomer));

    it('names the personal data the application must encrypt', () => {
      const personalData = customerAggregate.personalData!;
      expect(personalData.subject('c1', customerAggregate.decider.initialState())).toBe('c1');
      expect(personalData.fields.ContactAdded).toEqual(['name', 'phone', 'email']);
      for (const [type, fields] of Object.entries(personalData.fields)) {
        if (type !== 'ContactAdded') expect(fields).toEqual([]);
      }
    });
  });

  describe('facts for other aggregates', () => {
    it('start as a standard customer with no credit limit and no risk', () =>
      expect(customerFacts(fold([registered]))).toEqual({ customerId: 'c1', tier: 'standard', region: 'east', creditLimit: null, riskFlagged: false }));

    it('follow the profile, the credit limit and the risk flag', () => {
      const state = fold([
        registered,
        { type: 'CustomerProfileUpdated', data: { customerId: 'c1', region: 'south', tier: 'key' } },
        limitSet,
        flagged,
        contactAdded,
      ]);
      expect(customerFacts(state)).toEqual({
        customerId: 'c1',
        tier: 'key',
        region: 'south',
        creditLimit: { minor: 5_000_000_00, currency: 'CNY' },
        riskFlagged: true,
      });
      expect(state.riskFlag).toEqual({ flagged: true, reason: 'invoices 120 days overdue' });
      expect(state.contactIds).toHaveLength(1);
    });
  });

  describe('erasing personal data', () => {
    const noLeads = { convertedLeads: [] };
    const erased: CustomerEvent = { type: 'CustomerPersonalDataErased', data: { customerId: 'c1', reason: 'data subject request #42', erasedSubjects: ['c1'] } };
    /** As erasures were recorded before they listed whose keys they destroyed: the customer's own alone. */
    const erasedBeforeListing: CustomerEvent = { type: 'CustomerPersonalDataErased', data: { customerId: 'c1', reason: 'data subject request #7' } };
    const erase = { type: 'ErasePersonalData', reason: 'data subject request #42' } as const;
    const carryOver = { type: 'CarryOverLeadContact', leadId: 'l3', contactId: 'k3', name: '李娜', email: 'li.na@acme.example' } as const;

    it('records the erasure with its reason and whose keys go: the customer and every lead converted into it', () =>
      spec
        .given([registered, contactAdded])
        .when(erase, { convertedLeads: ['l1', 'l2'] })
        .then([{ type: 'CustomerPersonalDataErased', data: { customerId: 'c1', reason: 'data subject request #42', erasedSubjects: ['c1', 'lead-l1', 'lead-l2'] } }]));

    it(`refuses an erasure without a reason (${customerRules.erasureNeedsReason.id})`, () =>
      spec.given([registered]).when({ type: 'ErasePersonalData', reason: ' ' }, noLeads).thenRefuses(customerRules.erasureNeedsReason));

    it(`refuses a second erasure (${customerRules.erasedOnce.id})`, () =>
      spec.given([registered, erased]).when(erase, noLeads).thenRefuses(customerRules.erasedOnce, /already erased/));

    it(`completes an erasure recorded before it listed whose keys went, erasing only the converted leads (${customerRules.erasedOnce.id})`, () => {
      spec
        .given([registered, erasedBeforeListing])
        .when(erase, { convertedLeads: ['l1'] })
        .then([{ type: 'CustomerPersonalDataErased', data: { customerId: 'c1', reason: 'data subject request #42', erasedSubjects: ['lead-l1'] } }]);
      spec.given([registered, erasedBeforeListing]).when(erase, noLeads).thenRefuses(customerRules.erasedOnce);
    });

    it(`refuses new contacts once erased (${customerRules.noContactsAfterErasure.id})`, () =>
      spec
        .given([registered, erased])
        .when({ type: 'AddContact', contactId: 'k9', name: 'Wang Fang' })
        .thenRefuses(customerRules.noContactsAfterErasure));

    it("carries a converted lead's contact over", () =>
      spec
        .given([registered])
        .when(carryOver)
        .then([{ type: 'ContactAdded', data: { customerId: 'c1', contactId: 'k3', name: '李娜', email: 'li.na@acme.example' } }]));

    it(`refuses to carry the same contact over twice (${customerRules.contactAddedOnce.id})`, () =>
      spec.given([registered, { type: 'ContactAdded', data: { customerId: 'c1', contactId: 'k3', name: '李娜' } }]).when(carryOver).thenRefuses(customerRules.contactAddedOnce));

    it('erases a lead converted after the erasure instead of carrying its contact over', () =>
      spec
        .given([registered, erased])
        .when(carryOver)
        .then([{ type: 'ConvertedLeadErased', data: { customerId: 'c1', leadId: 'l3', erasedSubjects: ['lead-l3'] } }]));

    it('knows whose keys every erasure destroyed, an erasure recorded before it listed them included', () =>
      expect(
        fold([registered, erasedBeforeListing, { type: 'ConvertedLeadErased', data: { customerId: 'c1', leadId: 'l3', erasedSubjects: ['lead-l3'] } }])
          .erasedSubjects,
      ).toEqual(['c1', 'lead-l3']));
  });

  it('writes events that satisfy their stored schemas', () => {
    for (const event of [registered, limitSet, flagged, cleared, contactAdded]) {
      expect(() => customerEventSchemas[event.type].parse(event.data)).not.toThrow();
    }
    expect(customerEventSchemas.CreditLimitSet.safeParse({ customerId: 'c1', limit: { minor: -1, currency: 'CNY' } }).success).toBe(false);
    // Erasures stored before they listed whose keys went still read.
    expect(customerEventSchemas.CustomerPersonalDataErased.safeParse({ customerId: 'c1', reason: 'data subject request #7' }).success).toBe(true);
  });
});
