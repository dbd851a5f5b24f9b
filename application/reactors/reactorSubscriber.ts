import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import { RuleRefused } from '../errors.js';
import { SHARED_PAGE_EVENTS, type FollowedLog } from '../followers/sharedLog.js';
import { EventHandlingFailed, isPassing, Supervisor } from '../followers/supervisor.js';
import type { RecordedEvent, Subscription } from '../ports/eventStore.js';
import type { ReadStore } from '../ports/readStore.js';

/** Events a reactor ignores move its checkpoint only now and then: a restart re-reads a few, which costs only time. */
const CHECKPOINT_EVERY = 500;
/**
 * On the embedded stores reading the log never waits on I/O, so a catch-up would hold the event loop:
 * it gives it a turn after a page of events (as the views do, so that they keep reading the same
 * pages of the shared log), or after this many reactions, whichever comes first.
 */
const EVENTS_PER_TURN = SHARED_PAGE_EVENTS;
const REACTIONS_PER_TURN = 25;

export type ReactorSubscriberOptions = {
  /** Names the checkpoint; keep it stable, or the reactor starts again from the beginning of the log. */
  name: string;
  handles: readonly string[];
  /** Must be idempotent: after a crash the event it was working on comes again. */
  react: (event: RecordedEvent) => Promise<unknown>;
  /** The log it follows: the event store, or the log shared by the followers of the process. */
  eventStore: FollowedLog;
  readStore: ReadStore;
  logger: Logger;
};

/**
 * Follows the log from a stored checkpoint and hands each event of the given types to its
 * reaction, so follow-ups a crash cut short are finished on the next start. The checkpoint
 * moves only past reactions that succeeded or were refused. Any other failure restarts it from
 * the checkpoint after a pause, under its supervisor; an event whose reaction fails the same way
 * every time stops it in state `failed` until an operator retries.
 */
export class ReactorSubscriber {
  private subscription: Subscription | null = null;
  readonly supervisor: Supervisor;

  constructor(private readonly options: ReactorSubscriberOptions) {
    this.supervisor = new Supervisor({ name: `reactor:${options.name}`, kind: 'reactor', logger: options.logger.child({ reactor: options.name }) });
  }

  start(): void {
    this.supervisor.start(() => this.follow());
  }

  /** Tries the event it failed on again now, after someone fixed what failed. */
  retry(): void {
    this.supervisor.retry();
  }

  /** Lets a reaction under way finish, then stops following. */
  async stop(): Promise<void> {
    await this.supervisor.stop(async () => this.subscription?.close());
  }

  private async follow(): Promise<void> {
    const { eventStore, readStore } = this.options;
    const key = `reactor:${this.options.name}`;
    const handled = new Set(this.options.handles);
    const checkpoint = await readStore.getMeta(key);
    const after = typeof checkpoint === 'number' ? checkpoint : null;
    this.supervisor.progressed(after);
    const subscription = eventStore.subscribeToAll(after !== null ? { after } : {});
    this.subscription = subscription;
    try {
      let unsaved = 0;
      let events = 0;
      let reactions = 0;
      for await (const event of subscription) {
        if (handled.has(event.type)) {
          await this.reactTo(event);
          reactions += 1;
          unsaved = CHECKPOINT_EVERY;
        } else {
          unsaved += 1;
        }
        if (unsaved >= CHECKPOINT_EVERY) {
          await readStore.setMeta(key, event.position);
          unsaved = 0;
        }
        this.supervisor.progressed(event.position);
        events += 1;
        if (events >= EVENTS_PER_TURN || reactions >= REACTIONS_PER_TURN) {
          events = 0;
          reactions = 0;
          await nextTurn();
        }
      }
    } finally {
      await subscription.close();
      this.subscription = null;
    }
  }

  /** A refusal will not change on a retry, and must not hold up every later event: it is logged for a person to act on. */
  private async reactTo(event: RecordedEvent): Promise<void> {
    try {
      await this.options.react(event);
    } catch (error) {
      if (isPassing(error)) throw error;
      if (!(error instanceof RuleRefused)) throw new EventHandlingFailed(event, error);
      this.options.logger.error({ err: error, reactor: this.options.name, eventId: event.eventId, streamId: event.streamId }, 'reaction refused by a rule; skipped');
    }
  }
}
