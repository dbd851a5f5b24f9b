import Database from 'better-sqlite3';
import { join } from 'node:path';
import { pino } from 'pino';
import { CommandPipeline } from '../application/commandPipeline.js';
import { PersonalDataVault } from '../application/personalData.js';
import { systemClock } from '../application/ports/clock.js';
import { storedEventSchemas } from '../application/eventSchemas.js';
import { personalDataFields } from '../domain/aggregates.js';
import { customerCommands } from '../application/commands/customerCommands.js';
import { opportunityCommands } from '../application/commands/opportunityCommands.js';
import { repCommands } from '../application/commands/repCommands.js';
import type { ChangeStage, OpenOpportunity, Stage } from '../domain/opportunity/opportunity.js';
import { loadConfig } from '../infrastructure/config.js';
import { SqliteEventStore } from '../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { eventStoreSchema } from '../infrastructure/eventstore/sqlite/schema.js';
import { openKeyStore } from '../infrastructure/system.js';
import { inParallel, seconds, tempDir } from './support.js';

const SELLERS = 40;
const CUSTOMERS = 500;

/** A deal's life in ten commands: opened, then moved around the stages (back with a reason). */
const CYCLE: Stage[] = ['discovery', 'proposal', 'negotiation', 'qualification'];
export const commandsFor = (streamIndex: number, step: number): OpenOpportunity | ChangeStage =>
  step === 0
    ? {
        type: 'OpenOpportunity',
        opportunityId: `opp-${streamIndex}`,
        customerId: `customer-${streamIndex % CUSTOMERS}`,
        title: `Deal ${streamIndex}`,
        ownerId: `rep-${streamIndex % SELLERS}`,
        amount: { minor: 100_000 + streamIndex, currency: 'CNY' },
      }
    : { type: 'ChangeStage', stage: CYCLE[(step - 1) % CYCLE.length]!, reason: 'customer asked' };

/**
 * Through the opportunity's command service, as a route calls it: the owner's roster entry read as
 * the facts, then load, fold, decide, validate, hash-chain, append with the expected revision. The
 * sellers and customers the deals name are put in place first, outside the timing.
 */
export const runPipeline = async (dir: string, streams: number, eventsPerStream: number, concurrency: number) => {
  const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
  const keyStore = await openKeyStore(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
  const pipeline = new CommandPipeline({ eventStore, clock: systemClock, schemas: storedEventSchemas(), personalData: new PersonalDataVault(keyStore, personalDataFields) });
  const opportunities = opportunityCommands(pipeline, eventStore);
  // The bench erases no one, so no customer's tied streams are ever asked for.
  const customers = customerCommands(pipeline, eventStore, keyStore, { of: async () => [] });
  const envelope = (commandId: string, actor: { id: string; role: string }) => ({ commandId, actor, correlationId: commandId });
  const admin = { id: 'bench-admin', role: 'admin' };
  for (let rep = 0; rep < SELLERS; rep++) {
    await repCommands(pipeline, () => []).hire({ actorId: `rep-${rep}`, name: `Rep ${rep}`, team: 'bench', role: 'sales_rep' }, envelope(`hire-${rep}`, admin));
  }
  for (let customer = 0; customer < CUSTOMERS; customer++) {
    const customerId = `customer-${customer}`;
    await customers.register({ customerId, name: customerId, industry: 'bench', region: 'east' }, envelope(`register-${customer}`, admin));
  }
  const elapsed = await seconds(() =>
    inParallel(streams, concurrency, async (s) => {
      const owner = { id: `rep-${s % SELLERS}`, role: 'sales_rep' };
      for (let step = 0; step < eventsPerStream; step++) {
        const command = commandsFor(s, step);
        const commandEnvelope = envelope(`cmd-${s}-${step}`, owner);
        if (command.type === 'OpenOpportunity') await opportunities.open(command, commandEnvelope);
        else await opportunities.changeStage(`opp-${s}`, command, commandEnvelope);
      }
    }),
  );
  await eventStore.close();
  await keyStore.close();
  return { commands: streams * eventsPerStream, elapsed };
};

/**
 * The plain design: per event, one transaction that reads the stream's revision, checks
 * it, and inserts; the same table, the same durability (WAL, synchronous=FULL).
 */
export const runRawInserts = (dir: string, streams: number, eventsPerStream: number) => {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(eventStoreSchema);
  const revision = db.prepare('SELECT max(revision) AS r FROM events WHERE stream_id = ?').pluck();
  const insert = db.prepare(
    'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const append = db.transaction((streamId: string, expected: number, data: string) => {
    const current = (revision.get(streamId) as number | null) ?? -1;
    if (current !== expected) throw new Error('wrong expected revision');
    insert.run(streamId, expected + 1, `${streamId}:${expected + 1}`, 'OpportunityStageChanged', data, '{"actor":"bench"}', new Date().toISOString());
  });
  const data = JSON.stringify({ opportunityId: 'x', from: 'discovery', to: 'proposal', reason: 'customer asked' });
  return seconds(() => {
    for (let s = 0; s < streams; s++) for (let e = 0; e < eventsPerStream; e++) append(`opportunity-raw-${s}`, e - 1, data);
  }).then((elapsed) => {
    db.close();
    return { commands: streams * eventsPerStream, elapsed };
  });
};

export const pipelineBenchmark = async (streams: number, eventsPerStream: number) => {
  const workspace = tempDir('pipeline');
  try {
    const baseline = await runRawInserts(workspace.dir, streams, eventsPerStream);
    const ours = await runPipeline(workspace.dir, streams, eventsPerStream, 64);
    return { ours: ours.commands / ours.elapsed, baseline: baseline.commands / baseline.elapsed, logDir: workspace.dir, workspace };
  } catch (error) {
    workspace.remove();
    throw error;
  }
};
