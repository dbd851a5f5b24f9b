import { expect } from 'vitest';
import type { TestApp } from './testApp.js';

const YEAR_MS = 365 * 86_400_000;

/**
 * Puts a development key's actor on the roster as a rep certified on the given skus, for a year
 * from now: under the default policy only a certified seller may send a quote on a product.
 */
export const certifySeller = async (t: TestApp, skus: string[], actorId = 'dev-sales-rep', role = 'sales_rep') => {
  const hired = await t.post('/reps', { actorId, name: actorId, team: 'east', role, managerId: 'dev-sales-manager' }, { role: 'sales_manager' });
  expect(hired.statusCode, hired.body).toBe(201);
  const now = t.system.clock.now();
  const trained = await t.post(
    `/reps/${actorId}/training`,
    { course: 'Product certification', passedAt: now, certifies: skus, expiresAt: new Date(Date.parse(now) + YEAR_MS).toISOString() },
    { role: 'sales_manager' },
  );
  expect(trained.statusCode, trained.body).toBe(201);
};
