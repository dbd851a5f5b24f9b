import type { RecordedEvent, Subscription } from './ports/eventStore.js';

/**
 * A subscription that reads its events itself (`pull`): overlapping next() calls are chained, so
 * each event is handed out once, in order, and return() closes it. The embedded log's subscription
 * and the followers' shared one differ only in how they read and wait.
 */
export abstract class SerialSubscription implements Subscription {
  protected closed = false;
  private tail: Promise<unknown> = Promise.resolve();

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      next: () => {
        const result = this.tail.then(() => this.pull());
        this.tail = result.catch(() => undefined);
        return result;
      },
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing();
  }

  /** The next event, waiting for one; done once closed. */
  protected abstract pull(): Promise<IteratorResult<RecordedEvent>>;

  /** Called once, on close: cut a wait short, let go of what the subscription holds. */
  protected abstract closing(): void;
}
