import type { Logger } from 'pino';
import type { AnchorVerifier } from '../application/anchors/anchorKey.js';
import type { CommandServices } from '../application/commands/commandServices.js';
import type { Clock } from '../application/ports/clock.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { KeyStore } from '../application/ports/keyStore.js';
import type { PersonalDataVault } from '../application/personalData.js';
import type { ReadStore } from '../application/ports/readStore.js';
import type { FollowerBoard } from '../application/followers/followersAcrossWorkers.js';
import type { ApiKeys } from '../application/roles.js';
import type { PointInTime } from '../projections/pointInTime.js';
import type { ProjectionProgress } from '../projections/projectionProgress.js';
import type { ViewReader } from '../projections/viewReader.js';

/** What the API needs, handed over by whoever composes the process: commands go to the services, reads to the stores and views. */
export type ApiServices = {
  commands: CommandServices;
  eventStore: EventStore;
  readStore: ReadStore;
  keyStore: KeyStore;
  personalData: PersonalDataVault;
  /** How far each view has got, wherever it is followed. */
  projections: ProjectionProgress;
  /** Every follower (views, reactors, watchers) with its state, wherever it runs: health, metrics and retries read it. */
  followers: FollowerBoard;
  views: ViewReader;
  /** Checks the signature of an anchor, from the log or handed in. */
  anchorVerifier: AnchorVerifier;
  clock: Clock;
  apiKeys: ApiKeys;
  logger: Logger;
  /** How long a view request waits for its projection to reach `after` before a 503. */
  readAfterTimeoutMs: number;
  http: HttpLimits;
  /** Views as they stood at a past moment, replayed from the log (`?asOf=`). */
  pointInTime: PointInTime;
  /** The most periods a KPI question may span (KPI_MAX_BUCKETS). */
  kpiMaxBuckets: number;
};

/** What one caller may ask of the server, and how long a request or an idle connection may last. */
export type HttpLimits = { rateLimitPerMinute: number; requestTimeoutMs: number; connectionTimeoutMs: number };
