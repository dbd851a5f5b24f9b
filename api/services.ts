import type { Logger } from 'pino';
import type { CommandPipeline } from '../application/commandPipeline.js';
import type { Clock } from '../application/ports/clock.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { KeyStore } from '../application/ports/keyStore.js';
import type { PersonalDataVault } from '../application/personalData.js';
import type { ReadStore } from '../application/ports/readStore.js';
import type { ApiKeys } from '../application/roles.js';
import type { ProjectionRunner } from '../projections/projectionRunner.js';
import type { ViewReader } from '../projections/viewReader.js';

/** Everything the routes need, wired once by the composition root. */
export type ApiServices = {
  eventStore: EventStore;
  readStore: ReadStore;
  keyStore: KeyStore;
  personalData: PersonalDataVault;
  pipeline: CommandPipeline;
  runner: ProjectionRunner;
  views: ViewReader;
  clock: Clock;
  apiKeys: ApiKeys;
  logger: Logger;
  /** How long a view request waits for its projection to reach `after` before a 503. */
  readAfterTimeoutMs: number;
};
