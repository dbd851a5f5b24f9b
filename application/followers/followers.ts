import type { FollowerStatus } from './supervisor.js';

/** Anything that follows the log or the clock under a supervisor, as operators see and retry it. */
export type Supervised = { status(): FollowerStatus[]; retry(name: string): boolean };

/** Every follower of one process: the views, the reactors, the deadline watcher and the anchor schedule. */
export class Followers implements Supervised {
  constructor(private readonly members: Supervised[]) {}

  /** Adds followers made after the registry that reports them. */
  add(...members: Supervised[]): void {
    this.members.push(...members);
  }

  status(): FollowerStatus[] {
    return this.members.flatMap((member) => member.status());
  }

  /** Asks the follower called `name` to try again now; false when there is none. */
  retry(name: string): boolean {
    return this.members.some((member) => member.retry(name));
  }

  /** The followers not doing their work: failed on a poison event, or retrying after an error. */
  troubled(): FollowerStatus[] {
    return this.status().filter((follower) => follower.state === 'failed' || follower.state === 'retrying');
  }
}

/** One follower as a member of the registry, retried under its supervisor's name through `retry` (which clears whatever it holds). */
export const supervised = (follower: { readonly supervisor: { readonly name: string; status(): FollowerStatus }; retry(): unknown }): Supervised => ({
  status: () => [follower.supervisor.status()],
  retry: (name) => {
    if (name !== follower.supervisor.name) return false;
    follower.retry();
    return true;
  },
});
