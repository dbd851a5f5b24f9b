import Database from 'better-sqlite3';
import { join } from 'node:path';
import { pino } from 'pino';
import { SqliteEventStore } from '../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { SqliteReadStore } from '../infrastructure/readstore/sqlite/sqliteReadStore.js';
import { pipelineProjection } from '../projections/pipeline/pipelineProjection.js';
import { ProjectionRunner } from '../projections/projectionRunner.js';
import { projectionOf } from '../projections/projection.js';
import { median, seconds } from './support.js';

/** The floor for any rebuild: every event read back from SQLite and parsed. */
export const rawRead = (logFile: string) => {
  const db = new Database(logFile, { readonly: true });
  let parsed = 0;
  return seconds(() => {
    for (const row of db.prepare('SELECT position, stream_id, revision, event_id, type, data, metadata FROM events ORDER BY position').iterate()) {
      const { data, metadata } = row as { data: string; metadata: string };
      JSON.parse(data);
      JSON.parse(metadata);
      parsed++;
    }
  }).then((elapsed) => {
    db.close();
    return { events: parsed, elapsed };
  });
};

/**
 * The pipeline view rebuilt from zero through the real runner, as on a first start or an
 * operator's rebuild: read, apply, commit in batches with the checkpoint, index, switch over.
 */
export const rebuild = async (logFile: string, viewsDir: string) => {
  const eventStore = SqliteEventStore.open(logFile);
  const readStore = SqliteReadStore.open(join(viewsDir, `views-${Date.now()}.sqlite`));
  const head = (await eventStore.headPosition()) ?? 0;
  const runner = new ProjectionRunner({ eventStore, readStore, projections: [projectionOf(pipelineProjection)], logger: pino({ level: 'silent' }) });
  const elapsed = await seconds(async () => {
    await runner.start();
    const reached = await runner.waitFor([pipelineProjection.name], head, 600_000);
    // waitFor answers once the view serving reads has passed the head, which is after the switch.
    if (!reached) throw new Error('rebuild did not reach the head');
  });
  await runner.stop();
  await readStore.close();
  await eventStore.close();
  return { events: head, elapsed };
};

/** Alternates the two, three rounds each, and reports the medians: one round is at the mercy of a noisy neighbour. */
export const rebuildBenchmark = async (logDir: string, rounds = 3) => {
  const logFile = join(logDir, 'events.sqlite');
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const raw = await rawRead(logFile);
    baseline.push(raw.events / raw.elapsed);
    const rebuilt = await rebuild(logFile, logDir);
    ours.push(rebuilt.events / rebuilt.elapsed);
  }
  return { ours: median(ours), baseline: median(baseline), rounds: { ours, baseline } };
};
