import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES } from '../../application/roles.js';
import { DEVELOPMENT_KEYS } from '../../infrastructure/config.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ roster: false });
});
afterAll(() => t.close());

describe('GET /me', () => {
  it.each(ROLES)("answers the %s key's actor, its role and every kind of route PERMISSIONS lets that role reach", async (role) => {
    const response = await t.get('/me', { role });
    expect(response.statusCode).toBe(200);
    const expected = Object.entries(PERMISSIONS)
      .filter(([, roles]) => (roles as readonly string[]).includes(role))
      .map(([permission]) => permission);
    const actorId = Object.values(DEVELOPMENT_KEYS).find((identity) => identity.role === role)!.actorId;
    expect(response.json()).toEqual({ actorId, role, permissions: expected });
  });

  it('lets an auditor audit and read findings but answer, waive or close none, and a compliance officer do all of these', async () => {
    const auditor = (await t.get('/me', { role: 'auditor' })).json().permissions;
    expect(auditor).toEqual(expect.arrayContaining(['audit', 'readFindings', 'readViews']));
    expect(auditor.filter((p: string) => ['answerFindings', 'waiveFindings', 'closeFindings'].includes(p))).toEqual([]);
    const officer = (await t.get('/me', { role: 'compliance_officer' })).json().permissions;
    expect(officer).toEqual(expect.arrayContaining(['audit', 'readFindings', 'answerFindings', 'waiveFindings', 'closeFindings']));
  });

  it('answers 401 with a problem document without a valid key', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/me', headers: { authorization: 'Bearer not-a-key-of-anyone' } });
    expect([response.statusCode, response.json().type]).toEqual([401, '/problems/unauthorized']);
  });
});
