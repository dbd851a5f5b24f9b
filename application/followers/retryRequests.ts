import type { ReadStore } from '../ports/readStore.js';

const requestKey = (follower: string) => `retry-request:${follower}`;
type Request = { at: number };

/** Asks whichever worker follows `follower` to retry it: written by an API process, read by the worker at its next lease round. */
export const requestRetry = (store: Pick<ReadStore, 'setMeta'>, follower: string, at: number) => store.setMeta(requestKey(follower), { at } satisfies Request);

/**
 * The retry requests a worker has yet to act on. A request made before the worker first looked
 * is not acted on: whoever takes a follower over starts it afresh anyway.
 */
export class RetryRequests {
  private readonly seen = new Map<string, number>();

  constructor(private readonly store: Pick<ReadStore, 'getMeta'>) {}

  /** Whether a retry of `follower` was asked for since the last look. */
  async asked(follower: string): Promise<boolean> {
    const request = (await this.store.getMeta(requestKey(follower))) as Request | null;
    const at = typeof request?.at === 'number' ? request.at : 0;
    const before = this.seen.get(follower);
    this.seen.set(follower, at);
    return before !== undefined && at > before;
  }
}
