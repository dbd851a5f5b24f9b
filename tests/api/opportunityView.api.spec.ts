import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hireRep } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

let t: TestApp;
let position = 0;
let own: string;
let teammates: string;
let otherTeams: string;

const ok = async (response: Promise<LightMyRequestResponse>, status = 200) => {
  const answered = await response;
  expect(answered.statusCode, answered.body).toBe(status);
  position = Math.max(position, answered.json().position);
  return answered.json() as { id: string; position: number };
};
const view = (id: string, role: string) => t.get(`/views/opportunities/${id}?after=${position}`, { role });

beforeAll(async () => {
  t = await startTestApp();
  await hireRep(t, 'rep-a');
  await ok(t.post('/reps', { actorId: 'far-manager', name: 'far-manager', team: 'west', role: 'sales_manager' }, { role: 'admin' }), 201);
  await ok(t.post('/reps', { actorId: 'rep-far', name: 'rep-far', team: 'west', role: 'sales_rep', managerId: 'far-manager' }, { role: 'admin' }), 201);
  const { id: customerId } = await ok(t.post('/customers', { name: 'View Bank', industry: 'finance', region: 'east' }), 201);
  const deal = (ownerId: string, role: string) =>
    ok(t.post('/opportunities', { customerId, title: `Deal of ${ownerId}`, ownerId, amount: { minor: 500_000, currency: 'CNY' } }, { role }), 201);
  own = (await deal('dev-sales-rep', 'sales_rep')).id;
  teammates = (await deal('rep-a', 'sales_manager')).id;
  otherTeams = (await deal('rep-far', 'admin')).id;
  await ok(t.post(`/opportunities/${own}/stage`, { stage: 'proposal' }));
  await ok(t.post(`/opportunities/${own}/win`, {}));
});
afterAll(() => t.close());

describe('GET /views/opportunities/{id}', () => {
  it("answers a deal with the events of its stream in order, closed ones too", async () => {
    const response = await view(own, 'sales_rep');
    expect(response.statusCode, response.body).toBe(200);
    const { opportunity, events } = response.json();
    expect(opportunity).toMatchObject({ id: own, ownerId: 'dev-sales-rep', status: 'won', amount: { minor: 500_000, currency: 'CNY' } });
    expect(events.map((e: { type: string; revision: number }) => [e.revision, e.type])).toEqual([
      [0, 'OpportunityOpened'],
      [1, 'OpportunityStageChanged'],
      [2, 'OpportunityWon'],
    ]);
    expect(events[1]).toMatchObject({ streamId: `opportunity-${own}`, data: { to: 'proposal' }, metadata: { actor: { id: 'dev-sales-rep' } } });
  });

  it("keeps to the caller's scope: a rep their own deals, a manager their team's, analysts everyone's", async () => {
    const statuses = async (role: string) => Promise.all([own, teammates, otherTeams].map(async (id) => (await view(id, role)).statusCode));
    expect(await statuses('sales_rep')).toEqual([200, 403, 403]);
    expect(await statuses('sales_manager')).toEqual([200, 200, 403]);
    expect(await statuses('analyst')).toEqual([200, 200, 200]);
    expect((await view(otherTeams, 'sales_manager')).json()).toMatchObject({ type: '/problems/forbidden' });
  });

  it('answers 404 for a deal never opened, and 403 to a role that reads no views', async () => {
    const unknown = await view('00000000-0000-4000-8000-000000000000', 'analyst');
    expect([unknown.statusCode, unknown.json().type]).toEqual([404, '/problems/not-found']);
    expect((await view(own, 'support_agent')).statusCode).toBe(403);
  });
});
