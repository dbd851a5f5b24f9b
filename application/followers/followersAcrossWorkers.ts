import type { ReadStore } from '../ports/readStore.js';
import type { Followers } from './followers.js';
import { requestRetry } from './retryRequests.js';
import type { FollowerKind, FollowerStatus } from './supervisor.js';
import { followerStatusKey, type PublishedStatuses } from './workerLeases.js';

/** One follower every deployment must have running somewhere, by its lease name. */
export type ExpectedFollower = { name: string; kind: FollowerKind };

/** Every follower of the deployment as operators see it, wherever it runs: health, metrics and retries read this. */
export interface FollowerBoard {
  status(): Promise<FollowerStatus[]>;
  /** The followers not doing their work: failed, retrying, or held by no worker. */
  troubled(): Promise<FollowerStatus[]>;
  /** Asks the follower called `name` to try again now; false when there is none. */
  retry(name: string): Promise<boolean>;
}

/** The followers of this process alone: what a worker's own readiness answers for. */
export const ownFollowers = (followers: Followers): FollowerBoard => ({
  status: async () => followers.status(),
  troubled: async () => followers.troubled(),
  retry: async (name) => followers.retry(name),
});

export type FollowersAcrossWorkersOptions = {
  store: Pick<ReadStore, 'leases' | 'getMeta' | 'setMeta'>;
  expected: readonly ExpectedFollower[];
  /** This process's own followers and its name on the leases, when it runs any. */
  local?: { followers: Followers; holder: string };
  now?: () => number;
};

const unheld = ({ name, kind }: ExpectedFollower): FollowerStatus => ({
  name,
  kind,
  state: 'unheld',
  position: null,
  attempts: 0,
  lastError: null,
  failure: null,
  restarts: 0,
  holder: null,
});

/**
 * Reads the followers' states where they are: this process's own from memory, the other
 * workers' from what each publishes with its lease rounds. A follower whose lease no live worker
 * holds is reported `unheld`. A retry of a follower another worker runs is asked for through the
 * store, and that worker acts on it at its next round.
 */
export class FollowersAcrossWorkers implements FollowerBoard {
  private readonly now: () => number;

  constructor(private readonly options: FollowersAcrossWorkersOptions) {
    this.now = options.now ?? Date.now;
  }

  async status(): Promise<FollowerStatus[]> {
    const { store, expected, local } = this.options;
    const now = this.now();
    const leases = new Map((await store.leases()).map((lease) => [lease.name, lease]));
    const published = new Map<string, FollowerStatus[]>();
    const statusesOf = async (holder: string): Promise<FollowerStatus[]> => {
      if (local && holder === local.holder) return local.followers.status();
      if (!published.has(holder)) {
        const record = (await store.getMeta(followerStatusKey(holder))) as PublishedStatuses | null;
        published.set(holder, record && record.expiresAt > now ? record.followers : []);
      }
      return published.get(holder)!;
    };
    const board: FollowerStatus[] = [];
    for (const follower of expected) {
      const lease = leases.get(follower.name);
      if (!lease || lease.expiresAt <= now) {
        board.push(unheld(follower));
        continue;
      }
      const own = (await statusesOf(lease.holder)).filter((status) => status.name === follower.name || status.name.startsWith(`${follower.name}:`));
      // Taken, but its holder has not published since: it is starting.
      const statuses = own.length > 0 ? own : [{ ...unheld(follower), state: 'starting' as const }];
      board.push(...statuses.map((status) => ({ ...status, holder: lease.holder })));
    }
    return board;
  }

  async troubled(): Promise<FollowerStatus[]> {
    return (await this.status()).filter((follower) => follower.state === 'failed' || follower.state === 'retrying' || follower.state === 'unheld');
  }

  async retry(name: string): Promise<boolean> {
    const { store, expected, local } = this.options;
    const follower = expected.find((f) => f.name === name || f.name === `projection:${name}`);
    if (!follower) return false;
    const lease = (await store.leases()).find((l) => l.name === follower.name);
    if (local && lease?.holder === local.holder && local.followers.retry(follower.name)) return true;
    await requestRetry(store, follower.name, this.now());
    return true;
  }
}
