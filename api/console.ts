import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { HttpProblem } from './problems.js';

const compiledRoot = resolve(import.meta.dirname, '..');

/**
 * Where `npm run build` writes the console: dist/console, beside the compiled server; a server run
 * from its TypeScript sources (the tests) finds the same build under dist.
 */
export const CONSOLE_DIRECTORY = basename(compiledRoot) === 'dist' ? join(compiledRoot, 'console') : join(compiledRoot, 'dist', 'console');

/**
 * Only the console's own files, and the API on the same origin. No inline script or style: the
 * bundle is files, React and the charts set styles through the DOM, which this does not restrict.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Built file names carry a hash of their content, so they never change under the same name. */
const ASSETS = '/console/assets/';

/**
 * The web console at /console: the files `npm run build` made, every page path answered with the
 * page that routes in the browser, and each answer under the console's security headers. It reads
 * and writes through the public API only, with the key its user signs in with.
 */
export const consoleRoutes =
  (directory = CONSOLE_DIRECTORY): FastifyPluginAsync =>
  async (app) => {
    app.addHook('onSend', async (_request, reply) => {
      reply.headers(SECURITY_HEADERS);
    });

    if (!existsSync(join(directory, 'index.html'))) {
      app.get('/console*', { schema: { hide: true } }, async () => {
        throw new HttpProblem(404, 'not-found', 'The console is not built', 'Run `npm run build`: it builds the console into dist/console');
      });
      return;
    }

    await app.register(fastifyStatic, {
      root: directory,
      prefix: '/console/',
      wildcard: false,
      index: false,
      setHeaders: (reply, path) => {
        reply.header('cache-control', path.startsWith(join(directory, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });

    app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
    app.get('/console/*', { schema: { hide: true } }, async (request, reply) => {
      if (request.url.startsWith(ASSETS)) {
        throw new HttpProblem(404, 'not-found', 'Not found', `No console file at ${request.url.split('?')[0]}`, { resource: 'Console file' });
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  };
