import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../../api/server.js';
import { loadConfig } from '../../infrastructure/config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { openSystem } from '../../infrastructure/system.js';
import { keyFor } from '../support/testApp.js';

const admin = { commandId: '', actor: { id: 'dev-admin', role: 'admin' as const }, correlationId: 'readiness' };

describe('readiness after a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-readiness-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens at once, and says not ready, naming the views, until each has reached the head the log had when it started', async () => {
    // Events the views have not applied: written while nothing followed them.
    const first = await openSystem({ config, logger: pino({ level: 'silent' }) });
    await first.runner.stop();
    for (const id of ['rep-1', 'rep-2', 'rep-3']) {
      await first.commands.reps.hire({ actorId: id, name: id, team: 'east', role: 'sales_rep' }, { ...admin, commandId: `hire ${id}` });
    }
    await first.close();

    // Reading the log is held back, as a long log would hold it, so the catch-up is seen under way.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const readAll = SqliteEventStore.prototype.readAll;
    vi.spyOn(SqliteEventStore.prototype, 'readAll').mockImplementation(async function (this: SqliteEventStore, ...args) {
      await held;
      return readAll.apply(this, args);
    });
    const system = await openSystem({ config, logger: pino({ level: 'silent' }) });
    const app = await buildServer(system);
    try {
      await app.ready();
      expect((await app.inject('/health/live')).statusCode).toBe(200);
      const catchingUp = await app.inject('/health/ready');
      expect(catchingUp.statusCode).toBe(503);
      expect(catchingUp.json().checks.views).toBe('catching_up');
      expect(catchingUp.json().viewsCatchingUp).toEqual(expect.arrayContaining(['reps', 'pipeline', 'customer360']));

      release();
      await expect.poll(async () => (await app.inject('/health/ready')).statusCode, { timeout: 5000 }).toBe(200);
      const ready = (await app.inject('/health/ready')).json();
      expect(ready.checks.views).toBe('consistent');
      expect(ready.viewsCatchingUp).toEqual([]);
      const rep = await app.inject({ method: 'GET', url: '/views/reps/rep-3', headers: { authorization: `Bearer ${keyFor('admin')}` } });
      expect(rep.statusCode).toBe(200);
    } finally {
      await app.close();
      await system.close();
    }
  });
});
