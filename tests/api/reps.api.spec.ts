import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock, roster: false });
});
afterAll(() => t.close());

type Answer = { id: string; streamId: string; revision: number; position: number; events: string[] };

const ok = async (url: string, body: unknown, role = 'sales_manager', status = 200) => {
  const response = await t.post(url, body, { role });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
  return response.json() as Answer;
};
const hire = (actorId: string, extra: Record<string, unknown> = {}) =>
  ok('/reps', { actorId, name: '李娜', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager', ...extra }, 'sales_manager', 201);
const repView = async (id: string, after: number) => (await t.get(`/views/reps/${id}?after=${after}`, { role: 'analyst' })).json();

describe('hiring', () => {
  it('puts a rep on the roster under the identity their key carries, with team, role and manager', async () => {
    const hired = await hire('rep-li');
    expect(hired).toEqual({ id: 'rep-li', streamId: 'rep-rep-li', revision: 0, position: expect.any(Number), events: ['RepHired'] });
    expect(await repView('rep-li', hired.position)).toEqual({
      id: 'rep-li',
      name: '李娜',
      team: 'east',
      role: 'sales_rep',
      managerId: 'dev-sales-manager',
      active: true,
      offboardedAt: null,
      offboardReason: null,
      certifications: [],
      hiredAt: clock.at,
      updatedAt: clock.at,
    });
  });

  it('hires once, names a real role, and is for managers and admins', async () => {
    expect((await t.post('/reps', { actorId: 'rep-li', name: 'Li', team: 'east', role: 'sales_rep' }, { role: 'sales_manager' })).statusCode).toBe(409);
    const bad = await t.post('/reps', { actorId: 'rep li/x', name: 'X', team: 'east', role: 'closer' }, { role: 'sales_manager' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['actorId', 'role']));
    expect((await t.post('/reps', { actorId: 'rep-x', name: 'X', team: 'east', role: 'sales_rep' }, { role: 'sales_rep' })).statusCode).toBe(403);
    const own = await t.post('/reps', { actorId: 'rep-self', name: 'Self', team: 'east', role: 'sales_rep', managerId: 'rep-self' }, { role: 'admin' });
    expect(own.json()).toMatchObject({ status: 422, rule: { id: 'REP-06' } });
    expect((await t.get('/views/reps/rep-nobody')).json()).toMatchObject({ status: 404, resource: 'Rep' });
  });
});

describe('training', () => {
  it('records the certifications a course grants, each with its expiry and whether it is valid now', async () => {
    await hire('rep-wang');
    const current = await ok(
      '/reps/rep-wang/training',
      { course: 'FW-100 engineer', passedAt: '2026-02-01T08:00:00+08:00', certifies: ['FW-100', 'EDR-1'], expiresAt: '2027-02-01T00:00:00Z' },
      'compliance_officer',
      201,
    );
    expect(current.events).toEqual(['TrainingRecorded']);
    const lapsed = await ok(
      '/reps/rep-wang/training',
      { course: 'SOC basics', passedAt: '2024-01-01T00:00:00Z', certifies: ['SOC-1'], expiresAt: '2025-01-01T00:00:00Z' },
      'sales_manager',
      201,
    );
    expect((await repView('rep-wang', lapsed.position)).certifications).toEqual([
      { sku: 'FW-100', course: 'FW-100 engineer', trainingId: expect.any(String), passedAt: '2026-02-01T00:00:00.000Z', expiresAt: '2027-02-01T00:00:00.000Z', valid: true },
      { sku: 'EDR-1', course: 'FW-100 engineer', trainingId: expect.any(String), passedAt: '2026-02-01T00:00:00.000Z', expiresAt: '2027-02-01T00:00:00.000Z', valid: true },
      { sku: 'SOC-1', course: 'SOC basics', trainingId: expect.any(String), passedAt: '2024-01-01T00:00:00.000Z', expiresAt: '2025-01-01T00:00:00.000Z', valid: false },
    ]);
    const before = clock.at;
    clock.at = '2027-02-01T00:00:00.000Z';
    try {
      expect((await repView('rep-wang', lapsed.position)).certifications.map((c: { valid: boolean }) => c.valid)).toEqual([false, false, false]);
    } finally {
      clock.at = before;
    }
  });

  it('refuses a course still to come, an expiry before the pass, and anyone recording their own training', async () => {
    const course = (extra: Record<string, unknown>) => ({ course: 'EDR', passedAt: '2026-03-01T00:00:00Z', certifies: ['EDR-1'], expiresAt: '2027-03-01T00:00:00Z', ...extra });
    expect((await t.post('/reps/rep-wang/training', course({ passedAt: '2026-03-03T00:00:00Z' }), { role: 'sales_manager' })).json().rule.id).toBe('REP-10');
    expect((await t.post('/reps/rep-wang/training', course({ expiresAt: '2026-02-01T00:00:00Z' }), { role: 'sales_manager' })).json().rule.id).toBe('REP-10');
    await ok('/reps', { actorId: 'dev-sales-manager', name: 'Zhao', team: 'east', role: 'sales_manager' }, 'admin', 201);
    const own = await t.post('/reps/dev-sales-manager/training', course({}), { role: 'sales_manager' });
    expect(own.json()).toMatchObject({ status: 422, rule: { id: 'REP-08' } });
    expect((await t.post('/reps/rep-nobody/training', course({}), { role: 'sales_manager' })).json()).toMatchObject({ status: 404, resource: 'Rep' });
    expect((await t.post('/reps/rep-wang/training', course({}), { role: 'sales_rep' })).statusCode).toBe(403);
  });
});

describe('role and team', () => {
  it('changes the role, and moves the rep to another team under another manager', async () => {
    await hire('rep-zhou');
    expect((await t.post('/reps/rep-zhou/role', { role: 'sales_manager' }, { role: 'sales_manager' })).json().rule.id).toBe('REP-14');
    const promoted = await ok('/reps/rep-zhou/role', { role: 'sales_manager', reason: 'leads the east team' }, 'admin');
    expect(promoted.events).toEqual(['RepRoleChanged']);
    const moved = await ok('/reps/rep-zhou/team', { team: 'north', managerId: 'mgr-north' }, 'admin');
    expect(moved.events).toEqual(['RepTeamChanged']);
    expect(await repView('rep-zhou', moved.position)).toMatchObject({ role: 'sales_manager', team: 'north', managerId: 'mgr-north' });
    expect((await t.post('/reps/rep-zhou/role', { role: 'sales_manager' }, { role: 'admin' })).json().rule.id).toBe('REP-07');
    expect((await t.post('/reps/rep-zhou/role', { role: 'boss' }, { role: 'sales_manager' })).statusCode).toBe(400);
    expect((await t.post('/reps/rep-zhou/role', { role: 'admin' }, { role: 'compliance_officer' })).statusCode).toBe(403);
  });
});

describe('offboarding', () => {
  it('needs a reason, and is final', async () => {
    await hire('rep-chen');
    expect((await t.post('/reps/rep-chen/offboard', {}, { role: 'sales_manager' })).statusCode).toBe(400);
    const offboarded = await ok('/reps/rep-chen/offboard', { reason: 'left the company' });
    expect(await repView('rep-chen', offboarded.position)).toMatchObject({ active: false, offboardedAt: clock.at, offboardReason: 'left the company' });
    expect((await t.post('/reps/rep-chen/role', { role: 'sales_manager' }, { role: 'sales_manager' })).json().rule.id).toBe('REP-03');
  });

  it("leaves the rep's key unable to issue any command, at once, while reads still answer", async () => {
    const customer = async () => t.post('/customers', { name: 'Acme Bank', industry: 'finance', region: 'east' });
    expect((await customer()).statusCode).toBe(201);
    await hire('dev-sales-rep');
    expect((await customer()).statusCode).toBe(201);
    await ok('/reps/dev-sales-rep/offboard', { reason: 'left the company' });

    const head = await t.system.eventStore.headPosition();
    const refused = await customer();
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      type: '/problems/forbidden',
      rule: { id: 'REP-04', name: 'An offboarded rep can issue no command' },
      detail: 'dev-sales-rep was offboarded',
    });
    expect((await t.post('/promises', { customerId: '0193a000-0000-7000-8000-000000000001', kind: 'other', statement: 'x', dueDate: '2026-04-01' })).statusCode).toBe(403);
    expect(await t.system.eventStore.headPosition()).toBe(head);
    expect((await t.get('/views/reps/dev-sales-rep')).statusCode).toBe(200);
    // Everyone else still acts.
    expect((await t.post('/customers', { name: 'Beta', industry: 'retail', region: 'west' }, { role: 'sales_manager' })).statusCode).toBe(201);
  });
});
