import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { TargetKind } from './httpTarget.js';
import { median, tempDir } from './support.js';

const runTarget = async (kind: TargetKind, port: number, durationSeconds: number) => {
  const workspace = tempDir(`http-${kind}`);
  const target = fork(join(import.meta.dirname, 'httpTarget.js'), [kind, String(port), workspace.dir], { stdio: 'inherit' });
  try {
    await new Promise<void>((resolve, reject) => {
      target.once('message', () => resolve());
      target.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
    });
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/customers`,
      connections: 64,
      duration: durationSeconds,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer dev-sales-rep-key-0000' },
      body: JSON.stringify({ name: 'Bench Bank', industry: 'finance', region: 'east' }),
    });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${kind}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
    return result.requests.average;
  } finally {
    target.kill('SIGKILL');
    workspace.remove();
  }
};

/** Alternates baseline and ours so a drift in the machine's speed hits both alike; the baseline is `bare` (one insert a request) unless told. */
export const httpBenchmark = async (rounds: number, durationSeconds: number, baselineKind: Exclude<TargetKind, 'ledger'> = 'bare') => {
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < rounds; round++) {
    baseline.push(await runTarget(baselineKind, 41000 + round * 2, durationSeconds));
    ours.push(await runTarget('ledger', 41001 + round * 2, durationSeconds));
  }
  return { ours: median(ours), baseline: median(baseline), rounds: { ours, baseline } };
};
