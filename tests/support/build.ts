import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const dist = join(root, 'dist');
const lock = join(dist, '.build-lock');
const marker = join(dist, '.built-for-run');
const STALE_LOCK_MS = 180_000;

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/**
 * Compiles the server once per test run, however many end-to-end files need it: they run in
 * parallel processes of one run (the same parent), so the first takes a lock and builds and the
 * others wait for its mark.
 */
export const buildServerOnce = async (): Promise<string> => {
  const run = String(process.ppid);
  mkdirSync(dist, { recursive: true });
  for (;;) {
    if (read(marker) === run) return root;
    try {
      mkdirSync(lock);
    } catch {
      // A lock left by a run that died is cleared; a live one is waited for.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      if (read(marker) !== run) {
        execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
        writeFileSync(marker, run);
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
};
