import { expect } from 'vitest';
import type { TestApp } from './testApp.js';

const YEAR_MS = 365 * 86_400_000;

/**
 * Certifies a seller on the given skus for a year from now, hiring them first (under the development
 * manager) when they are not on the roster yet: under the default policy only a certified seller may
 * send a quote on a product.
 */
export const certifySeller = async (t: TestApp, skus: string[], actorId = 'dev-sales-rep', role = 'sales_rep') => {
  const onRoster = (await t.system.eventStore.readStream(`rep-${actorId}`, { maxCount: 1 })).length > 0;
  if (!onRoster) {
    const hired = await t.post('/reps', { actorId, name: actorId, team: 'east', role, managerId: 'dev-sales-manager' }, { role: role === 'sales_rep' ? 'sales_manager' : 'admin' });
    expect(hired.statusCode, hired.body).toBe(201);
  }
  const now = t.system.clock.now();
  const trained = await t.post(
    `/reps/${actorId}/training`,
    { course: 'Product certification', passedAt: now, certifies: skus, expiresAt: new Date(Date.parse(now) + YEAR_MS).toISOString() },
    { role: actorId === 'dev-sales-manager' ? 'admin' : 'sales_manager' },
  );
  expect(trained.statusCode, trained.body).toBe(201);
};

/** Hires a rep onto the development manager's team, as that manager: a seller deals can be handed to. */
export const hireRep = async (t: TestApp, actorId: string, managerId = 'dev-sales-manager') => {
  const hired = await t.post('/reps', { actorId, name: actorId, team: 'east', role: 'sales_rep', managerId }, { role: 'sales_manager' });
  expect(hired.statusCode, hired.body).toBe(201);
};
