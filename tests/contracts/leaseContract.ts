import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseLost, type ReadStore } from '../../application/ports/readStore.js';

type Opened = { store: ReadStore; dispose: () => Promise<void> };

/**
 * The leases by which workers share the followers, as every read store keeps them. Two stores
 * opened on the same storage stand for two worker processes.
 */
export function leaseContract(name: string, open: () => Promise<Opened>): void {
  describe(`Lease contract: ${name}`, () => {
    const run = `ls${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    let a: Opened | undefined;
    let b: Opened | undefined;
    let count = 0;
    const first = () => a!.store;
    const second = () => b!.store;
    const lease = () => `${run}:projection:${++count}`;
    const T = 1_800_000_000_000;

    beforeAll(async () => {
      a = await open();
      b = await open();
    });
    afterAll(async () => {
      await a?.dispose();
      await b?.dispose();
    });

    it('gives a free lease to the first worker, renews it for that worker only, and keeps its token while renewed', async () => {
      const name = lease();
      expect(await first().acquireLease(name, 'worker-a', 1_000, T)).toEqual({ name, holder: 'worker-a', token: 1, expiresAt: T + 1_000 });
      expect(await second().acquireLease(name, 'worker-b', 1_000, T + 500)).toBeNull();
      expect(await first().acquireLease(name, 'worker-a', 1_000, T + 900)).toEqual({ name, holder: 'worker-a', token: 1, expiresAt: T + 1_900 });
      expect(await second().acquireLease(name, 'worker-b', 1_000, T + 1_899)).toBeNull();
    });

    it('hands a lapsed lease to another worker with a greater token, and the old holder cannot renew it', async () => {
      const name = lease();
      await first().acquireLease(name, 'worker-a', 1_000, T);
      expect(await second().acquireLease(name, 'worker-b', 1_000, T + 1_000)).toEqual({ name, holder: 'worker-b', token: 2, expiresAt: T + 2_000 });
      expect(await first().acquireLease(name, 'worker-a', 1_000, T + 1_500)).toBeNull();
      expect((await first().leases()).find((l) => l.name === name)).toEqual({ name, holder: 'worker-b', token: 2, expiresAt: T + 2_000 });
    });

    it('lets a released lease go at once, to a new token', async () => {
      const name = lease();
      await first().acquireLease(name, 'worker-a', 60_000, T);
      await second().releaseLease(name, 'worker-b');
      expect(await second().acquireLease(name, 'worker-b', 1_000, T + 1)).toBeNull();
      await first().releaseLease(name, 'worker-a');
      expect(await second().acquireLease(name, 'worker-b', 1_000, T + 2)).toMatchObject({ holder: 'worker-b', token: 2 });
    });

    it('gives one lease to exactly one of many workers asking at once', async () => {
      const name = lease();
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? first() : second()).acquireLease(name, `worker-${i}`, 5_000, T)));
      expect(answers.filter((answer) => answer !== null)).toHaveLength(1);
    });

    it('commits fenced by the current token, and refuses a commit fenced by a token taken over, writing nothing', async () => {
      const name = lease();
      const collection = `${run}_fenced_${count}`;
      await first().ensureCollections([{ name: collection, indexes: {} }]);
      const held = (await first().acquireLease(name, 'worker-a', 1_000, T))!;
      await first().commit({ writes: [{ collection, op: 'put', doc: { id: 'x', n: 1 } }], checkpoint: { name: `${name}@cp`, position: 1 }, fence: { lease: name, token: held.token } });
      const successor = (await second().acquireLease(name, 'worker-b', 1_000, T + 5_000))!;
      const stale = first().commit({ writes: [{ collection, op: 'put', doc: { id: 'x', n: 2 } }], checkpoint: { name: `${name}@cp`, position: 2 }, fence: { lease: name, token: held.token } });
      await expect(stale).rejects.toBeInstanceOf(LeaseLost);
      expect(await second().get(collection, 'x')).toEqual({ id: 'x', n: 1 });
      expect(await second().getCheckpoint(`${name}@cp`)).toBe(1);
      await second().commit({ writes: [{ collection, op: 'put', doc: { id: 'x', n: 3 } }], checkpoint: { name: `${name}@cp`, position: 3 }, fence: { lease: name, token: successor.token } });
      expect(await first().get(collection, 'x')).toEqual({ id: 'x', n: 3 });
    });

    it('refuses a lease request of the wrong shape', async () => {
      await expect(first().acquireLease(lease(), 'worker-a', 0, T)).rejects.toThrow(TypeError);
      await expect(first().acquireLease(lease(), 'worker-a', 1.5, T)).rejects.toThrow(TypeError);
      await expect(first().acquireLease(lease(), 7 as unknown as string, 1_000, T)).rejects.toThrow(TypeError);
    });
  });
}
