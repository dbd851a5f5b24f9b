import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandPipeline, type CommandEnvelope } from '../../application/commandPipeline.js';
import { newId } from '../../application/ids.js';
import { PersonalDataVault } from '../../application/personalData.js';
import { systemClock } from '../../application/ports/clock.js';
import { AggregateCommands } from '../../application/commands/aggregateCommands.js';
import { storedEventSchemas } from '../../application/eventSchemas.js';
import { conversionIds } from '../../application/reactors/leadConversion.js';
import { rosterEntry } from '../../application/roster.js';
import { repAggregate } from '../../domain/team/rep.js';
import { customerStreamId } from '../../domain/customer/customer.js';
import { personalDataFields } from '../../domain/aggregates.js';
import { leadAggregate } from '../../domain/lead/lead.js';
import { opportunityStreamId } from '../../domain/opportunity/opportunity.js';
import { loadConfig } from '../../infrastructure/config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { openKeyStore, openSystem } from '../../infrastructure/system.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ledger-reactor-'));
const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
const logger = pino({ level: 'silent' });
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const leadId = newId();
const ids = conversionIds(leadId, undefined);
const rep = (): CommandEnvelope => ({ commandId: newId(), actor: { id: 'rep-1', role: 'sales_rep' }, correlationId: 'crash-test' });

/**
 * A process that appended LeadConverted and died before its follow-ups: the same stores and
 * pipeline as the system, but no subscriber running.
 */
const convertAndCrash = async () => {
  const eventStore = SqliteEventStore.open(join(dataDir, 'events.sqlite'));
  const keyStore = await openKeyStore(config, logger);
  const pipeline = new CommandPipeline({ eventStore, clock: systemClock, schemas: storedEventSchemas(), personalData: new PersonalDataVault(keyStore, personalDataFields) });
  // The seller who will own the deal, on the roster; then the lead's own commands, without the service that would run the follow-ups at once.
  await new AggregateCommands(pipeline, repAggregate).create(
    'rep-1',
    { type: 'HireRep', actorId: 'rep-1', name: 'Rep One', team: 'south', role: 'sales_rep' },
    { commandId: newId(), actor: { id: 'admin-1', role: 'admin' }, correlationId: 'crash-test' },
    { facts: () => ({ keyRoles: [] }) },
  );
  const leads = new AggregateCommands(pipeline, leadAggregate);
  await leads.create(
    leadId,
    {
      type: 'CaptureLead',
      leadId,
      source: 'partner',
      sourceRef: 'partner-7',
      company: 'Harbour Logistics',
      contact: { name: 'Chen Jing', email: 'chen.jing@harbour.example' },
      interest: 'managed detection',
    },
    rep(),
  );
  const capturer = { facts: async () => ({ owner: await rosterEntry(eventStore, 'rep-1') }) };
  await leads.act(leadId, { type: 'QualifyLead' }, rep(), capturer);
  const converted = await leads.act(
    leadId,
    {
      type: 'ConvertLead',
      customerIsNew: true,
      ...ids,
      customer: { industry: 'logistics', region: 'south' },
      opportunity: { title: 'MDR', ownerId: 'rep-1', amount: { minor: 400_000, currency: 'CNY' } },
    },
    rep(),
    { ...capturer, metadata: { customerId: ids.customerId } },
  );
  await keyStore.close();
  await eventStore.close();
  return converted;
};

describe('lead conversion reactor', () => {
  it('finishes the follow-ups of a LeadConverted left behind by a crash, once, however often it runs', async () => {
    const converted = await convertAndCrash();

    const system = await openSystem({ config, logger });
    let head: number | null;
    try {
      const typesOf = async (streamId: string) => (await system.eventStore.readStream(streamId)).map((e) => e.type);
      await expect.poll(() => typesOf(opportunityStreamId(ids.opportunityId)), { timeout: 5000 }).toEqual(['OpportunityOpened', 'OpportunitySourceLinked']);
      expect(await typesOf(customerStreamId(ids.customerId))).toEqual(['CustomerRegistered', 'ContactAdded']);
      const contact = (await system.eventStore.readStream(customerStreamId(ids.customerId)))[1]!.data as { name: string };
      expect(await system.personalData.reveal(ids.customerId, contact.name)).toBe('Chen Jing');
      head = await system.eventStore.headPosition();
      // Forget the checkpoint: the reactor reads the whole log again and finds everything done.
      await expect.poll(() => system.readStore.getMeta('reactor:lead-conversion')).toBe(converted.position);
      await system.readStore.setMeta('reactor:lead-conversion', null);
    } finally {
      await system.close();
    }
    const again = await openSystem({ config, logger });
    try {
      await expect.poll(() => again.readStore.getMeta('reactor:lead-conversion'), { timeout: 5000 }).toBe(converted.position);
      expect(await again.eventStore.headPosition()).toBe(head);
      expect(await again.eventStore.readStream(customerStreamId(ids.customerId))).toHaveLength(2);
      expect(await again.eventStore.readStream(opportunityStreamId(ids.opportunityId))).toHaveLength(2);
    } finally {
      await again.close();
    }
  });
});
