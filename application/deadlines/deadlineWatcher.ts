import type { Logger } from 'pino';
import type { CommandEnvelope, CommandResult } from '../commandPipeline.js';
import { RuleRefused } from '../errors.js';
import { Pause } from '../followers/pause.js';
import { isPassing, Supervisor } from '../followers/supervisor.js';
import { idFromKey } from '../ids.js';
import type { Clock } from '../ports/clock.js';

/** Something that must happen to a stream once its moment has come: a quote's validity runs out, a promise falls due. */
export type Deadline = { id: string; kind: string; streamId: string; dueAt: string };

/** Where due deadlines are found; the composition root wires the deadlines view in. */
export interface DueDeadlines {
  /** Deadlines not yet done whose dueAt is at or before `now`, earliest first, a page at a time. */
  due(now: string, page: { limit: number; cursor?: string }): Promise<{ items: Deadline[]; nextCursor: string | null }>;
}

/**
 * One kind of deadline and the command service call that acts on it once due; the watcher supplies
 * the envelope, so every kind gets the same idempotency.
 */
export type DeadlineKind = {
  kind: string;
  issue: (deadline: Deadline, envelope: CommandEnvelope) => Promise<CommandResult>;
};

/** The id of the aggregate a deadline's stream belongs to: `quote-<id>` back to the id. */
export const aggregateIdOf = (deadline: Pick<Deadline, 'streamId'>) => deadline.streamId.slice(deadline.streamId.indexOf('-') + 1);

export const WATCHER_ACTOR = { id: 'deadline-watcher', role: 'system' } as const;

/**
 * One command id per deadline: a second attempt, after a crash or while the view still lags,
 * finds it in the stream and replays instead of appending again.
 */
export const deadlineCommandId = (deadline: Pick<Deadline, 'kind' | 'streamId'>) => idFromKey('deadline', `${deadline.kind} ${deadline.streamId}`);

export type DeadlineOutcome = {
  deadline: Deadline;
  /** `held`: it failed the same way every time and waits for an operator's retry. */
  outcome: 'done' | 'replayed' | 'refused' | 'failed' | 'held' | 'unknown_kind';
  events?: string[];
  detail?: string;
};

export type DeadlineWatcherOptions = {
  deadlines: DueDeadlines;
  kinds: readonly DeadlineKind[];
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
  pageSize?: number;
  /** How many ticks in a row one deadline's command may fail the same way before it is held. */
  holdAfter?: number;
};

/**
 * Issues each deadline's command once the clock has reached it. It holds no state of its own:
 * what is due comes from the view, what was done from the streams, so a restart simply ticks again.
 */
export class DeadlineWatcher {
  private readonly kinds: ReadonlyMap<string, DeadlineKind>;
  /** Failures in a row per deadline, and the deadlines held after too many. */
  private readonly failing = new Map<string, { detail: string; count: number }>();
  private readonly held = new Set<string>();
  private stopped = true;
  private readonly pause = new Pause();
  readonly supervisor: Supervisor;

  constructor(private readonly options: DeadlineWatcherOptions) {
    this.kinds = new Map(options.kinds.map((k) => [k.kind, k]));
    this.supervisor = new Supervisor({ name: 'deadline-watcher', kind: 'watcher', logger: options.logger, now: () => options.clock.now() });
  }

  /** Acts on every deadline due at `now`, one at a time; a failure is reported and retried on a later tick. */
  async tick(now: string = this.options.clock.now()): Promise<DeadlineOutcome[]> {
    const outcomes: DeadlineOutcome[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.options.deadlines.due(now, { limit: this.options.pageSize ?? 100, ...(cursor ? { cursor } : {}) });
      for (const deadline of page.items) outcomes.push(this.held.has(deadline.id) ? { deadline, outcome: 'held' } : await this.act(deadline));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return outcomes;
  }

  /** Ticks every intervalMs, the next tick scheduled only once the last has finished; a tick that throws is retried under the supervisor. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.supervisor.start(async () => {
      for (;;) {
        await this.pause.wait(this.options.intervalMs ?? 10_000);
        if (this.stopped) return;
        const outcomes = await this.tick();
        this.supervisor.progressed();
        this.reportHeld();
        const acted = outcomes.filter((o) => o.outcome !== 'replayed' && o.outcome !== 'held');
        if (acted.length > 0) this.options.logger.info({ outcomes: acted.map((o) => ({ ...o.deadline, outcome: o.outcome })) }, 'deadlines acted on');
      }
    });
  }

  /** Releases the held deadlines, to be tried on the next tick, after someone fixed what failed. */
  retry(): void {
    this.held.clear();
    this.failing.clear();
    this.supervisor.retry();
    this.pause.interrupt();
  }

  /** Stops the loop and waits for a tick under way; tick() still works when called directly. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.supervisor.stop(async () => this.pause.interrupt());
  }


  private reportHeld(): void {
    const [first] = this.held;
    if (first === undefined) return this.supervisor.holding(null);
    const detail = this.failing.get(first)?.detail ?? '';
    this.supervisor.holding({ position: null, eventId: null, streamId: first, type: 'deadline', error: `${this.held.size} deadline(s) held; first ${first}: ${detail}`, attempts: this.options.holdAfter ?? 3 });
  }

  private async act(deadline: Deadline): Promise<DeadlineOutcome> {
    const kind = this.kinds.get(deadline.kind);
    if (!kind) return { deadline, outcome: 'unknown_kind' };
    const commandId = deadlineCommandId(deadline);
    try {
      const result = await kind.issue(deadline, { commandId, actor: WATCHER_ACTOR, correlationId: commandId });
      this.failing.delete(deadline.id);
      return { deadline, outcome: result.replayed ? 'replayed' : 'done', events: result.events };
    } catch (error) {
      // A refusal is usually the view lagging behind a quote that was just accepted or declined.
      if (error instanceof RuleRefused) return { deadline, outcome: 'refused', detail: error.message };
      const detail = error instanceof Error ? error.message : String(error);
      this.options.logger.warn({ err: error, deadline }, 'deadline command failed');
      // A store out of reach says nothing about the deadline: it is tried again, never held for it.
      if (isPassing(error)) return { deadline, outcome: 'failed', detail };
      const before = this.failing.get(deadline.id);
      const count = before?.detail === detail ? before.count + 1 : 1;
      this.failing.set(deadline.id, { detail, count });
      if (count >= (this.options.holdAfter ?? 3)) this.held.add(deadline.id);
      return { deadline, outcome: 'failed', detail };
    }
  }
}
