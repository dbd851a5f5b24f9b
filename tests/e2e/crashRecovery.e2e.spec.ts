import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServerOnce } from '../support/build.js';
import { freePort } from '../../bench/support.js';

/**
 * The real server process on the embedded store: killed with SIGKILL in the middle of a
 * burst of commands, started again, and checked for every acknowledged command.
 */
const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
const REP = 'Bearer dev-sales-rep-key-0000';
const AUDITOR = 'Bearer dev-auditor-key-0000';
const ADMIN = 'Bearer dev-admin-key-0000';

let port: number;
let server: ChildProcess | undefined;
const url = (path: string) => `http://127.0.0.1:${port}${path}`;

const startServer = async () => {
  server = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'development' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    const ready = await fetch(url('/health/ready')).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server did not become ready');
};

const post = (path: string, body: unknown, key?: string) =>
  fetch(url(path), {
    method: 'POST',
    headers: { authorization: REP, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });

// Answers are checked by assertions, not by the type system.
type Json = any;

const get = async (path: string, auth = AUDITOR): Promise<Json> => {
  const response = await fetch(url(path), { headers: { authorization: auth } });
  expect(response.status, path).toBe(200);
  return response.json();
};

const pipelineView = async (after: number) => {
  const items: unknown[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: unknown[]; nextCursor: string | null } = await get(`/views/pipeline?sort=age&limit=200&after=${after}${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return { items, summary: await get(`/views/pipeline/summary?after=${after}`) };
};

beforeAll(async () => {
  await buildServerOnce();
  port = await freePort();
  await startServer();
}, 120_000);

afterAll(() => {
  server?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the server process, killed mid-burst', () => {
  it('keeps every acknowledged command and rebuilds the same pipeline after a restart', async () => {
    const customer: Json = await (await post('/customers', { name: 'Crash Test Bank', industry: 'finance', region: 'east' })).json();

    type Ack = { key: string; streamId: string; revision: number; events: string[] };
    const acknowledged: Ack[] = [];
    let sent = 0;
    const send = async (i: number) => {
      const key = `burst-${String(i).padStart(6, '0')}`;
      const request =
        i % 3 === 0
          ? post(`/customers/${customer.id}/interactions`, { kind: 'call', note: `call ${i}` }, key)
          : post('/opportunities', { customerId: customer.id, title: `Deal ${i}`, ownerId: `rep-${i % 4}`, amount: { minor: 1000 + i, currency: 'CNY' } }, key);
      sent++;
      try {
        const response = await request;
        if (response.status === 201) acknowledged.push({ key, ...((await response.json()) as Omit<Ack, 'key'>) });
      } catch {
        // The process died under this request: it was never acknowledged.
      }
    };

    const workers = Array.from({ length: 16 }, async (_, w) => {
      for (let i = w; i < 5000; i += 16) {
        if (!server || server.exitCode !== null || server.signalCode) return;
        await send(i);
        if (acknowledged.length >= 150 && w === 0 && server.signalCode === null) server.kill('SIGKILL');
      }
    });
    await Promise.all(workers);
    expect(server!.signalCode).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);
    expect(sent).toBeGreaterThan(acknowledged.length);

    await startServer();

    for (const ack of acknowledged) {
      const stream = await get(`/streams/${ack.streamId}?fromRevision=${ack.revision}&limit=1`);
      const [event] = stream.events as { revision: number; type: string; metadata: { commandId: string } }[];
      expect(event, ack.key).toMatchObject({ revision: ack.revision, type: ack.events[0], metadata: { commandId: ack.key } });
    }

    const verify = await get(`/streams/customer-${customer.id}/verify`);
    expect(verify.intact).toBe(true);

    const head = (await get('/admin/projections', ADMIN)).head as number;
    const served = await pipelineView(head);
    const rebuild = await fetch(url('/admin/projections/pipeline/rebuild'), { method: 'POST', headers: { authorization: ADMIN } });
    expect(rebuild.status).toBe(202);
    const { building } = (await rebuild.json()) as { building: { generation: number } };
    await expect
      .poll(async () => (await get('/admin/projections', ADMIN)).projections[0].active.generation, { timeout: 10_000 })
      .toBe(building.generation);
    const rebuilt = await pipelineView(head);
    expect(rebuilt).toEqual(served);
    // Commands that committed just before the kill but never answered are in the log too.
    expect(served.items.length).toBeGreaterThanOrEqual(acknowledged.filter((a) => a.streamId.startsWith('opportunity-')).length);
  }, 120_000);

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    server!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
