import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServerOnce } from '../support/build.js';
import { freePort } from '../../bench/support.js';

/**
 * One API process and two workers on one data directory, as separate processes: the API runs no
 * follower, one worker runs them all, and when it is killed the other takes them over and the
 * views carry on to the same answer a rebuild gives.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'ledger-scale-'));
const LEASE_TTL_MS = 1_500;
const REP = 'Bearer dev-sales-rep-key-0000';
const MANAGER = 'Bearer dev-sales-manager-key-0000';
const ADMIN = 'Bearer dev-admin-key-0000';
const ANALYST = 'Bearer dev-analyst-key-0000';

type Process = { child: ChildProcess; port: number };
const processes: Process[] = [];
let root: string;

const start = async (role: 'api' | 'worker', name: string): Promise<Process> => {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: { ...process.env, ROLE: role, WORKER_NAME: name, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', LEASE_TTL_MS: String(LEASE_TTL_MS), NODE_ENV: 'development' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const started = { child, port };
  processes.push(started);
  for (let i = 0; i < 200; i++) {
    const live = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (live) return started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the ${role} process did not come up`);
};

// Answers are checked by assertions, not by the type system.
type Json = any;
let api: Process;
let first: Process;
let second: Process;
const url = (path: string, on: Process = api) => `http://127.0.0.1:${on.port}${path}`;
const post = async (path: string, body: unknown, auth = REP): Promise<Json> => {
  const response = await fetch(url(path), { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
  return response.json();
};
const get = async (path: string, auth = ANALYST): Promise<Json> => {
  const response = await fetch(url(path), { headers: { authorization: auth } });
  expect(response.status, path).toBe(200);
  return response.json();
};
const followers = async (): Promise<{ name: string; state: string; holder: string | null }[]> => (await get('/admin/projections', ADMIN)).followers;

const pipeline = async (after: number) => {
  const items: unknown[] = [];
  let cursor: string | null = null;
  do {
    const page: Json = await get(`/views/pipeline?sort=age&limit=200&after=${after}${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return { items, summary: await get(`/views/pipeline/summary?after=${after}`) };
};

beforeAll(async () => {
  root = await buildServerOnce();
  api = await start('api', 'api-1');
  first = await start('worker', 'worker-1');
  for (let i = 0; i < 200 && (await fetch(url('/health/ready'))).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
  second = await start('worker', 'worker-2');
}, 120_000);

afterAll(() => {
  for (const { child } of processes) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an API process and two workers on one data directory', () => {
  it('runs every follower in one worker, moves them to the other when it is killed, and the views end equal to a rebuild', async () => {
    const before = await followers();
    expect(before.length).toBeGreaterThan(8);
    expect(before.every((f) => f.state === 'running' && f.holder?.startsWith('worker-1@'))).toBe(true);
    // The workers serve health and metrics, not the API.
    expect((await fetch(url('/customers', second), { method: 'POST', headers: { authorization: REP } })).status).toBe(404);
    expect((await fetch(url('/health/ready', second))).status).toBe(200);

    await post('/reps', { actorId: 'dev-sales-rep', name: '张伟', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, MANAGER);
    const customer = await post('/customers', { name: '华东银行', industry: 'finance', region: 'east' });
    const open = async (i: number) =>
      post('/opportunities', { customerId: customer.id, title: `Deal ${i}`, ownerId: 'dev-sales-rep', amount: { minor: 100_000 + i, currency: 'CNY' } });
    const deals: Json[] = [];
    for (let i = 0; i < 20; i++) deals.push(await open(i));
    for (const deal of deals.slice(0, 10)) await post(`/opportunities/${deal.id}/stage`, { stage: 'proposal' });
    const beforeKill = deals.at(-1).position as number;
    expect((await pipeline(beforeKill)).items).toHaveLength(20);

    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    for (let i = 20; i < 30; i++) deals.push(await open(i));
    const last = (await post(`/opportunities/${deals[0].id}/win`, {})).position as number;
    await expect.poll(async () => (await fetch(url(`/views/pipeline/summary?after=${last}`), { headers: { authorization: ANALYST } })).status, { timeout: LEASE_TTL_MS * 4 }).toBe(200);
    expect(Date.now() - killedAt).toBeLessThan(LEASE_TTL_MS * 4);
    await expect.poll(async () => (await followers()).every((f) => f.state === 'running' && f.holder?.startsWith('worker-2@')), { timeout: LEASE_TTL_MS * 4 }).toBe(true);
    expect((await fetch(url('/health/ready'))).status).toBe(200);

    const served = await pipeline(last);
    expect(served.items).toHaveLength(29);
    const rebuild = await fetch(url('/admin/projections/pipeline/rebuild'), { method: 'POST', headers: { authorization: ADMIN } });
    expect(rebuild.status).toBe(202);
    const { building } = (await rebuild.json()) as { building: { generation: number } };
    await expect
      .poll(async () => (await get('/admin/projections', ADMIN)).projections.find((p: Json) => p.name === 'pipeline').active.generation, { timeout: 10_000 })
      .toBe(building.generation);
    expect(await pipeline(last)).toEqual(served);
  });
});
