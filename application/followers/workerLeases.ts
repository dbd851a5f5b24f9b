import type { Logger } from 'pino';
import type { Lease, ReadStore } from '../ports/readStore.js';
import { Pause } from './pause.js';
import type { FollowerStatus } from './supervisor.js';

/** What a worker runs while it holds a follower's lease. */
export type LeasedWork = {
  /** Starts following; `token` fences what it commits, so a successor's writes are never overwritten. */
  start(token: number): Promise<void>;
  stop(): Promise<void>;
  /** Each renewal: a chance to act on what the API asked of this follower (a rebuild, a retry). */
  renewed?(): Promise<void>;
};

export type WorkerLeasesOptions = {
  store: Pick<ReadStore, 'acquireLease' | 'releaseLease' | 'leases' | 'setMeta'>;
  /** This worker's name on the leases, unique among the processes sharing the stores (see holderName). */
  holder: string;
  /** Whether the holder named is a process of this machine that is no longer running: its leases need not be waited out. */
  isDeadLocalHolder?: (holder: string) => boolean;
  /** How long a lease lasts unrenewed; a worker that dies is replaced within about this long. */
  ttlMs: number;
  logger: Logger;
  /** The followers' states, published with each round so that API processes can report them. */
  statuses: () => FollowerStatus[];
  now?: () => number;
};

type Held = { work: LeasedWork; lease: Lease | null };

/** A worker's name on the leases: its given name, then the machine and process it runs as, and a nonce for a reused process id. */
export const holderName = (name: string, host: string, pid: number, nonce: string) => `${name}@${host}:${pid}:${nonce}`;

/** Tells whether a holder named by holderName is a process of `host` that no longer runs (its pid is free, or reused by `self`). */
export const deadLocalHolder =
  (host: string, self: { pid: number; holder: string }, isRunning: (pid: number) => boolean) =>
  (holder: string): boolean => {
    const match = /@(.+):(\d+):[^:]+$/.exec(holder);
    if (!match || match[1] !== host) return false;
    const pid = Number(match[2]);
    return pid === self.pid ? holder !== self.holder : !isRunning(pid);
  };

/** Where a worker publishes its followers' states for the API processes to read. */
export const followerStatusKey = (holder: string) => `followers:${holder}`;
export type PublishedStatuses = { holder: string; at: number; expiresAt: number; followers: FollowerStatus[] };

/**
 * Shares the followers among the worker processes: each follower runs in exactly one of them, the
 * one holding its lease. Every third of a lease's life the worker takes the free or lapsed leases
 * and renews its own; it starts a follower when it takes the lease and stops it when it loses it
 * (or cannot renew it before it lapses), so a dead worker's followers move to another within
 * about one lease time. Commits are fenced by the lease's token, so a stalled worker that wakes
 * after losing its lease cannot overwrite its successor's work.
 */
export class WorkerLeases {
  private readonly followers = new Map<string, Held>();
  private readonly pause = new Pause();
  private readonly now: () => number;
  private stopped = true;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: WorkerLeasesOptions) {
    this.now = options.now ?? Date.now;
  }

  follow(name: string, work: LeasedWork): void {
    this.followers.set(name, { work, lease: null });
  }

  /** The leases this worker holds now. */
  held(): Lease[] {
    return [...this.followers.values()].flatMap(({ lease }) => (lease ? [lease] : []));
  }

  /** One round: take or renew every lease it can, start what it took, stop what it lost, publish its followers' states. */
  async tick(): Promise<void> {
    const { store, holder, ttlMs, logger, isDeadLocalHolder } = this.options;
    if (isDeadLocalHolder) {
      // A process of this machine that was killed left its leases to run out: they are let go at once instead.
      for (const lease of await store.leases()) {
        if (lease.holder !== holder && lease.expiresAt > this.now() && isDeadLocalHolder(lease.holder)) {
          logger.info({ lease: lease.name, holder: lease.holder }, 'releasing the lease of a process of this machine that is gone');
          await store.releaseLease(lease.name, lease.holder);
        }
      }
    }
    for (const [name, held] of this.followers) {
      const now = this.now();
      let lease: Lease | null;
      try {
        lease = await store.acquireLease(name, holder, ttlMs, now);
      } catch (error) {
        // Not knowing is not losing: it keeps running until the lease it holds would have lapsed.
        logger.warn({ err: error, lease: name }, 'could not renew a lease');
        if (held.lease && held.lease.expiresAt <= this.now()) await this.let(name, held, 'its lease lapsed unrenewed');
        continue;
      }
      if (!lease) {
        if (held.lease) await this.let(name, held, 'another worker holds its lease');
        continue;
      }
      const taken = held.lease?.token !== lease.token;
      if (taken && held.lease) await this.let(name, held, 'its lease was taken over');
      held.lease = lease;
      if (taken) {
        logger.info({ lease: name, token: lease.token }, 'took a lease: following');
        await held.work.start(lease.token);
      } else {
        await held.work.renewed?.();
      }
    }
    await this.publish();
  }

  /** Ticks every third of the lease time until stopped. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = (async () => {
      while (!this.stopped) {
        try {
          await this.tick();
        } catch (error) {
          this.options.logger.error({ err: error }, 'lease round failed; trying again');
        }
        await this.pause.wait(Math.max(50, Math.floor(this.options.ttlMs / 3)));
      }
    })();
  }

  /** Stops every follower it runs and gives their leases up, so another worker takes them at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pause.interrupt();
    await this.running;
    for (const [name, held] of this.followers) {
      if (!held.lease) continue;
      await held.work.stop();
      held.lease = null;
      await this.options.store.releaseLease(name, this.options.holder).catch((error: unknown) => this.options.logger.warn({ err: error, lease: name }, 'could not release a lease'));
    }
    await this.publish().catch(() => undefined);
  }

  private async let(name: string, held: Held, why: string): Promise<void> {
    this.options.logger.warn({ lease: name, token: held.lease?.token }, `stopped following: ${why}`);
    held.lease = null;
    await held.work.stop();
  }

  private async publish(): Promise<void> {
    const { store, holder, ttlMs, statuses } = this.options;
    const at = this.now();
    const mine = [...this.followers].filter(([, held]) => held.lease).map(([name]) => name);
    // A follower's status is named after its lease, or after it and a part (a view's rebuild).
    const followers = statuses().filter((status) => mine.some((name) => status.name === name || status.name.startsWith(`${name}:`)));
    const published: PublishedStatuses = { holder, at, expiresAt: at + ttlMs, followers };
    await store.setMeta(followerStatusKey(holder), published);
  }
}
