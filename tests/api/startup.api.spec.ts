import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../../api/server.js';
import { loadConfig } from '../../infrastructure/config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { openSystem } from '../../infrastructure/system.js';
import { freePort } from '../../bench/support.js';

const admin = { actor: { id: 'dev-admin', role: 'admin' as const }, correlationId: 'startup' };
const CUSTOMERS = 300;

describe('a server starting on a log its views have not caught up with', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-startup-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens and answers /health/live before its followers start, and while they catch up, ready only once they have', async () => {
    // Written while nothing followed the log: every view and reactor has it all to read.
    const writer = await openSystem({ config, logger: pino({ level: 'silent' }), startFollowers: false });
    for (let i = 0; i < CUSTOMERS; i++) {
      await writer.commands.customers.register({ customerId: `customer-${i}`, name: `Customer ${i}`, industry: 'finance', region: 'east' }, { ...admin, commandId: `register ${i}` });
    }
    await writer.close();

    // The followers' reading of the log is held back, as a long log would hold it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const readAll = SqliteEventStore.prototype.readAll;
    const reads = vi.spyOn(SqliteEventStore.prototype, 'readAll').mockImplementation(async function (this: SqliteEventStore, ...args) {
      await held;
      return readAll.apply(this, args);
    });

    // As main.ts starts: the stores, the server, the listener; the followers after.
    const system = await openSystem({ config, logger: pino({ level: 'silent' }), startFollowers: false });
    const app = await buildServer(system);
    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });
    const url = (path: string) => `http://127.0.0.1:${port}${path}`;
    try {
      expect(reads).not.toHaveBeenCalled();
      expect((await fetch(url('/health/live'))).status).toBe(200);
      const beforeFollowers = await fetch(url('/health/ready'));
      expect(beforeFollowers.status).toBe(503);
      expect(((await beforeFollowers.json()) as { followersNotRunning: unknown[] }).followersNotRunning).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'projection:customer360', state: 'unheld' })]));

      await system.startFollowers();
      expect(reads).toHaveBeenCalled();
      expect((await fetch(url('/health/live'))).status).toBe(200);
      const catchingUp = await fetch(url('/health/ready'));
      expect(catchingUp.status).toBe(503);
      expect(((await catchingUp.json()) as { viewsCatchingUp: string[] }).viewsCatchingUp).toEqual(expect.arrayContaining(['customer360', 'customer_streams']));

      release();
      await expect.poll(async () => (await fetch(url('/health/ready'))).status, { timeout: 10_000 }).toBe(200);
      expect(system.runner.position('customer360')).toBe(await system.eventStore.headPosition());
    } finally {
      await app.close();
      await system.close();
    }
  });
});
