import type { Logger } from 'pino';
import { RuleRefused } from '../errors.js';
import type { EventStore, RecordedEvent, Subscription } from '../ports/eventStore.js';
import type { ReadStore } from '../ports/readStore.js';

/** Events a reactor ignores move its checkpoint only now and then: a restart re-reads a few, which costs only time. */
const CHECKPOINT_EVERY = 500;

export type ReactorSubscriberOptions = {
  /** Names the checkpoint; keep it stable, or the reactor starts again from the beginning of the log. */
  name: string;
  handles: readonly string[];
  /** Must be idempotent: after a crash the event it was working on comes again. */
  react: (event: RecordedEvent) => Promise<unknown>;
  eventStore: EventStore;
  readStore: ReadStore;
  logger: Logger;
};

/**
 * Follows the log from a stored checkpoint and hands each event of the given types to its
 * reaction, so follow-ups a crash cut short are finished on the next start. The checkpoint
 * moves only past reactions that succeeded or were refused: any other failure stops the
 * subscriber where it is, and the next start tries that event again.
 */
export class ReactorSubscriber {
  private subscription: Subscription | null = null;
  private stopping = false;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReactorSubscriberOptions) {}

  start(): void {
    this.running = this.follow().catch((error: unknown) => {
      if (!this.stopping) this.options.logger.error({ err: error, reactor: this.options.name }, 'reactor stopped on an error; it resumes from its checkpoint on the next start');
    });
  }

  /** Lets a reaction under way finish, then stops following. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    await this.running;
  }

  private async follow(): Promise<void> {
    const { eventStore, readStore } = this.options;
    const key = `reactor:${this.options.name}`;
    const handled = new Set(this.options.handles);
    const checkpoint = await readStore.getMeta(key);
    if (this.stopping) return;
    this.subscription = eventStore.subscribeToAll(typeof checkpoint === 'number' ? { after: checkpoint } : {});
    let unsaved = 0;
    for await (const event of this.subscription) {
      if (handled.has(event.type)) {
        await this.reactTo(event);
        unsaved = CHECKPOINT_EVERY;
      } else {
        unsaved += 1;
      }
      if (unsaved >= CHECKPOINT_EVERY) {
        await readStore.setMeta(key, event.position);
        unsaved = 0;
      }
    }
  }

  /** A refusal will not change on a retry, and must not hold up every later event: it is logged for a person to act on. */
  private async reactTo(event: RecordedEvent): Promise<void> {
    try {
      await this.options.react(event);
    } catch (error) {
      if (!(error instanceof RuleRefused)) throw error;
      this.options.logger.error({ err: error, reactor: this.options.name, eventId: event.eventId, streamId: event.streamId }, 'reaction refused by a rule; skipped');
    }
  }
}
