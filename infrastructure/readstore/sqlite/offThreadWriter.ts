import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

type SqlValue = string | number | null;

/** One step of a transaction run off the event loop's thread. */
export type OffThreadStep =
  /** Schema statements, run as they are. */
  | { kind: 'exec'; sql: string }
  /** A write with bound parameters. */
  | { kind: 'run'; sql: string; params: SqlValue[] }
  /** Goes on only if the query's first value equals `equals` (undefined: it finds no row), else rolls back: what was read before has changed. */
  | { kind: 'unchanged'; sql: string; params: SqlValue[]; equals: SqlValue | undefined }
  /** Goes on only if the query finds no row, else rolls back and answers the row. */
  | { kind: 'none'; sql: string; params: SqlValue[] };

/** Committed, or rolled back at the step that refused, with the row it found. */
export type OffThreadOutcome = { committed: true } | { committed: false; step: number; row: unknown };

/**
 * Runs in the worker: each job one IMMEDIATE transaction on its own connection to the file, so
 * SQLite's long synchronous work (an index over a full view, a type check scanning it, dropping
 * it) happens on another thread. Plain JavaScript, so it runs compiled or from source alike.
 */
const WORKER_SOURCE = `(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const { default: Database } = await import(workerData.sqlite);
  const db = new Database(workerData.file);
  db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
  class Refused { constructor(step, row) { this.step = step; this.row = row; } }
  const job = db.transaction((steps) => {
    steps.forEach((step, i) => {
      if (step.kind === 'exec') db.exec(step.sql);
      else if (step.kind === 'run') db.prepare(step.sql).run(...step.params);
      else {
        const row = db.prepare(step.sql).raw(step.kind === 'unchanged').get(...step.params);
        if (step.kind === 'unchanged' ? (row === undefined ? undefined : row[0]) !== step.equals : row !== undefined) throw new Refused(i, row);
      }
    });
  });
  parentPort.on('message', ({ id, steps }) => {
    try {
      job.immediate(steps);
      parentPort.postMessage({ id, outcome: { committed: true } });
    } catch (error) {
      if (error instanceof Refused) parentPort.postMessage({ id, outcome: { committed: false, step: error.step, row: error.row } });
      else parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
})();`;

type Pending = { resolve: (outcome: OffThreadOutcome) => void; reject: (error: Error) => void };

/** An idle writer thread is let go after this long: the jobs come at a switch, one per collection, then not for days. */
const IDLE_MS = 1_000;

/**
 * A second connection to a SQLite file, on a worker thread, for the few writes that take SQLite
 * long enough to stall every request (over a view of a million events, each index takes some
 * 100 ms). Started at its first job, one job at a time in the order given, stopped once idle.
 */
export class OffThreadWriter {
  private worker: Worker | null = null;
  private idle: NodeJS.Timeout | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly file: string,
    private readonly busyTimeoutMs: number,
  ) {}

  run(steps: OffThreadStep[]): Promise<OffThreadOutcome> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const worker = this.started();
    const id = this.nextId++;
    // Referenced while a job is in flight, so the process waits for it, and not when idle.
    if (this.pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, steps });
    });
  }

  async close(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const sqlite = pathToFileURL(createRequire(import.meta.url).resolve('better-sqlite3')).href;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlite, file: this.file, busyTimeoutMs: this.busyTimeoutMs } });
    worker.on('message', ({ id, outcome, error }: { id: number; outcome?: OffThreadOutcome; error?: string }) => {
      const job = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) {
        worker.unref();
        this.idle = setTimeout(() => void this.close(), IDLE_MS).unref();
      }
      if (outcome) job?.resolve(outcome);
      else job?.reject(new Error(`SQLite on the writer thread: ${error}`));
    });
    const failAll = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const job of this.pending.values()) job.reject(error);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`The SQLite writer thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}
