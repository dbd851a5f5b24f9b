import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandPipeline } from '../../application/commandPipeline.js';
import { policyCommands } from '../../application/commands/policyCommands.js';
import { GENESIS_HASH, hashEvent } from '../../application/eventIntegrity.js';
import { storedEventSchemas } from '../../application/eventSchemas.js';
import { newId } from '../../application/ids.js';
import { PersonalDataVault } from '../../application/personalData.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import { personalDataFields } from '../../domain/aggregates.js';
import { DEFAULT_COMPLAINT_SERVICE_LEVELS } from '../../domain/complaint/serviceLevels.js';
import { DEFAULT_POLICY, POLICY_STREAM_ID, policyEventSchemas, policyInForce, type PolicyRevision } from '../../domain/policy/policy.js';
import { loadConfig } from '../../infrastructure/config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { openKeyStore, openSystem } from '../../infrastructure/system.js';

const logger = pino({ level: 'silent' });
const STARTED = '2026-03-02T01:00:00.000Z';
const UPGRADED = '2026-03-09T02:00:00.000Z';
const SCHEDULED = '2026-04-01T00:00:00.000Z';
const clock = { at: UPGRADED, now() { return this.at; } };

/** Revision content as a version before complaints wrote it: no service levels, no CMP-10. */
const { complaintService: _none, rules: { 'CMP-10': _cmp10, ...rulesBefore }, ...contentBefore } = DEFAULT_POLICY;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-policy-migration-'));
  clock.at = UPGRADED;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Appends a revision as the earlier version stored it, chained like any event. */
const storedBefore = async (eventStore: EventStore, revision: number, effectiveFrom: string, changes: Record<string, unknown> = {}) => {
  const history = await eventStore.readStream(POLICY_STREAM_ID);
  const last = history.at(-1);
  const eventId = newId();
  const data = { revision, effectiveFrom, ...contentBefore, rules: rulesBefore, publishedBy: 'system', ...changes };
  const metadata = {
    eventId,
    commandId: newId(),
    correlationId: 'an earlier version',
    causationId: eventId,
    actor: { id: 'system', role: 'admin' },
    occurredAt: STARTED,
    schemaVersion: 1,
    prevHash: last ? String(last.metadata.hash) : GENESIS_HASH,
  };
  const hash = hashEvent({ streamId: POLICY_STREAM_ID, revision: history.length, eventId, type: 'PolicyRevisionPublished', data, metadata });
  await eventStore.append(POLICY_STREAM_ID, [{ eventId, type: 'PolicyRevisionPublished', data, metadata: { ...metadata, hash } }], { expectedRevision: last ? last.revision : 'no_stream' });
};

/** A store an earlier version left: its policy revisions, nothing else. */
const earlierStore = async (...scheduled: { effectiveFrom: string; changes: Record<string, unknown> }[]) => {
  const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
  await storedBefore(eventStore, 1, STARTED);
  for (const [index, { effectiveFrom, changes }] of scheduled.entries()) await storedBefore(eventStore, index + 2, effectiveFrom, changes);
  await eventStore.close();
};

const open = () => openSystem({ config: loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', ANCHOR_INTERVAL_MS: '0' }), logger, clock });

const revisionsIn = async (eventStore: EventStore): Promise<PolicyRevision[]> =>
  (await eventStore.readStream(POLICY_STREAM_ID)).map((event) => policyEventSchemas.PolicyRevisionPublished.parse(event.data));

describe('a store whose policy predates complaints', () => {
  it('gets a revision at start-up: the one in force with the default service levels and CMP-10, effective at once; once, across restarts', async () => {
    await earlierStore();
    let system = await open();
    try {
      const [before, added] = await revisionsIn(system.eventStore);
      expect(before?.complaintService).toBeUndefined();
      expect(added).toEqual({
        revision: 2,
        effectiveFrom: UPGRADED,
        ...DEFAULT_POLICY,
        changeNote: 'Complaint service levels and CMP-10 added to revision 1, which had none',
        publishedBy: 'system',
      });
      expect(added?.complaintService).toEqual(DEFAULT_COMPLAINT_SERVICE_LEVELS);

      const customerId = newId();
      const envelope = () => ({ commandId: newId(), actor: { id: 'agent-1', role: 'support_agent' }, correlationId: 'migration-test' });
      await system.commands.customers.register({ customerId, name: '华东银行', industry: 'finance', region: 'east' }, envelope());
      const { result } = await system.commands.complaints.file({ complaintId: newId(), customerId, channel: 'portal', category: 'billing', severity: 'low', summary: 'invoice twice' }, envelope());
      const [filed] = await system.eventStore.readStream(result.streamId);
      expect(filed!.data).toMatchObject({ policyVersion: 2 });
      await system.close();

      clock.at = '2026-03-10T02:00:00.000Z';
      system = await open();
      expect(await revisionsIn(system.eventStore)).toHaveLength(2);
    } finally {
      await system.close();
    }
  });

  it('gets it once when two processes start together and race on the policy stream', async () => {
    await earlierStore();
    const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const keyStore = await openKeyStore(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), logger);
    try {
      const process = () =>
        policyCommands(new CommandPipeline({ eventStore, clock, schemas: storedEventSchemas(), personalData: new PersonalDataVault(keyStore, personalDataFields) }), eventStore, 366, clock);
      await Promise.all([process().addComplaintService(), process().addComplaintService(), process().addComplaintService()]);
      expect((await revisionsIn(eventStore)).map((r) => [r.revision, r.complaintService !== undefined])).toEqual([
        [1, false],
        [2, true],
      ]);
    } finally {
      await keyStore.close();
      await eventStore.close();
    }
  });

  it('supersedes a revision still scheduled and publishes it again, at its own instant, with the service levels', async () => {
    const tighter = { changeNote: 'Managers may grant 20%', discountAuthority: { ...DEFAULT_POLICY.discountAuthority, sales_manager: 20 } };
    await earlierStore({ effectiveFrom: SCHEDULED, changes: tighter });
    let system = await open();
    try {
      const revisions = await revisionsIn(system.eventStore);
      expect(revisions.map(({ revision, effectiveFrom, supersedes }) => ({ revision, effectiveFrom, supersedes }))).toEqual([
        { revision: 1, effectiveFrom: STARTED, supersedes: undefined },
        { revision: 2, effectiveFrom: SCHEDULED, supersedes: undefined },
        { revision: 3, effectiveFrom: UPGRADED, supersedes: [2] },
        { revision: 4, effectiveFrom: SCHEDULED, supersedes: undefined },
      ]);
      expect(revisions[3]).toMatchObject({
        discountAuthority: tighter.discountAuthority,
        complaintService: DEFAULT_COMPLAINT_SERVICE_LEVELS,
        rules: { 'CMP-10': { action: 'flag', severity: 'high' } },
        changeNote: 'Managers may grant 20% (published again as scheduled, with the complaint service levels: it replaces revision 2)',
      });
      expect(policyInForce(revisions, UPGRADED)?.revision).toBe(3);
      expect(policyInForce(revisions, SCHEDULED)?.revision).toBe(4);
      await system.close();

      system = await open();
      expect(await revisionsIn(system.eventStore)).toHaveLength(4);
    } finally {
      await system.close();
    }
  });
});
