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
import { EnvelopeKeyStore, UnknownMasterKeys, type MasterKeys } from '../application/keys/envelopeKeyStore.js';
import { PersonalDataVault } from '../application/personalData.js';
import { systemClock, type Clock } from '../application/ports/clock.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { KeyStore, WrappedKeyStore } from '../application/ports/keyStore.js';
import type { ReadStore } from '../application/ports/readStore.js';
import { Followers, supervised } from '../application/followers/followers.js';
import { complaintFollowUpSubscriber } from '../application/reactors/complaintFollowUps.js';
import { leadConversionSubscriber } from '../application/reactors/leadConversion.js';
import type { ApiKeys } from '../application/roles.js';
import { personalDataFields } from '../domain/aggregates.js';
import { allProjections } from '../projections/all.js';
import { tiedStreamsFromView } from '../projections/customerStreams/tiedStreams.js';
import { dueDeadlines } from '../projections/deadlines/deadlinesProjection.js';
import { creditExposureFromOrders } from '../projections/orders/creditExposure.js';
import type { Projection } from '../projections/projection.js';
import { ProjectionRunner } from '../projections/projectionRunner.js';
import { ViewReader } from '../projections/viewReader.js';
import { ConfigError, type Config } from './config.js';
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
  /** Every follower of the log and the clock, with its state, for health, metrics and retries. */
  followers: Followers;
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

const KEYS_FILE = 'keys.sqlite';

export type KeyStoreOptions = {
  /** Wraps new keys and reads old ones; the configured MASTER_KEY and MASTER_KEY_PREVIOUS by default. */
  masterKeys?: MasterKeys;
  /** For tools that read an existing store: a wrong DATA_DIR fails instead of creating an empty store. */
  mustExist?: boolean;
};

/** Where the wrapped data keys live: beside the views' store, but never rebuilt or dropped. */
export const openWrappedKeyStore = async (config: Config, { mustExist = false }: KeyStoreOptions = {}): Promise<WrappedKeyStore> =>
  config.MONGODB_URL
    ? MongoKeyStore.connect(config.MONGODB_URL, config.MONGODB_DB)
    : SqliteKeyStore.open(join(config.DATA_DIR, KEYS_FILE), { mustExist });

export const describeKeyStore = (config: Config): string =>
  config.MONGODB_URL ? `MongoDB database ${config.MONGODB_DB}` : `SQLite file ${join(config.DATA_DIR, KEYS_FILE)}`;

/**
 * The data keys, wrapped by the configured master keys. A store still holding keys in the
 * clear is migrated here, at open, before anything reads it; one holding keys wrapped by a
 * master key that is not configured refuses to start, naming that key's id.
 */
export const openKeyStore = async (config: Config, logger: Logger, options: KeyStoreOptions = {}): Promise<EnvelopeKeyStore> => {
  const store = await openWrappedKeyStore(config, options);
  try {
    const keys = await EnvelopeKeyStore.open(store, options.masterKeys ?? config.masterKeys);
    if (keys.wrappedAtOpen > 0) logger.info({ keys: keys.wrappedAtOpen }, 'wrapped the data keys the key store held in the clear');
    return keys;
  } catch (error) {
    await store.close();
    if (error instanceof UnknownMasterKeys) {
      throw new ConfigError([`MASTER_KEY, MASTER_KEY_PREVIOUS: ${error.message}; give the key that wrapped them (npm run keys -- status lists them)`]);
    }
    throw error;
  }
};

/** Only configuration decides between the embedded stores and EventStoreDB/MongoDB. */
const openStores = async (config: Config, logger: Logger): Promise<{ eventStore: EventStore; readStore: ReadStore; keyStore: KeyStore }> => {
  if (!config.EVENTSTORE_URL || !config.MONGODB_URL) mkdirSync(config.DATA_DIR, { recursive: true });
  // First, as the one store that may refuse to start.
  const keyStore = await openKeyStore(config, logger);
  const eventStore = config.EVENTSTORE_URL
    ? EsdbEventStore.connect(config.EVENTSTORE_URL)
    : SqliteEventStore.open(join(config.DATA_DIR, 'events.sqlite'));
  const readStore = config.MONGODB_URL
    ? await MongoReadStore.connect(config.MONGODB_URL, config.MONGODB_DB)
    : SqliteReadStore.open(join(config.DATA_DIR, 'views.sqlite'));
  return { eventStore, readStore, keyStore };
};

/** The composition root: stores, pipeline, command services, projection runner and the followers. */
export const openSystem = async ({ config, logger, clock = systemClock, projections = allProjections }: SystemOptions): Promise<System> => {
  const { eventStore, readStore, keyStore } = await openStores(config, logger);
  const personalData = new PersonalDataVault(keyStore, personalDataFields);
  const pipeline = new CommandPipeline({ eventStore, clock, schemas: storedEventSchemas(), personalData, maxAttempts: config.COMMAND_MAX_ATTEMPTS });
  const runner = new ProjectionRunner({ eventStore, readStore, projections, logger: logger.child({ component: 'projections' }) });
  // Without a shared secret, cursors hold only for the process that issued them.
  const views = new ViewReader(readStore, config.CURSOR_SECRET ? Buffer.from(config.CURSOR_SECRET) : randomBytes(32));
  const creditExposure = creditExposureFromOrders({ eventStore, runner, views, waitMs: config.READ_AFTER_TIMEOUT_MS });
  const tiedStreams = tiedStreamsFromView({ eventStore, runner, views, waitMs: config.READ_AFTER_TIMEOUT_MS });
  const { anchorKey } = config;
  const { commands, reactors, deadlineKinds } = commandServices({
    pipeline,
    eventStore,
    keyStore,
    personalData,
    clock,
    creditExposure,
    tiedStreams,
    anchorKey,
    policyHorizonDays: config.POLICY_HORIZON_DAYS,
  });
  await commands.policy.publishDefault();
  await commands.policy.addComplaintService();
  await runner.start();
  const deadlines = new DeadlineWatcher({ deadlines: dueDeadlines(views), kinds: deadlineKinds, clock, logger: logger.child({ component: 'deadlines' }) });
  deadlines.start();
  const leadConversions = leadConversionSubscriber({ reactor: reactors.leadConversion, eventStore, readStore, logger });
  leadConversions.start();
  const compliance = complianceSubscriber({ checks: reactors.compliance, eventStore, readStore, logger });
  compliance.start();
  const complaintFollowUps = complaintFollowUpSubscriber({ followUps: reactors.complaintFollowUps, eventStore, readStore, logger });
  complaintFollowUps.start();
  const anchorSchedule = new AnchorSchedule({ anchors: commands.anchors, logger: logger.child({ component: 'anchors' }), intervalMs: config.ANCHOR_INTERVAL_MS });
  if (config.ANCHOR_INTERVAL_MS > 0) anchorSchedule.start();
  const followers = new Followers([
    { status: () => runner.followers(), retry: (name) => runner.retry(name) },
    supervised(leadConversions),
    supervised(compliance),
    supervised(complaintFollowUps),
    supervised(deadlines),
    ...(config.ANCHOR_INTERVAL_MS > 0 ? [supervised(anchorSchedule)] : []),
  ]);
  return {
    followers,
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
      await complaintFollowUps.stop();
      await runner.stop();
      await readStore.close();
      await keyStore.close();
      await eventStore.close();
    },
  };
};
