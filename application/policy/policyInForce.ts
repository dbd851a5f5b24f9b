import { POLICY_STREAM_ID, policyEventSchemas, policyInForce as inForceAt, type PolicyRevision } from '../../domain/policy/policy.js';
import type { EventStore } from '../ports/eventStore.js';

type Cache = { revisions: PolicyRevision[]; streamRevision: number };

/**
 * Every check reads the policy, so each event store keeps the revisions it has read; a call reads
 * only what was appended since (usually nothing). Revisions never change once published, so
 * the cache can only be behind, never wrong, and catching up is by stream revision.
 */
const caches = new WeakMap<EventStore, Cache>();

/** Every published revision, oldest first, read through to the end of the policy stream. */
export const policyRevisions = async (eventStore: EventStore): Promise<readonly PolicyRevision[]> => {
  const cached = caches.get(eventStore) ?? { revisions: [], streamRevision: -1 };
  const fresh = await eventStore.readStream(POLICY_STREAM_ID, { fromRevision: cached.streamRevision + 1 });
  if (fresh.length === 0) return cached.revisions;
  // Another call may have caught up meanwhile: keep whichever has read further.
  const latest = caches.get(eventStore);
  if (latest && latest.streamRevision >= fresh.at(-1)!.revision) return latest.revisions;
  const next: Cache = {
    revisions: [...cached.revisions, ...fresh.map((event) => policyEventSchemas.PolicyRevisionPublished.parse(event.data))],
    streamRevision: fresh.at(-1)!.revision,
  };
  caches.set(eventStore, next);
  return next.revisions;
};

/** The revision that judges what happens at `at`, or undefined before the first takes effect. */
export const policyInForce = async (eventStore: EventStore, at: string): Promise<PolicyRevision | undefined> =>
  inForceAt(await policyRevisions(eventStore), at);

/** As policyInForce, for commands that cannot be judged without a policy: start-up publishes revision 1, so none is a fault. */
export const requirePolicyInForce = async (eventStore: EventStore, at: string): Promise<PolicyRevision> => {
  const policy = await policyInForce(eventStore, at);
  if (!policy) throw new Error(`No policy revision is in force at ${at}; revision 1 is published at start-up`);
  return policy;
};

/** A revision by its number, or undefined when none has that number. */
export const policyRevision = async (eventStore: EventStore, revision: number): Promise<PolicyRevision | undefined> =>
  (await policyRevisions(eventStore)).find((published) => published.revision === revision);
