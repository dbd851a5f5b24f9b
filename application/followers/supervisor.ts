import type { Logger } from 'pino';
import { ConcurrencyConflict, ViewBehind } from '../errors.js';
import { Pause } from './pause.js';
import type { RecordedEvent } from '../ports/eventStore.js';
import { LeaseLost } from '../ports/readStore.js';

/**
 * What a follower of the log (a view, a reactor, a watcher) is doing, as operators see it;
 * `unheld` when no worker process holds its lease, so nobody follows it.
 */
export type FollowerState = 'starting' | 'running' | 'retrying' | 'failed' | 'stopped' | 'unheld';

export type FollowerKind = 'projection' | 'reactor' | 'watcher' | 'schedule';

/** The event a follower could not get past, and why, the same way each time it tried. */
export type FollowerFailure = {
  position: number | null;
  eventId: string | null;
  streamId: string | null;
  type: string | null;
  error: string;
  attempts: number;
  at: string;
};

export type FollowerStatus = {
  name: string;
  kind: FollowerKind;
  state: FollowerState;
  /** The last log position it took effect on, where it has one. */
  position: number | null;
  /** Restarts since it last made progress. */
  attempts: number;
  lastError: { message: string; at: string } | null;
  /** Set in state `failed`: what it stopped on. Cleared by a retry. */
  failure: FollowerFailure | null;
  restarts: number;
  /** The worker process that runs it, when the deployment has several. */
  holder?: string | null;
};

/**
 * Thrown by a follower when handling one event failed, so the supervisor can tell an event that
 * fails every time (a poison event) from a store that does not answer for a while.
 */
export class EventHandlingFailed extends Error {
  constructor(
    readonly event: Pick<RecordedEvent, 'position' | 'eventId' | 'streamId' | 'type'>,
    override readonly cause: unknown,
  ) {
    super(`${event.type} at position ${event.position} (${event.streamId}): ${messageOf(cause)}`, { cause });
    this.name = 'EventHandlingFailed';
  }
}

/** A follower's loop ended though nobody asked it to (a subscription the server closed). */
export class FollowerEnded extends Error {
  constructor(name: string) {
    super(`${name} stopped following the log without being asked to`);
    this.name = 'FollowerEnded';
  }
}

const PASSING_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
const PASSING_NAMES = /^(Mongo(Network|NetworkTimeout|ServerSelection|NotPrimary)Error|Unavailable(Error)?|DeadlineExceeded(Error)?|NotLeader(Error)?|TimeoutError)$/;

/**
 * Whether an error says something about the moment (a store busy or out of reach, a stream moved,
 * a view behind) rather than about the event: those are retried for as long as they last and
 * never make an event a poison event.
 */
export const isPassing = (error: unknown): boolean => {
  if (error instanceof ConcurrencyConflict || error instanceof ViewBehind || error instanceof LeaseLost) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && PASSING_CODES.has(code)) || PASSING_NAMES.test(error.name);
};

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export type SupervisorOptions = {
  name: string;
  kind: FollowerKind;
  logger: Logger;
  now?: () => string;
  /** First pause before a restart; it doubles up to maxDelayMs, each pause drawn at random up to it. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How many times one event must fail the same way before the follower stops on it. */
  poisonAfter?: number;
};

/**
 * Keeps one follower alive: runs its loop, and when the loop throws or ends unasked, restarts it
 * from its checkpoint after a capped, jittered pause. An event that fails the same way
 * `poisonAfter` times in a row is a poison event: the follower stops in state `failed`, naming
 * it, until an operator asks for a retry. Errors no event is to blame for (a store that does not
 * answer) are retried for as long as they last, in state `retrying`.
 */
export class Supervisor {
  private state: FollowerState = 'starting';
  private position: number | null = null;
  private attempts = 0;
  private restarts = 0;
  private lastError: FollowerStatus['lastError'] = null;
  private failure: FollowerFailure | null = null;
  private sameFailure: { key: string; position: number; count: number } | null = null;
  private stopping = false;
  private readonly pause = new Pause();
  private running: Promise<void> = Promise.resolve();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly poisonAfter: number;
  private readonly now: () => string;

  constructor(private readonly options: SupervisorOptions) {
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.poisonAfter = options.poisonAfter ?? 3;
    this.now = options.now ?? (() => new Date().toISOString());
  }

  get name(): string {
    return this.options.name;
  }

  /** Starts the loop under supervision; `loop` resumes from the follower's own checkpoint each time. */
  start(loop: () => Promise<void>): void {
    this.stopping = false;
    this.running = this.supervise(loop);
  }

  /**
   * Called by the loop each time it has taken an event (or a tick) into effect. After a failure on
   * an event, re-reading the events before it is not progress: only getting past it is.
   */
  progressed(position?: number | null): void {
    if (position !== undefined) this.position = position;
    const failedAt = this.sameFailure?.position;
    if (failedAt !== undefined && (position === undefined || position === null || position < failedAt)) return;
    this.state = 'running';
    this.attempts = 0;
    this.sameFailure = null;
  }

  /**
   * For a follower that goes on with other work around what it cannot do (the deadline watcher
   * skips one deadline, not all): reports it `failed` on that, or `running` again with null.
   */
  holding(failure: Omit<FollowerFailure, 'at'> | null): void {
    this.failure = failure ? { ...failure, at: this.now() } : null;
    if (failure) {
      this.state = 'failed';
      this.options.logger.error({ follower: this.options.name, failure }, 'follower failed on the same item every time; it goes on with the others and waits for a retry');
    } else if (this.state === 'failed') {
      this.state = 'running';
    }
  }

  /** Asks a failed (or waiting) follower to try again now. */
  retry(): FollowerState {
    if (this.state === 'failed' || this.state === 'retrying') {
      this.failure = null;
      this.sameFailure = null;
      this.attempts = 0;
      this.state = 'retrying';
      this.pause.interrupt();
    }
    return this.state;
  }

  /** Stops restarting, then `interrupt` ends the loop under way (closing its subscription), and waits for it. */
  async stop(interrupt: () => Promise<void> = async () => {}): Promise<void> {
    this.stopping = true;
    this.pause.interrupt();
    await interrupt();
    await this.running;
    this.state = 'stopped';
  }

  status(): FollowerStatus {
    return {
      name: this.options.name,
      kind: this.options.kind,
      state: this.state,
      position: this.position,
      attempts: this.attempts,
      lastError: this.lastError,
      failure: this.failure,
      restarts: this.restarts,
    };
  }

  private async supervise(loop: () => Promise<void>): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.state !== 'retrying') this.state = 'running';
        await loop();
        if (this.stopping) return;
        throw new FollowerEnded(this.options.name);
      } catch (error) {
        if (this.stopping) return;
        this.recordFailure(error);
        await this.pause.wait(this.state === 'failed' ? Number.POSITIVE_INFINITY : this.delay());
        this.restarts += 1;
      }
    }
  }

  private recordFailure(error: unknown): void {
    const at = this.now();
    this.attempts += 1;
    this.lastError = { message: messageOf(error), at };
    const { logger, name, kind } = this.options;
    if (error instanceof EventHandlingFailed) {
      const key = `${error.event.eventId} ${messageOf(error.cause)}`;
      const { position } = error.event;
      this.sameFailure = this.sameFailure?.key === key ? { key, position, count: this.sameFailure.count + 1 } : { key, position, count: 1 };
      if (this.sameFailure.count >= this.poisonAfter) {
        const { eventId, streamId, type } = error.event;
        this.failure = { position, eventId, streamId, type, error: messageOf(error.cause), attempts: this.sameFailure.count, at };
        this.state = 'failed';
        logger.error({ err: error.cause, follower: name, kind, event: error.event, attempts: this.sameFailure.count }, 'follower failed on the same event every time; it waits for a retry');
        return;
      }
    }
    this.state = 'retrying';
    logger.warn({ err: error, follower: name, kind, attempt: this.attempts }, 'follower stopped on an error; restarting from its checkpoint');
  }

  private delay(): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(this.attempts - 1, 30));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

}
