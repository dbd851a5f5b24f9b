import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ApiServices } from '../api/services.js';
import { CommandPipeline } from '../application/commandPipeline.js';
import { ComplianceChecks, complianceSubscriber } from '../application/compliance/complianceChecks.js';
import { DeadlineWatcher } from '../application/deadlines/deadlineWatcher.js';
import { promiseOverdue } from '../application/deadlines/promiseOverdue.js';
import { quoteExpiry } from '../application/deadlines/quoteExpiry.js';
import { EventSchemaRegistry } from '../application/eventSchemas.js';
import { publishDefaultPolicy } from '../application/policy/defaultPolicy.js';
import { leadConversionSubscriber } from '../application/reactors/leadConversion.js';
import { systemClock, type Clock } from '../application/ports/clock.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { KeyStore } from '../application/ports/keyStore.js';
import { PersonalDataVault } from '../application/personalData.js';
import type { ReadStore } from '../application/ports/readStore.js';
import { eventCatalog, personalDataFields } from '../domain/eventCatalog.js';
import { allProjections } from '../projections/all.js';
import { dueDeadlines } from '../projections/deadlines/deadlinesProjection.js';
import type { Projection } from '../projections/projection.js';
import { ProjectionRunner } from '../projections/projectionRunner.js';
import { ViewReader } from '../projections/viewReader.js';
import type { Config } from './config.js';
import { EsdbEventStore } from './eventstore/esdb/esdbEventStore.js';
import { SqliteEventStore } from './eventstore/sqlite/sqliteEventStore.js';
import { MongoKeyStore } from './keystore/mongo/mongoKeyStore.js';
import { SqliteKeyStore } from './keystore/sqlite/sqliteKeyStore.js';
import { MongoReadStore } from './readstore/mongo/mongoReadStore.js';
import { SqliteReadStore } from './readstore/sqlite/sqliteReadStore.js';

export type System = ApiServices & { deadlines: DeadlineWatcher; close: () => Promise<void> };

export type SystemOptions = {
  config: Config;
  logger: Logger;
  clock?: Clock;
  projections?: Projection[];
};

/** Only configuration decides between the embedded stores and EventStoreDB/MongoDB. */
const openStores = async (config: Config): Promise<{ eventStore: EventStore; readStore: ReadStore; keyStore: KeyStore }> => {
  if (!config.EVENTSTORE_URL || !config.MONGODB_URL) mkdirSync(config.DATA_DIR, { recursive: true });
  const eventStore = config.EVENTSTORE_URL
    ? EsdbEventStore.connect(config.EVENTSTORE_URL)
    : SqliteEventStore.open(join(config.DATA_DIR, 'events.sqlite'));
  const readStore = config.MONGODB_URL
    ? await MongoReadStore.connect(config.MONGODB_URL, config.MONGODB_DB)
    : SqliteReadStore.open(join(config.DATA_DIR, 'views.sqlite'));
  // Keys are not a view: they live beside the views' store but are never rebuilt or dropped.
  const keyStore = config.MONGODB_URL
    ? await MongoKeyStore.connect(config.MONGODB_URL, config.MONGODB_DB)
    : SqliteKeyStore.open(join(config.DATA_DIR, 'keys.sqlite'));
  return { eventStore, readStore, keyStore };
};

export const createSchemaRegistry = () => eventCatalog.reduce((registry, schemas) => registry.register(schemas), new EventSchemaRegistry());

/** The composition root: stores, pipeline, projection runner, everything the API needs. */
export const openSystem = async ({ config, logger, clock = systemClock, projections = allProjections }: SystemOptions): Promise<System> => {
  const { eventStore, readStore, keyStore } = await openStores(config);
  const personalData = new PersonalDataVault(keyStore, personalDataFields);
  const pipeline = new CommandPipeline({ eventStore, clock, schemas: createSchemaRegistry(), personalData, maxAttempts: config.COMMAND_MAX_ATTEMPTS });
  await publishDefaultPolicy(eventStore, pipeline);
  const runner = new ProjectionRunner({ eventStore, readStore, projections, logger: logger.child({ component: 'projections' }) });
  await runner.start();
  const views = new ViewReader(readStore);
  const kinds = [quoteExpiry(eventStore), promiseOverdue(new ComplianceChecks({ eventStore, pipeline }))];
  const deadlines = new DeadlineWatcher({ pipeline, deadlines: dueDeadlines(views), kinds, clock, logger: logger.child({ component: 'deadlines' }) });
  deadlines.start();
  const leadConversions = leadConversionSubscriber({ eventStore, readStore, pipeline, personalData, logger });
  leadConversions.start();
  const compliance = complianceSubscriber({ eventStore, readStore, pipeline, logger });
  compliance.start();
  return {
    eventStore,
    readStore,
    keyStore,
    personalData,
    pipeline,
    runner,
    views,
    deadlines,
    clock,
    apiKeys: config.apiKeys,
    logger,
    readAfterTimeoutMs: config.READ_AFTER_TIMEOUT_MS,
    async close() {
      await deadlines.stop();
      await leadConversions.stop();
      await compliance.stop();
      await runner.stop();
      await readStore.close();
      await keyStore.close();
      await eventStore.close();
    },
  };
};
