import { buildServer } from './api/server.js';
import { buildWorkerServer } from './api/workerServer.js';
import { ConfigError, loadConfig, type Config } from './infrastructure/config.js';
import { createLogger } from './infrastructure/logger.js';
import { openSystem } from './infrastructure/system.js';

/** A configuration problem, found reading the environment or opening the stores, exits with status 2. */
function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

const start = async () => {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  const logger = createLogger(config.LOG_LEVEL);
  if (config.usingDevelopmentKeys) logger.warn('API_KEYS is not set: serving with the public development keys (see README)');
  if (config.usingDevelopmentAnchorKey) logger.warn('ANCHOR_KEY is not set: signing anchors with the public development key, so they prove nothing (see README)');
  if (config.usingDevelopmentMasterKey) logger.warn('MASTER_KEY is not set: data keys are wrapped with the public development master key (see README)');

  // The followers start once the server listens: catching up on a long log must not keep it from answering.
  const system = await openSystem({ config, logger, startFollowers: false }).catch(exitOnConfigError);
  // A worker serves only its health and metrics; its own followers are what its readiness answers for.
  const app = config.ROLE === 'worker' ? await buildWorkerServer({ ...system, followers: system.ownFollowers }) : await buildServer(system);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    try {
      await app.close();
      await system.close();
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info(
    { address, role: config.ROLE, eventStore: config.EVENTSTORE_URL ? 'eventstoredb' : 'sqlite', readStore: config.MONGODB_URL ? 'mongodb' : 'sqlite', dataDir: config.DATA_DIR },
    'sales conduct ledger is serving',
  );
  // Readiness answers 503 until they have taken their leases and every view has caught up.
  await system.startFollowers();
};

start().catch((error) => {
  console.error(error);
  process.exit(1);
});
