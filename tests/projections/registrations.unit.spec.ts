import { describe, expect, it } from 'vitest';
import { REGISTRATION_DOCS, registrationsProjection } from '../../projections/registrations/registrationsProjection.js';
import { projectionSpecification, type GivenEvent } from '../support/projectionSpecification.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });

const submitted = (registrationId: string, customer: { customerId: string } | { company: string }, customerKey: string): GivenEvent => ({
  streamId: `registration-${registrationId}`,
  type: 'RegistrationSubmitted',
  data: {
    registrationId,
    partnerId: 'ptn-1',
    ...customer,
    customerKey,
    skus: ['FW-100'],
    expectedAmount: cny(500_000),
    expiresAt: '2026-06-30T16:00:00+08:00',
    submittedBy: 'channel-rep',
    submittedAt: '2026-03-02T09:00:01.000Z',
  },
});

describe('registrations view', () => {
  it('lists a registration as submitted, for a customer or for a company not yet one, its expiry in UTC', () => {
    const spec = projectionSpecification(registrationsProjection);
    spec.given(submitted('r1', { customerId: 'c1' }, 'customer:c1'), submitted('r2', { company: '华东银行' }, 'company:华东银行'));
    expect(spec.documents(REGISTRATION_DOCS)).toEqual([
      {
        id: 'r1',
        partnerId: 'ptn-1',
        customerId: 'c1',
        company: null,
        customerKey: 'customer:c1',
        skus: ['FW-100'],
        expectedAmount: cny(500_000),
        expiresAt: '2026-06-30T08:00:00.000Z',
        status: 'pending',
        submittedBy: 'channel-rep',
        submittedAt: '2026-03-02T09:00:01.000Z',
        decidedBy: null,
        reason: null,
        updatedAt: '2026-03-02T09:00:01.000Z',
      },
      expect.objectContaining({ id: 'r2', customerId: null, company: '华东银行', customerKey: 'company:华东银行', status: 'pending' }),
    ]);
  });

  it('follows the decision and the expiry, with who decided and why', () => {
    const spec = projectionSpecification(registrationsProjection);
    spec.given(
      submitted('r1', { customerId: 'c1' }, 'customer:c1'),
      submitted('r2', { customerId: 'c1' }, 'customer:c1'),
      {
        streamId: 'registration-r1',
        type: 'RegistrationApproved',
        data: { registrationId: 'r1', partnerId: 'ptn-1', customerKey: 'customer:c1', skus: ['FW-100'], expiresAt: '2026-06-30T08:00:00.000Z', approvedBy: 'mgr', reason: 'first to register' },
      },
      { streamId: 'registration-r2', type: 'RegistrationRejected', data: { registrationId: 'r2', rejectedBy: 'mgr', reason: 'channel conflict' } },
      { streamId: 'registration-r1', type: 'RegistrationExpired', data: { registrationId: 'r1', expiresAt: '2026-06-30T08:00:00.000Z' } },
    );
    expect(spec.documents(REGISTRATION_DOCS).map(({ id, status, decidedBy, reason, updatedAt }) => ({ id, status, decidedBy, reason, updatedAt }))).toEqual([
      { id: 'r1', status: 'expired', decidedBy: 'mgr', reason: 'first to register', updatedAt: '2026-03-02T09:00:05.000Z' },
      { id: 'r2', status: 'rejected', decidedBy: 'mgr', reason: 'channel conflict', updatedAt: '2026-03-02T09:00:04.000Z' },
    ]);
  });

  it('ignores a decision on a registration it never saw submitted', () => {
    const spec = projectionSpecification(registrationsProjection);
    spec.given({ streamId: 'registration-r9', type: 'RegistrationRejected', data: { registrationId: 'r9', rejectedBy: 'mgr' } });
    expect(spec.documents(REGISTRATION_DOCS)).toEqual([]);
  });
});
