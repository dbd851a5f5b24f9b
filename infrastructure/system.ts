import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AnchorVerifier } from '../application/anchors/anchorKey.js';
import { AnchorSchedule } from '../application/anchors/anchorSchedule.js';
import { CommandPipeline } from '../application/commandPipeline.js';
import { commandServices, type CommandServices } from '../application/commands/commandServices.js';
import { complianceSubscriber } from '../application/compliance/complianceChecks.js';
import { DeadlineWatcher } from '../application/deadlines/deadlineWatcher.js';
import { storedEventSchemas } from '../application/eventSchemas.js';
import { PersonalDataVault } from '../application/personalData.js';
import { systemClock, type Clock } from '../application/ports/clock.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { KeyStore } from '../application/ports/keyStore.js';
import type { ReadStore } from '../application/ports/readStore.js';
import { leadConversionSubscriber } from '../application/reactors/leadConversion.js';
import type { ApiKeys } from '../application/roles.js';
import { personalDataFields } from '../domain/aggregates.js';
import { allProjections } from '../projections/all.js';
import { dueDeadlines } from '../projections/deadlines/deadlinesProjection.js';
import { creditExposureFromOrders } from '../projections/orders/creditExposure.js';
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

/** Everything one process runs: the stores, the command services, the views and the followers that keep them. */
export type System = {
  eventStore: EventStore;
  readStore: ReadStore;
  keyStore: KeyStore;
  personalData: PersonalDataVault;
  commands: CommandServices;
  runner: ProjectionRunner;
  views: ViewReader;
  deadlines: DeadlineWatcher;
  /** Takes an anchor every ANCHOR_INTERVAL_MS; not started when that is 0. */
  anchorSchedule: AnchorSchedule;
  /** Checks anchors' signatures; the signing half stays with the anchor service. */
  anchorVerifier: AnchorVerifier;
  clock: Clock;
  apiKeys: ApiKeys;
  logger: Logger;
  /** How long a view request waits for its projection to reach `after` before a 503. */
  readAfterTimeoutMs: number;
  http: { rateLimitPerMinute: number; requestTimeoutMs: number; connectionTimeoutMs: number };
  close: () => Promise<void>;
};

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

/** The composition root: stores, pipeline, command services, projection runner and the followers. */
export const openSystem = async ({ config, logger, clock = systemClock, projections = allProjections }: SystemOptions): Promise<System> => {
  const { eventStore, readStore, keyStore } = await openStores(config);
  const personalData = new PersonalDataVault(keyStore, personalDataFields);
  const pipeline = new CommandPipeline({ eventStore, clock, schemas: storedEventSchemas(), personalData, maxAttempts: config.COMMAND_MAX_ATTEMPTS });
  const runner = new ProjectionRunner({ eventStore, readStore, projections, logger: logger.child({ component: 'projections' }) });
  // Without a shared secret, cursors hold only for the process that issued them.
  const views = new ViewReader(readStore, config.CURSOR_SECRET ? Buffer.from(config.CURSOR_SECRET) : randomBytes(32));
  const creditExposure = creditExposureFromOrders({ eventStore, runner, views, waitMs: config.READ_AFTER_TIMEOUT_MS });
  const { anchorKey } = config;
  const { commands, reactors, deadlineKinds } = commandServices({ pipeline, eventStore, keyStore, personalData, clock, creditExposure, anchorKey });
  await commands.policy.publishDefault();
  await runner.start();
  const deadlines = new DeadlineWatcher({ deadlines: dueDeadlines(views), kinds: deadlineKinds, clock, logger: logger.child({ component: 'deadlines' }) });
  deadlines.start();
  const leadConversions = leadConversionSubscriber({ reactor: reactors.leadConversion, eventStore, readStore, logger });
  leadConversions.start();
  const compliance = complianceSubscriber({ checks: reactors.compliance, eventStore, readStore, logger });
  compliance.start();
  const anchorSchedule = new AnchorSchedule({ anchors: commands.anchors, logger: logger.child({ component: 'anchors' }), intervalMs: config.ANCHOR_INTERVAL_MS });
  if (config.ANCHOR_INTERVAL_MS > 0) anchorSchedule.start();
  return {
    eventStore,
    readStore,
    keyStore,
    personalData,
    commands,
    runner,
    views,
    deadlines,
    anchorSchedule,
    anchorVerifier: anchorKey,
    clock,
    apiKeys: config.apiKeys,
    logger,
    readAfterTimeoutMs: config.READ_AFTER_TIMEOUT_MS,
    http: { rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE, requestTimeoutMs: config.REQUEST_TIMEOUT_MS, connectionTimeoutMs: config.CONNECTION_TIMEOUT_MS },
    async close() {
      await anchorSchedule.stop();
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
