import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildServer } from '../api/server.js';
import type { Clock } from '../application/ports/clock.js';
import { DEVELOPMENT_KEYS, loadConfig } from '../infrastructure/config.js';
import { openSystem, type System } from '../infrastructure/system.js';

/**
 * A clock the scenario moves by hand, so "a week later" or "a promise goes overdue"
 * happens in seconds. The system reads time only through the Clock port, so nothing
 * else changes.
 */
export class ScenarioClock implements Clock {
  constructor(private at: Date) {}
  now = () => this.at.toISOString();
  advanceDays(days: number) {
    this.at = new Date(this.at.getTime() + days * 86_400_000);
  }
  advanceMinutes(minutes: number) {
    this.at = new Date(this.at.getTime() + minutes * 60_000);
  }
  /** Moves on to an instant, never back: time in a scenario only goes forward. */
  advanceTo(instant: string) {
    const to = new Date(instant);
    if (to.getTime() < this.at.getTime()) throw new Error(`The scenario clock is at ${this.now()}, past ${instant}`);
    this.at = to;
  }
}

export type Answer = { id: string; streamId: string; revision: number; position: number; events: string[] } & Record<string, unknown>;
// Answers are shown to the reader and checked by `expect`, not typed field by field.
export type Json = any;

const keyOf = (role: string) => Object.entries(DEVELOPMENT_KEYS).find(([, v]) => v.role === role)![0];

/** The real server on a fresh embedded store, listening, with a scenario clock. */
export class Scenario {
  private step = 0;

  private constructor(
    readonly system: System,
    readonly app: FastifyInstance,
    readonly clock: ScenarioClock,
    readonly baseUrl: string,
    private readonly quiet: boolean,
    /** The embedded stores' folder: events.sqlite, views.sqlite, keys.sqlite. */
    readonly dataDir: string,
  ) {}

  static async start(options: { startAt: string; quiet?: boolean; port?: number }): Promise<Scenario> {
    const clock = new ScenarioClock(new Date(options.startAt));
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-scenario-'));
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const system = await openSystem({ config, logger: pino({ level: 'silent' }), clock });
    const app = await buildServer(system);
    const address = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
    return new Scenario(system, app, clock, address, options.quiet ?? false, dataDir);
  }

  /** A step of the walkthrough; with `english`, the text is the Chinese and the English stands beside it. */
  say(text: string, english?: string) {
    if (!this.quiet) console.log(`\n${++this.step}. ${english === undefined ? text : `${text} / ${english}`}`);
  }

  /** What happened without a request (the deadline watcher's tick), printed like an answer. */
  show(text: string) {
    if (!this.quiet) console.log(`   ${text}`);
  }

  /** Prints a block as a reader should see it, unindented (a table, a file's first lines). */
  block(text: string) {
    if (!this.quiet) console.log(text);
  }

  /** A GET that answers a file rather than JSON (an export): its text, which must come with a 200. */
  async download(path: string, role = 'analyst'): Promise<{ text: string; contentType: string }> {
    const response = await fetch(`${this.baseUrl}${path}`, { headers: { authorization: `Bearer ${keyOf(role)}` } });
    // Decoded as written, byte order mark included, which a plain text() would drop.
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
    expect(response.status === 200, `${path} answered ${response.status}: ${text.slice(0, 300)}`);
    if (!this.quiet) console.log(`   GET ${path} as ${role} -> ${response.status} (${response.headers.get('content-type')})`);
    return { text, contentType: response.headers.get('content-type') ?? '' };
  }

  async request(method: 'GET' | 'POST', path: string, options: { role?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${keyOf(options.role ?? 'sales_rep')}`,
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const body: Json = await response.json();
    if (!this.quiet) {
      console.log(`   ${method} ${path} as ${options.role ?? 'sales_rep'} -> ${response.status}`);
      const shown = response.ok ? summarise(body) : `${body.title}: ${body.detail}${body.rule ? ` [${body.rule.id}]` : ''}`;
      console.log(`   ${shown}`);
    }
    return { status: response.status, body };
  }

  /** A command that must succeed; answers its body. */
  async command(path: string, body: unknown, role = 'sales_rep'): Promise<Answer> {
    const { status, body: answer } = await this.request('POST', path, { role, body });
    expect(status < 300, `${path} answered ${status}: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** A command that must be refused with this status. */
  async refused(path: string, body: unknown, role: string, status: number): Promise<Json> {
    const { status: got, body: answer } = await this.request('POST', path, { role, body });
    expect(got === status, `${path} answered ${got}, expected ${status}: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** A view read whose answer the walkthrough prints its own way (a table): only the request is shown. */
  async read(path: string, after: number, role = 'analyst'): Promise<Json> {
    const url = `${path}${path.includes('?') ? '&' : '?'}after=${after}`;
    const response = await fetch(`${this.baseUrl}${url}`, { headers: { authorization: `Bearer ${keyOf(role)}` } });
    const body: Json = await response.json();
    expect(response.status === 200, `${path} answered ${response.status}: ${JSON.stringify(body)}`);
    if (!this.quiet) console.log(`   GET ${url} as ${role} -> ${response.status}`);
    return body;
  }

  async view(path: string, after: number, role = 'sales_manager'): Promise<Json> {
    const { status, body } = await this.request('GET', `${path}${path.includes('?') ? '&' : '?'}after=${after}`, { role });
    expect(status === 200, `${path} answered ${status}: ${JSON.stringify(body)}`);
    return body;
  }

  async stop() {
    await this.app.close();
    await this.system.close();
  }
}

export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`Scenario check failed: ${message}`);
}

const summarise = (body: Json) => {
  const text = JSON.stringify(body);
  return text.length > 240 ? `${text.slice(0, 237)}...` : text;
};
