import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AnchorVerifier } from '../application/anchors/anchorKey.js';
import { AnchorSchedule } from '../application/anchors/anchorSchedule.js';
import { CommandPipeline } from '../application/commandPipeline.js';
import { commandServices, type CommandServices } from '../application/commands/commandServices.js';
import { complianceSubscriber } from '../application/compliance/complianceChecks.js';
import { DeadlineWatcher } from '../application/deadlines/deadlineWatcher.js';
import { dueDeadlinesOf } from '../application/deadlines/dueDeadlinesOf.js';
import { forecastSnapshotsDue } from '../application/deadlines/forecastSnapshot.js';
import { storedEventSchemas } from '../application/eventSchemas.js';
import { cacheFoldedStates } from '../application/foldedStates.js';
import { EnvelopeKeyStore, UnknownMasterKeys, type MasterKeys } from '../application/keys/envelopeKeyStore.js';
import { PersonalDataVault } from '../application/personalData.js';
import { systemClock, type Clock } from '../application/ports/clock.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { KeyStore, WrappedKeyStore } from '../application/ports/keyStore.js';
import type { ReadStore } from '../application/ports/readStore.js';
import { Followers, supervised } from '../application/followers/followers.js';
import { FollowersAcrossWorkers, ownFollowers, type ExpectedFollower, type FollowerBoard } from '../application/followers/followersAcrossWorkers.js';
import { RetryRequests } from '../application/followers/retryRequests.js';
import { SharedLog } from '../application/followers/sharedLog.js';
import { deadLocalHolder, holderName, WorkerLeases } from '../application/followers/workerLeases.js';
import { complaintFollowUpSubscriber } from '../application/reactors/complaintFollowUps.js';
import { leadConversionSubscriber } from '../application/reactors/leadConversion.js';
import type { ApiKeys } from '../application/roles.js';
import { personalDataFields } from '../domain/aggregates.js';
import { allProjections } from '../projections/all.js';
import { tiedStreamsFromView } from '../projections/customerStreams/tiedStreams.js';
import { dueDeadlines } from '../projections/deadlines/deadlinesProjection.js';
import { planDirectoryFromView } from '../projections/incentives/planDirectory.js';
import { creditExposureFromOrders } from '../projections/orders/creditExposure.js';
import { pipelineHistoryFromLog } from '../projections/pipeline/pipelineHistory.js';
import { PointInTime } from '../projections/pointInTime.js';
import type { Projection } from '../projections/projection.js';
import { ProjectionsAcrossWorkers, type ProjectionProgress } from '../projections/projectionProgress.js';
import { ProjectionRunner, projectionLease } from '../projections/projectionRunner.js';
import { channelClaimsFromView } from '../projections/registrations/registrationsProjection.js';
import { salesTeamsFromView } from '../projections/reps/salesTeams.js';
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
  role: Config['ROLE'];
  /** This process's runner: it follows the views whose leases this worker holds (none in role api). */
  runner: ProjectionRunner;
  /** How far each view has got, wherever it is followed. */
  projections: ProjectionProgress;
  /** Every follower of the log and the clock, with its state, wherever it runs: health, metrics and retries read it. */
  followers: FollowerBoard;
  /** The followers this process runs itself (those whose leases it holds): a worker's own readiness. */
  ownFollowers: FollowerBoard;
  /** The leases this process holds and renews; null in role api. */
  leases: WorkerLeases | null;
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
  /**
   * Takes the followers' leases and starts what it took (a lone process takes them all), then renews
   * them in the background; once, whoever calls it. Nothing in role api.
   */
  startFollowers: () => Promise<void>;
  /** Views as they stood at a past moment, replayed from the log. */
  pointInTime: PointInTime;
  /** The most periods a KPI question may span. */
  kpiMaxBuckets: number;
  close: () => Promise<void>;
};

export type SystemOptions = {
  config: Config;
  logger: Logger;
  clock?: Clock;
  projections?: Projection[];
  /**
   * Whether openSystem starts the followers before it returns (tools and tests), or leaves them to
   * `startFollowers` (the server, which listens first: catching up on a long log can take minutes).
   */
  startFollowers?: boolean;
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
    ? await EsdbEventStore.connect(config.EVENTSTORE_URL)
    : SqliteEventStore.open(join(config.DATA_DIR, 'events.sqlite'));
  const readStore = config.MONGODB_URL
    ? await MongoReadStore.connect(config.MONGODB_URL, config.MONGODB_DB)
    : SqliteReadStore.open(join(config.DATA_DIR, 'views.sqlite'));
  return { eventStore, readStore, keyStore };
};

/** Whether a process of this machine runs: signal 0 checks without sending anything; EPERM means it runs as another user. */
const processIsRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The followers every deployment runs somewhere, by lease name: what health reports as unheld when no worker holds one. */
const expectedFollowers = (projections: readonly Projection[], config: Config): ExpectedFollower[] => [
  ...projections.map((projection) => ({ name: projectionLease(projection.name), kind: 'projection' as const })),
  { name: 'reactor:lead-conversion', kind: 'reactor' },
  { name: 'reactor:compliance-checks', kind: 'reactor' },
  { name: 'reactor:complaint-follow-ups', kind: 'reactor' },
  { name: 'deadline-watcher', kind: 'watcher' },
  ...(config.ANCHOR_INTERVAL_MS > 0 ? [{ name: 'anchor-schedule', kind: 'schedule' as const }] : []),
];

/**
 * The composition root: stores, pipeline, command services, views and the followers. Every role
 * can issue commands (reactors and watchers do); `api` runs no follower, and `worker` and `all`
 * run the followers whose leases they hold.
 */
export const openSystem = async ({ config, logger, clock = systemClock, projections = allProjections, startFollowers = true }: SystemOptions): Promise<System> => {
  const { eventStore, readStore, keyStore } = await openStores(config, logger);
  cacheFoldedStates(eventStore, config.FOLDED_STATE_CACHE_SIZE);
  const personalData = new PersonalDataVault(keyStore, personalDataFields);
  const pipeline = new CommandPipeline({ eventStore, clock, schemas: storedEventSchemas(), personalData, maxAttempts: config.COMMAND_MAX_ATTEMPTS });
  // The followers of this process read each page of the log once between them.
  const log = new SharedLog(eventStore, config.LOG_CACHE_PAGES);
  const runner = new ProjectionRunner({
    eventStore: log,
    readStore,
    projections,
    logger: logger.child({ component: 'projections' }),
    cachedDocuments: config.PROJECTION_CACHE_DOCUMENTS,
  });
  const runsFollowers = config.ROLE !== 'api';
  const holder = holderName(config.WORKER_NAME ?? config.ROLE, hostname(), process.pid, randomBytes(3).toString('hex'));
  const localFollowers = new Followers([]);
  const followers = new FollowersAcrossWorkers({
    store: readStore,
    expected: expectedFollowers(projections, config),
    ...(runsFollowers ? { local: { followers: localFollowers, holder } } : {}),
  });
  const progress = new ProjectionsAcrossWorkers({ runner, readStore, projections, followers });
  // Without a shared secret, cursors hold only for the process that issued them.
  const cursorKey = config.CURSOR_SECRET ? Buffer.from(config.CURSOR_SECRET) : randomBytes(32);
  const views = new ViewReader(readStore, cursorKey);
  const pointInTime = new PointInTime({ eventStore, projections, cursorKey });
  const creditExposure = creditExposureFromOrders({ eventStore, progress, views, waitMs: config.READ_AFTER_TIMEOUT_MS });
  const tiedStreams = tiedStreamsFromView({ eventStore, progress, views, waitMs: config.READ_AFTER_TIMEOUT_MS });
  const salesTeams = salesTeamsFromView({ eventStore, progress, views, waitMs: config.READ_AFTER_TIMEOUT_MS });
  const incentivePlans = planDirectoryFromView({ eventStore, progress, views, waitMs: config.READ_AFTER_TIMEOUT_MS });
  const channelClaims = channelClaimsFromView({ eventStore, progress, views, waitMs: config.READ_AFTER_TIMEOUT_MS });
  // A forecast snapshot replays the pipeline once a month: nothing to keep that replay in memory for.
  const pipelineHistory = pipelineHistoryFromLog({ eventStore, pointInTime: new PointInTime({ eventStore, projections, cursorKey, cacheSize: 0 }) });
  const { anchorKey } = config;
  const { commands, reactors, deadlineKinds } = commandServices({
    pipeline,
    keyRolesOf: (actorId) => Object.values(config.apiKeys).flatMap((key) => (key.actorId === actorId ? [key.role] : [])),
    eventStore,
    keyStore,
    personalData,
    clock,
    creditExposure,
    tiedStreams,
    anchorKey,
    policyHorizonDays: config.POLICY_HORIZON_DAYS,
    salesTeams,
    incentivePlans,
    channelClaims,
    pipelineHistory,
  });
  await commands.policy.publishDefault();
  // Before the claim lexicon's: a revision published without the complaint service levels and CMP-10 would be refused (POL-07, POL-10).
  await commands.policy.addComplaintService();
  const withClaimLexicon = await commands.policy.publishClaimLexicon();
  if (withClaimLexicon !== undefined) logger.info({ policyRevision: withClaimLexicon }, 'published the policy in force again with the default claim lexicon');
  const deadlines = new DeadlineWatcher({ deadlines: dueDeadlinesOf([dueDeadlines(views), forecastSnapshotsDue(eventStore)]), kinds: deadlineKinds, clock, logger: logger.child({ component: 'deadlines' }) });
  const leadConversions = leadConversionSubscriber({ reactor: reactors.leadConversion, eventStore: log, readStore, logger });
  const compliance = complianceSubscriber({ checks: reactors.compliance, eventStore: log, readStore, logger });
  const complaintFollowUps = complaintFollowUpSubscriber({ followUps: reactors.complaintFollowUps, eventStore: log, readStore, logger });
  const anchorSchedule = new AnchorSchedule({ anchors: commands.anchors, logger: logger.child({ component: 'anchors' }), intervalMs: config.ANCHOR_INTERVAL_MS });
  localFollowers.add(
    { status: () => runner.followers(), retry: (name) => runner.retry(name) },
    supervised(leadConversions),
    supervised(compliance),
    supervised(complaintFollowUps),
    supervised(deadlines),
    ...(config.ANCHOR_INTERVAL_MS > 0 ? [supervised(anchorSchedule)] : []),
  );

  let leases: WorkerLeases | null = null;
  if (runsFollowers) {
    const retries = new RetryRequests(readStore);
    const workerLeases = new WorkerLeases({
      store: readStore,
      holder,
      ttlMs: config.LEASE_TTL_MS,
      logger: logger.child({ component: 'leases', holder }),
      statuses: () => localFollowers.status(),
      isDeadLocalHolder: deadLocalHolder(hostname(), { pid: process.pid, holder }, processIsRunning),
    });
    for (const projection of projections) {
      const lease = projectionLease(projection.name);
      workerLeases.follow(lease, {
        start: (token) => runner.followProjection(projection.name, token),
        stop: () => runner.stopProjection(projection.name),
        renewed: async () => {
          await runner.reconcile(projection.name);
          if (await retries.asked(lease)) runner.retry(projection.name);
        },
      });
    }
    const loops: [string, { start(): void; stop(): Promise<void>; retry(): void }][] = [
      ['reactor:lead-conversion', leadConversions],
      ['reactor:compliance-checks', compliance],
      ['reactor:complaint-follow-ups', complaintFollowUps],
      ['deadline-watcher', deadlines],
      ...(config.ANCHOR_INTERVAL_MS > 0 ? [['anchor-schedule', anchorSchedule] as [string, AnchorSchedule]] : []),
    ];
    for (const [lease, loop] of loops) {
      workerLeases.follow(lease, {
        start: async () => loop.start(),
        stop: () => loop.stop(),
        renewed: async () => {
          if (await retries.asked(lease)) loop.retry();
        },
      });
    }
    leases = workerLeases;
  }
  let followersStarted = false;
  const startLeasedFollowers = async () => {
    if (!leases || followersStarted) return;
    followersStarted = true;
    // The first round before answering, so a lone process follows its views at once; the rounds after go on in the background.
    await leases.tick().catch((error: unknown) => logger.error({ err: error }, 'lease round failed; trying again'));
    leases.start();
  };
  if (startFollowers) await startLeasedFollowers();
  return {
    role: config.ROLE,
    followers,
    ownFollowers: ownFollowers(localFollowers),
    projections: progress,
    leases,
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
    pointInTime,
    kpiMaxBuckets: config.KPI_MAX_BUCKETS,
    startFollowers: startLeasedFollowers,
    async close() {
      await leases?.stop();
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
