import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { buildServer } from '../api/server.js';
import { newId } from '../application/ids.js';
import { loadConfig } from '../infrastructure/config.js';
import { eventStoreSchema } from '../infrastructure/eventstore/sqlite/schema.js';
import { openSystem } from '../infrastructure/system.js';

/**
 * One HTTP server for the benchmark, in its own process: `ledger` is the real API on the
 * embedded stores; `bare` is a baseline, a fastify + zod route doing one synchronous
 * SQLite insert per request with the same durability (WAL, synchronous=FULL); `empty` is the
 * same route storing nothing, what fastify and zod cost alone.
 */
export type TargetKind = 'ledger' | 'bare' | 'empty';
const [kind, port, dir] = process.argv.slice(2) as [TargetKind, string, string];

const CustomerBody = z.object({ name: z.string().min(1).max(200), industry: z.string().min(1).max(100), region: z.string().min(1).max(100) }).strict();

const bare = async () => {
  const db = new Database(join(dir, 'bare.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(eventStoreSchema);
  const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, 0, ?, ?, ?, ?, ?)');
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.post(
    '/customers',
    { schema: { body: CustomerBody } },
    async (request, reply) => {
      const id = newId();
      const info = insert.run(`customer-${id}`, newId(), 'CustomerRegistered', JSON.stringify(request.body), '{}', new Date().toISOString());
      return reply.code(201).send({ id, streamId: `customer-${id}`, revision: 0, position: Number(info.lastInsertRowid), events: ['CustomerRegistered'] });
    },
  );
  return app;
};

const empty = async () => {
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.post('/customers', { schema: { body: CustomerBody } }, async (_request, reply) => {
    const id = newId();
    return reply.code(201).send({ id, streamId: `customer-${id}`, revision: 0, position: 0, events: ['CustomerRegistered'] });
  });
  return app;
};

const ledger = async () => {
  // One key sends everything here: the limit stays on, so its cost is measured, but so high it never answers 429.
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000' });
  return buildServer(await openSystem({ config, logger: pino({ level: 'silent' }) }));
};

// The bench asks, around and during a request it measures, for the most memory this process has
// held (KiB), and for the heap still live after a full collection (bytes; started with --expose-gc).
process.on('message', (message) => {
  if (message === 'max-rss') process.send?.(process.resourceUsage().maxRSS);
  if (message === 'live-heap') {
    globalThis.gc?.();
    process.send?.(process.memoryUsage().heapUsed);
  }
});

const app = kind === 'bare' ? await bare() : kind === 'empty' ? await empty() : await ledger();
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.send?.('ready');
