import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDiskCli } from '../../cli/disk.js';
import { diskUsage } from '../../cli/diskUsage.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  for (const name of ['Acme Bank', 'Beta Insurance', 'Gamma Telecom']) {
    expect((await t.post('/customers', { name, industry: 'finance', region: 'east' })).statusCode).toBe(201);
  }
});
afterAll(() => t.close());

const run = (argv: string[], env: Record<string, string> = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = runDiskCli(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env });
  return { code, stdout: out.join(''), stderr: err.join('') };
};

describe('npm run disk', () => {
  it('reports, beside the running server, the log per kind of event and the views per collection', () => {
    const usage = diskUsage(t.dataDir);
    const registered = usage.kinds.find((kind) => kind.type === 'CustomerRegistered')!;
    expect(registered.events).toBe(3);
    // The metadata as stored takes about half what it reads back to as JSON.
    expect(registered.metadataBytes).toBeLessThan(registered.metadataJsonBytes * 0.6);
    expect(usage.events).toBe(usage.kinds.reduce((sum, kind) => sum + kind.events, 0));
    expect(usage.log.tables.map((table) => table.table)).toContain('events');
    expect(usage.views?.tables.some((table) => table.table.startsWith('view_customers'))).toBe(true);

    const { code, stdout } = run([], { DATA_DIR: t.dataDir });
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`events\\.sqlite: ${usage.events} events`));
    expect(stdout).toMatch(/CustomerRegistered +3 +\d+ +\d+ +\d+/);
    expect(stdout).toMatch(/views\.sqlite: /);
    expect(run(['--data-dir', t.dataDir]).stdout).toBe(stdout);
  });

  it('says what is wrong with its arguments or its folder', () => {
    expect(run(['--nope']).code).toBe(2);
    const missing = run(['--data-dir', join(tmpdir(), 'no-such-ledger-folder')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/events\.sqlite|directory|not open/);
  });
});
