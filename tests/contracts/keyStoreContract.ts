import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvelopeKeyStore, UnknownMasterKeys, type MasterKeys } from '../../application/keys/envelopeKeyStore.js';
import { KeyUnwrapFailed, MasterKey } from '../../application/keys/masterKey.js';
import { PersonalDataVault } from '../../application/personalData.js';
import { SubjectErased, type StoredKey, type WrappedKey, type WrappedKeyStore } from '../../application/ports/keyStore.js';

export type OpenedKeyStore = {
  store: WrappedKeyStore;
  /** Writes records as this store kept them before keys were wrapped: live keys in the clear, and erasures. */
  writeUnwrapped: (keys: { subject: string; key: Buffer }[], erased: string[]) => Promise<void>;
  dispose: () => Promise<void>;
};

const wrappedOf = (stored: StoredKey | null): WrappedKey => {
  if (stored?.state !== 'wrapped') throw new Error(`expected a wrapped key, found ${JSON.stringify(stored)}`);
  return stored.wrapped;
};

/**
 * What every key store must do, under the envelope that wraps its keys: erasure is only as
 * good as the store's promise that a destroyed key stays gone, and wrapping only as good as
 * its promise that what it keeps is never the key.
 */
export function keyStoreContract(name: string, open: () => Promise<OpenedKeyStore>) {
  describe(`KeyStore contract: ${name}`, () => {
    // One store serves the whole suite, rotated back and forth, so every envelope on it is given both master keys.
    const first = new MasterKey(randomBytes(32));
    const second = new MasterKey(randomBytes(32));
    const underFirst: MasterKeys = { current: first, previous: [second] };
    const underSecond: MasterKeys = { current: second, previous: [first] };
    const fields = { ContactAdded: ['contact.email'] };

    let opened: OpenedKeyStore;
    let store: WrappedKeyStore;
    let keys: EnvelopeKeyStore;
    const subject = () => `customer-${randomUUID()}`;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      keys = await EnvelopeKeyStore.open(store, underFirst);
    });
    afterEach(() => opened.dispose());

    it('answers ping', async () => {
      await expect(keys.ping()).resolves.toBeUndefined();
    });

    it('creates a 32-byte key on first use and returns the same key after', async () => {
      const s = subject();
      expect(await keys.findKey(s)).toBeNull();
      const key = await keys.keyFor(s);
      expect(key).toHaveLength(32);
      expect(await keys.keyFor(s)).toEqual(key);
      expect(await keys.findKey(s)).toEqual(key);
    });

    it('gives every subject its own key, also when asked for many at once', async () => {
      const subjects = Array.from({ length: 20 }, subject);
      const created = await Promise.all(subjects.flatMap((s) => [keys.keyFor(s), keys.keyFor(s)]));
      for (let i = 0; i < created.length; i += 2) expect(created[i]).toEqual(created[i + 1]);
      expect(new Set(created.map((k) => k.toString('hex'))).size).toBe(20);
    });

    it('keeps one of several creations of a subject racing each other, and answers that one to all of them', async () => {
      const s = subject();
      const offered = Array.from({ length: 8 }, () => first.wrap(s, randomBytes(32)));
      const answers = await Promise.all(offered.map((wrapped) => store.create(s, wrapped)));
      const kept = wrappedOf(answers[0]!);
      expect(offered).toContainEqual(kept);
      for (const answer of answers) expect(answer).toEqual({ state: 'wrapped', wrapped: kept });
      expect(await store.find(s)).toEqual({ state: 'wrapped', wrapped: kept });
    });

    it('never turns an erasure back into a key: a creation after it answers the erasure', async () => {
      const s = subject();
      expect(await store.destroy(s)).toBe(false);
      expect(await store.create(s, first.wrap(s, randomBytes(32)))).toEqual({ state: 'erased' });
      expect(await store.find(s)).toEqual({ state: 'erased' });
    });

    it('stores a key only wrapped: the bytes kept are not the key, and name the master key that wrapped them', async () => {
      const s = subject();
      const key = await keys.keyFor(s);
      const wrapped = wrappedOf(await store.find(s));
      expect(wrapped.masterKeyId).toBe(first.id);
      expect(wrapped.bytes.includes(key)).toBe(false);
      expect(wrapped.bytes.equals(key)).toBe(false);
    });

    it('destroys a key for good: not found, nothing wrapped left, and never created again', async () => {
      const s = subject();
      await keys.keyFor(s);
      expect(await keys.destroy(s)).toBe(true);
      expect(await keys.findKey(s)).toBeNull();
      expect(await store.find(s)).toEqual({ state: 'erased' });
      await expect(keys.keyFor(s)).rejects.toBeInstanceOf(SubjectErased);
      expect(await keys.destroy(s)).toBe(false);
    });

    it('remembers an erasure asked for before any key existed', async () => {
      const s = subject();
      expect(await keys.destroy(s)).toBe(false);
      await expect(keys.keyFor(s)).rejects.toBeInstanceOf(SubjectErased);
    });

    it('keeps keys and erasures across a reopen', async () => {
      const kept = subject();
      const erased = subject();
      const key = await keys.keyFor(kept);
      await keys.keyFor(erased);
      await keys.destroy(erased);
      await opened.dispose();
      opened = await open();
      keys = await EnvelopeKeyStore.open(opened.store, underFirst);
      expect(await keys.findKey(kept)).toEqual(key);
      expect(await keys.findKey(erased)).toBeNull();
    });

    it('lists the live keys page by page, in subject order, each once, without erasures', async () => {
      const live = [subject(), subject(), subject()];
      const erased = subject();
      for (const s of [...live, erased]) await keys.keyFor(s);
      await keys.destroy(erased);
      const listed: string[] = [];
      for (let page = await store.liveKeys(null, 3); page.length > 0; page = await store.liveKeys(listed.at(-1)!, 3)) {
        expect(page.length).toBeLessThanOrEqual(3);
        listed.push(...page.map(({ subject: s }) => s));
      }
      expect(listed).toEqual([...new Set(listed)].sort());
      expect(listed).toEqual(expect.arrayContaining(live));
      expect(listed).not.toContain(erased);
    });

    it('refuses to open under master keys that wrapped none of its keys, naming the one that did', async () => {
      await keys.keyFor(subject());
      const stranger = new MasterKey(randomBytes(32));
      const refused = EnvelopeKeyStore.open(store, { current: stranger, previous: [] });
      await expect(refused).rejects.toBeInstanceOf(UnknownMasterKeys);
      await expect(refused).rejects.toThrow(first.id);
    });

    it('refuses, with a clear error and never other bytes, a wrapped key moved to another subject or relabelled', async () => {
      const owner = subject();
      const moved = subject();
      const relabelled = subject();
      await keys.keyFor(owner);
      await store.create(moved, wrappedOf(await store.find(owner)));
      await store.create(relabelled, { masterKeyId: second.id, bytes: first.wrap(relabelled, randomBytes(32)).bytes });
      await expect(keys.findKey(moved)).rejects.toThrow(KeyUnwrapFailed);
      await expect(keys.keyFor(relabelled)).rejects.toThrow(/does not authenticate under master key/);
      // Erased again, so every key left in the suite's store opens.
      await keys.destroy(moved);
      await keys.destroy(relabelled);
    });

    it('rotates every key to the new master key; data sealed before reads back under the new key alone, erasures kept', async () => {
      const s = subject();
      const erased = subject();
      const sealed = (await new PersonalDataVault(keys, fields).seal(s, 'ContactAdded', { contact: { email: 'li.wei@acme.example' } })) as { contact: { email: string } };
      await keys.keyFor(erased);
      await keys.destroy(erased);
      const before = await store.census();
      const live = Object.values(before.wrappedBy).reduce((sum, count) => sum + count, 0);

      const report = await (await EnvelopeKeyStore.open(store, underSecond)).rotate();

      expect(report).toEqual({ rewrapped: before.wrappedBy[first.id], skipped: live - before.wrappedBy[first.id]!, erasedMeanwhile: 0 });
      expect(await store.census()).toEqual({ wrappedBy: { [second.id]: live }, unwrapped: 0, erased: before.erased });
      expect(wrappedOf(await store.find(s)).masterKeyId).toBe(second.id);
      const secondOnly = await EnvelopeKeyStore.open(store, { current: second, previous: [] });
      expect(await new PersonalDataVault(secondOnly, fields).reveal(s, sealed.contact.email)).toBe('li.wei@acme.example');
      await expect(secondOnly.keyFor(erased)).rejects.toBeInstanceOf(SubjectErased);
    });

    it('resumes a rotation cut short, skipping the keys it already re-wrapped, and does nothing the second time', async () => {
      for (let i = 0; i < 3; i++) await keys.keyFor(subject());
      const toRotate = (await store.census()).wrappedBy[first.id]!;
      const cutShort = new Proxy(store, {
        get(target, property: keyof WrappedKeyStore) {
          if (property === 'replace') {
            return async (replacements: Parameters<WrappedKeyStore['replace']>[0]) => {
              await target.replace(replacements.slice(0, 1));
              throw new Error('cut short');
            };
          }
          const value = target[property];
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });

      await expect((await EnvelopeKeyStore.open(cutShort, underSecond)).rotate()).rejects.toThrow('cut short');
      expect((await store.census()).wrappedBy[first.id]).toBe(toRotate - 1);

      const resumed = await EnvelopeKeyStore.open(store, underSecond);
      expect((await resumed.rotate()).rewrapped).toBe(toRotate - 1);
      expect((await resumed.rotate()).rewrapped).toBe(0);
      expect(Object.keys((await store.census()).wrappedBy)).toEqual([second.id]);
    });

    it('wraps the keys a store kept in the clear when it opens, each exactly once though two open at once, erasures kept', async () => {
      const inClear = Array.from({ length: 5 }, () => ({ subject: subject(), key: randomBytes(32) }));
      const erased = [subject(), subject()];
      await opened.writeUnwrapped(inClear, erased);
      expect((await store.census()).unwrapped).toBe(5);

      const [one, other] = await Promise.all([EnvelopeKeyStore.open(store, underFirst), EnvelopeKeyStore.open(store, underFirst)]);

      expect(one.wrappedAtOpen + other.wrappedAtOpen).toBe(5);
      expect((await store.census()).unwrapped).toBe(0);
      for (const { subject: s, key } of inClear) {
        expect(await other.findKey(s)).toEqual(key);
        const wrapped = wrappedOf(await store.find(s));
        expect(wrapped.masterKeyId).toBe(first.id);
        expect(wrapped.bytes.includes(key)).toBe(false);
      }
      for (const s of erased) {
        expect(await one.findKey(s)).toBeNull();
        await expect(one.keyFor(s)).rejects.toBeInstanceOf(SubjectErased);
      }
      expect((await EnvelopeKeyStore.open(store, underFirst)).wrappedAtOpen).toBe(0);
    });

    it('wraps a key found in the clear after it opened (written by a process from before wrapping) when it reads it', async () => {
      const s = subject();
      const key = randomBytes(32);
      await opened.writeUnwrapped([{ subject: s, key }], []);
      expect(await keys.findKey(s)).toEqual(key);
      expect(wrappedOf(await store.find(s)).bytes.includes(key)).toBe(false);
      expect(await keys.keyFor(s)).toEqual(key);
    });
  });
}
