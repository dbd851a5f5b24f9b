import { describe, expect, it } from 'vitest';
import {
  registrationCustomerKey,
  registrationDecider,
  registrationEventSchemas,
  registrationRules,
  type ChannelClaim,
  type RegistrationEvent,
  type SubmitRegistration,
} from '../../domain/partner/registration.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

/** Submitted by rep-1 on 27 November 2026; decided by mgr-1. */
const spec = deciderSpecification(registrationDecider, { ...defaultContext, approvedClaims: [] });
const manager = { actor: { id: 'mgr-1', role: 'sales_manager' } };
const expectedAmount = { minor: 80_000_000, currency: 'CNY' };
const expiresAt = '2027-02-28T16:00:00.000Z';
const submit: SubmitRegistration = { type: 'SubmitRegistration', registrationId: 'reg-1', partnerId: 'pa-1', customerId: 'c1', skus: ['FW-100', 'SOC-1'], expectedAmount, expiresAt };
const submitted: RegistrationEvent = {
  type: 'RegistrationSubmitted',
  data: { registrationId: 'reg-1', partnerId: 'pa-1', customerId: 'c1', customerKey: 'customer:c1', skus: ['FW-100', 'SOC-1'], expectedAmount, expiresAt, submittedBy: 'rep-1', submittedAt: defaultContext.now },
};
const approved: RegistrationEvent = {
  type: 'RegistrationApproved',
  data: { registrationId: 'reg-1', partnerId: 'pa-1', customerKey: 'customer:c1', skus: ['FW-100', 'SOC-1'], expiresAt, approvedBy: 'mgr-1' },
};
/** Another partner's approved claim on FW-100 for the same customer, running into next year. */
const rival: ChannelClaim = { registrationId: 'reg-0', partnerId: 'pa-2', skus: ['FW-100'], expiresAt: '2027-01-31T16:00:00.000Z' };

describe('Deal registration', () => {
  describe('submitting', () => {
    it('registers a deal for an existing customer, keyed by its id', () => spec.given([]).when(submit).then([submitted]));

    it('registers a deal for a company not yet a customer, keyed by its name as a person would match it', () => {
      const { customerId: _c, ...byCompany } = submit;
      spec
        .given([])
        .when({ ...byCompany, company: '  华东  银行 ' })
        .then([
          {
            type: 'RegistrationSubmitted',
            data: { ...(({ customerId: _id, ...rest }) => rest)(submitted.data), company: '  华东  银行 ', customerKey: 'company:华东 银行' },
          },
        ]);
      expect(registrationCustomerKey({ company: 'ＡＣＭＥ  Bank' })).toBe(registrationCustomerKey({ company: 'acme bank' }));
    });

    it(`refuses a second submission (${registrationRules.submittedOnce.id})`, () => spec.given([submitted]).when(submit).thenRefuses(registrationRules.submittedOnce));

    it(`refuses a registration naming neither or both of customer and company (${registrationRules.customerNamed.id})`, () => {
      const { customerId: _c, ...neither } = submit;
      spec.given([]).when(neither).thenRefuses(registrationRules.customerNamed, /Name the customer or the company$/);
      spec.given([]).when({ ...submit, company: 'Acme' }).thenRefuses(registrationRules.customerNamed, /not both/);
    });

    it(`refuses no product, or one named twice (${registrationRules.productsNamed.id})`, () => {
      spec.given([]).when({ ...submit, skus: [] }).thenRefuses(registrationRules.productsNamed, /No product/);
      spec.given([]).when({ ...submit, skus: ['FW-100', 'FW-100'] }).thenRefuses(registrationRules.productsNamed, /twice/);
    });

    it(`refuses a deal worth nothing (${registrationRules.amountPositive.id})`, () =>
      spec.given([]).when({ ...submit, expectedAmount: { minor: 0, currency: 'CNY' } }).thenRefuses(registrationRules.amountPositive));

    it(`refuses an expiry that is not after now (${registrationRules.expiresAfterSubmission.id})`, () =>
      spec.given([]).when({ ...submit, expiresAt: defaultContext.now }).thenRefuses(registrationRules.expiresAfterSubmission));

    it(`refuses a claim on a product another approved registration holds for the customer (${registrationRules.channelConflict.id})`, () =>
      spec.given([]).when(submit, { approvedClaims: [rival] }).thenRefuses(registrationRules.channelConflict, /reg-0 of partner pa-2 holds FW-100/));

    it('lets a claim through beside an approved one on other products, or one that has expired', () => {
      spec.given([]).when(submit, { approvedClaims: [{ ...rival, skus: ['EDR-9'] }] }).then([submitted]);
      spec.given([]).when(submit, { approvedClaims: [{ ...rival, expiresAt: defaultContext.now }] }).then([submitted]);
    });
  });

  describe('deciding', () => {
    it('is approved by a sales manager, carrying what it protects', () => spec.given([submitted]).when({ type: 'ApproveRegistration' }, manager).then([approved]));

    it('is rejected by a sales manager, with a reason', () =>
      spec
        .given([submitted])
        .when({ type: 'RejectRegistration', reason: 'the customer is a direct account' }, manager)
        .then([{ type: 'RegistrationRejected', data: { registrationId: 'reg-1', rejectedBy: 'mgr-1', reason: 'the customer is a direct account' } }]));

    it(`refuses approval while another registration holds the customer and product (${registrationRules.channelConflict.id})`, () =>
      spec.given([submitted]).when({ type: 'ApproveRegistration' }, { ...manager, approvedClaims: [rival] }).thenRefuses(registrationRules.channelConflict));

    it('is not in conflict with its own approval', () =>
      spec.given([submitted]).when({ type: 'ApproveRegistration' }, { ...manager, approvedClaims: [{ ...rival, registrationId: 'reg-1' }] }).then([approved]));

    it(`decides only a registration awaiting a decision (${registrationRules.decidedWhilePending.id})`, () => {
      spec.given([]).when({ type: 'ApproveRegistration' }, manager).thenRefuses(registrationRules.decidedWhilePending, /never submitted/);
      spec.given([submitted, approved]).when({ type: 'RejectRegistration' }, manager).thenRefuses(registrationRules.decidedWhilePending, /already approved/);
    });

    it(`is decided by a sales manager or an admin who did not submit it (${registrationRules.decidedByManager.id})`, () => {
      spec.given([submitted]).when({ type: 'ApproveRegistration' }).thenRefuses(registrationRules.decidedByManager, /sales_rep cannot decide/);
      spec.given([submitted]).when({ type: 'ApproveRegistration' }, { actor: { id: 'rep-1', role: 'sales_manager' } }).thenRefuses(registrationRules.decidedByManager, /submitted this/);
      spec.given([submitted]).when({ type: 'ApproveRegistration' }, { actor: { id: 'admin-1', role: 'admin' } }).then([{ ...approved, data: { ...approved.data, approvedBy: 'admin-1' } } as RegistrationEvent]);
    });

    it(`refuses to approve a registration past its expiry (${registrationRules.notApprovedExpired.id})`, () =>
      spec.given([submitted]).when({ type: 'ApproveRegistration' }, { ...manager, now: expiresAt }).thenRefuses(registrationRules.notApprovedExpired));
  });

  describe('expiring', () => {
    const expired: RegistrationEvent = { type: 'RegistrationExpired', data: { registrationId: 'reg-1', expiresAt } };
    it('expires an approved or pending registration once its time has come', () => {
      spec.given([submitted, approved]).when({ type: 'ExpireRegistration' }, { now: expiresAt }).then([expired]);
      spec.given([submitted]).when({ type: 'ExpireRegistration' }, { now: '2027-03-01T00:00:00.000Z' }).then([expired]);
    });
    it(`refuses to expire before its time, twice, or once rejected (${registrationRules.expiresOnTime.id})`, () => {
      spec.given([submitted, approved]).when({ type: 'ExpireRegistration' }).thenRefuses(registrationRules.expiresOnTime, /runs until/);
      spec.given([submitted, expired]).when({ type: 'ExpireRegistration' }, { now: expiresAt }).thenRefuses(registrationRules.expiresOnTime, /already expired/);
      spec
        .given([submitted, { type: 'RegistrationRejected', data: { registrationId: 'reg-1', rejectedBy: 'mgr-1' } }])
        .when({ type: 'ExpireRegistration' }, { now: expiresAt })
        .thenRefuses(registrationRules.expiresOnTime, /already rejected/);
    });
  });

  it('writes events that satisfy their stored schemas', () => {
    for (const event of [submitted, approved]) expect(() => registrationEventSchemas[event.type].parse(event.data)).not.toThrow();
  });
});
