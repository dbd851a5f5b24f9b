import type { Logger } from 'pino';
import type { CommandEnvelope, CommandResult } from '../commandPipeline.js';
import { RuleRefused } from '../errors.js';
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
  outcome: 'done' | 'replayed' | 'refused' | 'failed' | 'unknown_kind';
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
};

/**
 * Issues each deadline's command once the clock has reached it. It holds no state of its own:
 * what is due comes from the view, what was done from the streams, so a restart simply ticks again.
 */
export class DeadlineWatcher {
  private readonly kinds: ReadonlyMap<string, DeadlineKind>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: DeadlineWatcherOptions) {
    this.kinds = new Map(options.kinds.map((k) => [k.kind, k]));
  }

  /** Acts on every deadline due at `now`, one at a time; a failure is reported and retried on a later tick. */
  async tick(now: string = this.options.clock.now()): Promise<DeadlineOutcome[]> {
    const outcomes: DeadlineOutcome[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.options.deadlines.due(now, { limit: this.options.pageSize ?? 100, ...(cursor ? { cursor } : {}) });
      for (const deadline of page.items) outcomes.push(await this.act(deadline));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return outcomes;
  }

  /** Ticks every intervalMs, the next tick scheduled only once the last has finished. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const schedule = () => {
      this.timer = setTimeout(() => {
        this.running = this.tick()
          .then((outcomes) => {
            const acted = outcomes.filter((o) => o.outcome !== 'replayed');
            if (acted.length > 0) this.options.logger.info({ outcomes: acted.map((o) => ({ ...o.deadline, outcome: o.outcome })) }, 'deadlines acted on');
          })
          .catch((error: unknown) => this.options.logger.warn({ err: error }, 'deadline tick failed; retrying on the next'))
          .finally(() => {
            if (!this.stopped) schedule();
          });
      }, this.options.intervalMs ?? 10_000);
      this.timer.unref();
    };
    schedule();
  }

  /** Stops the loop and waits for a tick under way; tick() still works when called directly. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private async act(deadline: Deadline): Promise<DeadlineOutcome> {
    const kind = this.kinds.get(deadline.kind);
    if (!kind) return { deadline, outcome: 'unknown_kind' };
    const commandId = deadlineCommandId(deadline);
    try {
      const result = await kind.issue(deadline, { commandId, actor: WATCHER_ACTOR, correlationId: commandId });
      return { deadline, outcome: result.replayed ? 'replayed' : 'done', events: result.events };
    } catch (error) {
      // A refusal is usually the view lagging behind a quote that was just accepted or declined.
      if (error instanceof RuleRefused) return { deadline, outcome: 'refused', detail: error.message };
      this.options.logger.warn({ err: error, deadline }, 'deadline command failed');
      return { deadline, outcome: 'failed', detail: error instanceof Error ? error.message : String(error) };
    }
  }
}
