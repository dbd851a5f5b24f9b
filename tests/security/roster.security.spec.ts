import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/testApp.js';

/** The roster tried by a manager who would lock out the admin and the compliance office. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const register = () => t.post('/customers', { name: 'Probe Ltd', industry: 'retail', region: 'east' }, { role: 'admin' });

describe('the sales roster', () => {
  it('holds sales roles only: a manager cannot enrol the admin, the compliance office, an auditor or finance (REP-13)', async () => {
    for (const [actorId, role] of [['dev-admin', 'admin'], ['dev-compliance-officer', 'compliance_officer'], ['dev-auditor', 'auditor'], ['dev-finance', 'finance']]) {
      const enrolled = await t.post('/reps', { actorId, name: actorId, team: 'east', role }, { role: 'sales_manager' });
      expect(enrolled.json()).toMatchObject({ status: 422, rule: { id: 'REP-13' } });
    }
  });

  it('refuses a manager enrolling, even as a sales rep, an actor id whose key is outside sales, so none is made a seller behind its back (REP-16)', async () => {
    for (const actorId of ['dev-admin', 'dev-compliance-officer', 'dev-auditor', 'dev-finance', 'dev-analyst']) {
      const enrolled = await t.post('/reps', { actorId, name: 'Decoy', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, { role: 'sales_manager' });
      expect(enrolled.json()).toMatchObject({ status: 422, rule: { id: 'REP-16' } });
      expect((await t.post(`/reps/${actorId}/offboard`, { reason: 'lock them out' }, { role: 'sales_manager' })).statusCode).toBe(404);
    }
    expect((await register()).statusCode).toBe(201);
    expect((await t.post('/policy/revisions', {}, { role: 'compliance_officer' })).statusCode).toBe(400);
  });

  it('lets only someone above a seller offboard them, with a reason (REP-12, REP-14)', async () => {
    expect((await t.post('/reps/dev-sales-manager/offboard', { reason: 'rivalry' }, { role: 'sales_manager' })).json()).toMatchObject({ status: 422, rule: { id: 'REP-14' } });
    expect((await t.post('/reps/dev-sales-manager/offboard', {}, { role: 'admin' })).statusCode).toBe(400);
    expect((await t.post('/reps/dev-sales-manager/offboard', { reason: '   ' }, { role: 'admin' })).statusCode).toBe(400);
  });

  it('lets an admin always reinstate an offboarded seller, whose key then acts again (REP-15)', async () => {
    expect((await t.post('/reps/dev-sales-rep/offboard', { reason: 'left the company' }, { role: 'sales_manager' })).statusCode).toBe(200);
    const blocked = await t.post('/customers', { name: 'Blocked', industry: 'retail', region: 'east' });
    expect(blocked.json()).toMatchObject({ status: 403, rule: { id: 'REP-04' } });
    expect((await t.post('/reps/dev-sales-rep/reinstate', { reason: 'came back' }, { role: 'sales_manager' })).statusCode).toBe(403);
    const reinstated = await t.post('/reps/dev-sales-rep/reinstate', { reason: 'offboarded by mistake' }, { role: 'admin' });
    expect(reinstated.json()).toMatchObject({ events: ['RepReinstated'] });
    expect((await t.post('/customers', { name: 'Back', industry: 'retail', region: 'east' })).statusCode).toBe(201);
    const view = (await t.get(`/views/reps/dev-sales-rep?after=${reinstated.json().position}`)).json();
    expect(view).toMatchObject({ active: true, offboardedAt: null });
  });
});
