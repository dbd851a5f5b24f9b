import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const tempDir = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `ledger-bench-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
};

export const seconds = async (work: () => Promise<unknown> | unknown): Promise<number> => {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
};

/** Runs `count` jobs with at most `concurrency` of them in flight. */
export const inParallel = async (count: number, concurrency: number, job: (i: number) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
};

/** The value below which `p` percent of the values lie (the nearest rank). */
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export type Comparison = { name: string; unit: string; ours: number; baseline: number; baselineName: string; goal: number };

export const report = (c: Comparison) => {
  const ratio = c.ours / c.baseline;
  const verdict = ratio >= c.goal ? 'meets' : 'misses';
  console.log(
    `${c.name}\n  ours:     ${c.ours.toFixed(0)} ${c.unit}\n  baseline: ${c.baseline.toFixed(0)} ${c.unit} (${c.baselineName})\n  ratio:    ${ratio.toFixed(2)} (goal >= ${c.goal}: ${verdict})\n`,
  );
  return ratio;
};

/** A TCP port nothing listens on now, for a server a benchmark or a test starts. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
