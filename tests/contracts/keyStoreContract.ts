import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SubjectErased, type KeyStore } from '../../application/ports/keyStore.js';

export type OpenedKeyStore = { store: KeyStore; dispose: () => Promise<void> };

/** What every key store must do: erasure is only as good as the store's promise that a destroyed key stays gone. */
export function keyStoreContract(name: string, open: () => Promise<OpenedKeyStore>) {
  describe(`KeyStore contract: ${name}`, () => {
    let opened: OpenedKeyStore;
    let store: KeyStore;
    const subject = () => `customer-${randomUUID()}`;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(() => opened.dispose());

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('creates a 32-byte key on first use and returns the same key after', async () => {
      const s = subject();
      expect(await store.findKey(s)).toBeNull();
      const key = await store.keyFor(s);
      expect(key).toHaveLength(32);
      expect(await store.keyFor(s)).toEqual(key);
      expect(await store.findKey(s)).toEqual(key);
    });

    it('gives every subject its own key, also when asked for many at once', async () => {
      const subjects = Array.from({ length: 20 }, subject);
      const keys = await Promise.all(subjects.flatMap((s) => [store.keyFor(s), store.keyFor(s)]));
      for (let i = 0; i < keys.length; i += 2) expect(keys[i]).toEqual(keys[i + 1]);
      expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(20);
    });

    it('destroys a key for good: not found, and never created again', async () => {
      const s = subject();
      await store.keyFor(s);
      expect(await store.destroy(s)).toBe(true);
      expect(await store.findKey(s)).toBeNull();
      await expect(store.keyFor(s)).rejects.toBeInstanceOf(SubjectErased);
      expect(await store.destroy(s)).toBe(false);
    });

    it('remembers an erasure asked for before any key existed', async () => {
      const s = subject();
      expect(await store.destroy(s)).toBe(false);
      await expect(store.keyFor(s)).rejects.toBeInstanceOf(SubjectErased);
    });

    it('keeps keys and erasures across a reopen', async () => {
      const kept = subject();
      const erased = subject();
      const key = await store.keyFor(kept);
      await store.keyFor(erased);
      await store.destroy(erased);
      await opened.dispose();
      opened = await open();
      store = opened.store;
      expect(await store.findKey(kept)).toEqual(key);
      expect(await store.findKey(erased)).toBeNull();
    });
  });
}
