import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildServer } from '../../api/server.js';
import type { Clock } from '../../application/ports/clock.js';
import { DEVELOPMENT_KEYS, loadConfig } from '../../infrastructure/config.js';
import { openSystem, type System } from '../../infrastructure/system.js';

export const keyFor = (role: string) => Object.entries(DEVELOPMENT_KEYS).find(([, v]) => v.role === role)![0];

export type TestApp = {
  app: FastifyInstance;
  system: System;
  dataDir: string;
  /** POST as the given role (sales_rep by default). */
  post: (url: string, body: unknown, options?: { role?: string; headers?: Record<string, string> }) => Promise<LightMyRequestResponse>;
  get: (url: string, options?: { role?: string; headers?: Record<string, string> }) => Promise<LightMyRequestResponse>;
  close: () => Promise<void>;
};

/**
 * The sellers behind the development keys, on the roster as a company would have them: the rep
 * under the manager, in one team. Deals, quotes, promises and leads are owned by sellers on it.
 */
export const DEVELOPMENT_ROSTER = [
  { actorId: 'dev-sales-manager', name: '销售经理 (development)', team: 'east', role: 'sales_manager' },
  { actorId: 'dev-sales-rep', name: '销售代表 (development)', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' },
] as const;

/** Views are built behind the listener, as in production: a test starts once the server says it is ready. */
const untilReady = async (app: FastifyInstance) => {
  const deadline = Date.now() + 10_000;
  while ((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode !== 200) {
    if (Date.now() > deadline) throw new Error('The test server was not ready within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** The real server on the embedded stores in a temporary folder (or the one given), driven through inject; the development sellers on the roster unless `roster: false`. */
export const startTestApp = async (options: { clock?: Clock; env?: Record<string, string>; roster?: boolean; dataDir?: string } = {}): Promise<TestApp> => {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ledger-test-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...options.env });
  const system = await openSystem({ config, logger: pino({ level: 'silent' }), ...(options.clock ? { clock: options.clock } : {}) });
  if (options.roster ?? true) {
    for (const rep of DEVELOPMENT_ROSTER) {
      await system.commands.reps.hire(rep, { commandId: `roster ${rep.actorId}`, actor: { id: 'dev-admin', role: 'admin' }, correlationId: 'test roster' });
    }
  }
  const app = await buildServer(system);
  await app.ready();
  await untilReady(app);
  const auth = (role = 'sales_rep') => ({ authorization: `Bearer ${keyFor(role)}` });
  return {
    app,
    system,
    dataDir,
    post: (url, body, o = {}) =>
      app.inject({ method: 'POST', url, headers: { ...auth(o.role), 'content-type': 'application/json', ...o.headers }, payload: JSON.stringify(body) }),
    get: (url, o = {}) => app.inject({ method: 'GET', url, headers: { ...auth(o.role), ...o.headers } }),
    async close() {
      await app.close();
      await system.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
