import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CONTENT_SECURITY_POLICY, consoleRoutes } from '../../api/console.js';
import { createServer } from '../../api/server.js';

const PAGE = '<!doctype html><html lang="zh-CN"><head><script type="module" src="/console/assets/main-0a1b2c.js"></script></head><body></body></html>';

const serverFor = async (directory: string) => {
  const app = createServer({ logger: pino({ level: 'silent' }), http: { rateLimitPerMinute: 0, requestTimeoutMs: 1000, connectionTimeoutMs: 1000 } });
  await app.register(consoleRoutes(directory));
  await app.ready();
  return app;
};

let built: string;
let app: FastifyInstance;
beforeAll(async () => {
  // A console as `npm run build` lays it out: the page, and assets named by their content's hash.
  built = mkdtempSync(join(tmpdir(), 'ledger-console-'));
  mkdirSync(join(built, 'assets'));
  writeFileSync(join(built, 'index.html'), PAGE);
  writeFileSync(join(built, 'assets', 'main-0a1b2c.js'), 'export {};');
  app = await serverFor(built);
});
afterAll(async () => {
  await app.close();
  rmSync(built, { recursive: true, force: true });
});

describe('the console files at /console', () => {
  it('answers the page at /console/ and at every page path, so a page reloads where it is, under a strict Content-Security-Policy', async () => {
    for (const url of ['/console/', '/console/pipeline', '/console/customers/5f0c?asOf=x']) {
      const response = await app.inject(url);
      expect([url, response.statusCode, response.body]).toEqual([url, 200, PAGE]);
      expect(response.headers['content-security-policy']).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
      expect(response.headers['cache-control']).toBe('no-cache');
    }
    expect((await app.inject('/console')).headers.location).toBe('/console/');
  });

  it('allows scripts, styles and requests from its own origin only, never inline, and no framing', () => {
    const directives = Object.fromEntries(CONSOLE_CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives).toMatchObject({ 'default-src': "'none'", 'script-src': "'self'", 'style-src': "'self'", 'connect-src': "'self'", 'frame-ancestors': "'none'" });
    expect(CONSOLE_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|\*|https?:/);
  });

  it('serves hashed assets to be kept for good, and answers a missing one 404 rather than the page', async () => {
    const asset = await app.inject('/console/assets/main-0a1b2c.js');
    expect([asset.statusCode, asset.headers['cache-control'], asset.headers['x-content-type-options']]).toEqual([200, 'public, max-age=31536000, immutable', 'nosniff']);
    const missing = await app.inject('/console/assets/gone-ffffff.js');
    expect([missing.statusCode, missing.json().type]).toEqual([404, '/problems/not-found']);
  });

  it('says how to build the console where it was never built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ledger-console-'));
    const unbuilt = await serverFor(empty);
    const response = await unbuilt.inject('/console/');
    await unbuilt.close();
    rmSync(empty, { recursive: true, force: true });
    expect([response.statusCode, response.json().title, response.json().detail]).toEqual([404, 'The console is not built', expect.stringContaining('npm run build')]);
  });
});
