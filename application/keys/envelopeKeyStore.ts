import { randomBytes } from 'node:crypto';
import { SubjectErased, type KeyCensus, type KeyStore, type LiveKey, type StoredKey, type WrappedKeyStore } from '../ports/keyStore.js';
import { KeyUnwrapFailed, type MasterKey } from './masterKey.js';

/** New keys are wrapped by `current`; keys wrapped by any of them are read. */
export type MasterKeys = { current: MasterKey; previous: readonly MasterKey[] };

/** What a pass over the store did: keys re-wrapped, keys already as wanted, keys erased while it ran. */
export type RewrapReport = { rewrapped: number; skipped: number; erasedMeanwhile: number };

export class UnknownMasterKeys extends Error {
  constructor(readonly keysPerMasterKey: Record<string, number>) {
    super(
      `Data keys are wrapped by master keys this process was not given: ${Object.entries(keysPerMasterKey)
        .map(([id, count]) => `${count} by ${id}`)
        .join(', ')}`,
    );
    this.name = 'UnknownMasterKeys';
  }
}

const PAGE = 500;

/**
 * Envelope encryption of the data keys, in one place above every store: a key is wrapped
 * under the current master key before any store sees it, and unwrapped under whichever
 * given master key wrapped it, so no store ever holds a data key in the clear.
 */
export class EnvelopeKeyStore implements KeyStore {
  private readonly current: MasterKey;
  private readonly readable: Map<string, MasterKey>;

  private constructor(
    private readonly store: WrappedKeyStore,
    masterKeys: MasterKeys,
    /** How many keys found in the clear this store wrapped when it opened. */
    readonly wrappedAtOpen = 0,
  ) {
    this.current = masterKeys.current;
    this.readable = new Map([masterKeys.current, ...masterKeys.previous].map((key) => [key.id, key]));
  }

  /**
   * Refuses a store holding keys no given master key wrapped: a wrong or missing master key
   * fails here, at start, not on every read after. Then wraps the keys a store written
   * before wrapping kept in the clear, each exactly once (compare and set), erasures untouched.
   */
  static async open(store: WrappedKeyStore, masterKeys: MasterKeys): Promise<EnvelopeKeyStore> {
    const probe = new EnvelopeKeyStore(store, masterKeys);
    const census = await store.census();
    const unknown = Object.entries(census.wrappedBy).filter(([id]) => !probe.readable.has(id));
    if (unknown.length > 0) throw new UnknownMasterKeys(Object.fromEntries(unknown));
    if (census.unwrapped === 0) return probe;
    const { rewrapped } = await probe.rewrapWhere((key) => key.state === 'unwrapped');
    await store.scrub();
    return new EnvelopeKeyStore(store, masterKeys, rewrapped);
  }

  async keyFor(subject: string): Promise<Buffer> {
    const stored = (await this.store.find(subject)) ?? (await this.store.create(subject, this.current.wrap(subject, randomBytes(32))));
    const key = await this.reveal(subject, stored);
    if (!key) throw new SubjectErased(subject);
    return key;
  }

  async findKey(subject: string): Promise<Buffer | null> {
    const stored = await this.store.find(subject);
    return stored ? this.reveal(subject, stored) : null;
  }

  destroy(subject: string): Promise<boolean> {
    return this.store.destroy(subject);
  }

  /**
   * Re-wraps every key the current master key did not wrap. Resumable and idempotent: a key
   * it already wraps is skipped, so a pass cut short is finished by running it again.
   */
  async rotate(): Promise<RewrapReport> {
    const report = await this.rewrapWhere((key) => key.state === 'unwrapped' || key.wrapped.masterKeyId !== this.current.id);
    // Also after a pass that had nothing left to do: the one cut short may have stopped before its scrub.
    await this.store.scrub();
    return report;
  }

  census(): Promise<KeyCensus> {
    return this.store.census();
  }

  ping(): Promise<void> {
    return this.store.ping();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private async reveal(subject: string, stored: StoredKey): Promise<Buffer | null> {
    if (stored.state === 'erased') return null;
    if (stored.state === 'wrapped') return this.unwrap(subject, stored);
    // Written after this store opened by a process from before wrapping: wrap it now, not on the next start.
    const { rewrapped, erasedMeanwhile } = await this.rewrap([{ subject, key: stored }], (key) => key.state === 'unwrapped');
    if (rewrapped) await this.store.scrub();
    return erasedMeanwhile ? null : stored.key;
  }

  private unwrap(subject: string, key: LiveKey): Buffer {
    if (key.state === 'unwrapped') return key.key;
    const masterKey = this.readable.get(key.wrapped.masterKeyId);
    if (!masterKey) throw new KeyUnwrapFailed(subject, `it is wrapped by master key ${key.wrapped.masterKeyId}, which this process was not given`);
    return masterKey.unwrap(subject, key.wrapped);
  }

  private async rewrapWhere(wanted: (key: LiveKey) => boolean): Promise<RewrapReport> {
    const report: RewrapReport = { rewrapped: 0, skipped: 0, erasedMeanwhile: 0 };
    for (let after: string | null = null; ; ) {
      const page = await this.store.liveKeys(after, PAGE);
      if (page.length === 0) return report;
      after = page[page.length - 1]!.subject;
      const { rewrapped, skipped, erasedMeanwhile } = await this.rewrap(page, wanted);
      report.rewrapped += rewrapped;
      report.skipped += skipped;
      report.erasedMeanwhile += erasedMeanwhile;
    }
  }

  /** Wraps each wanted key under the current master key; one another process changed meanwhile is read again. */
  private async rewrap(keys: { subject: string; key: LiveKey }[], wanted: (key: LiveKey) => boolean): Promise<RewrapReport> {
    const report: RewrapReport = { rewrapped: 0, skipped: 0, erasedMeanwhile: 0 };
    let pending = keys;
    while (pending.length > 0) {
      const todo = pending.filter(({ key }) => wanted(key));
      report.skipped += pending.length - todo.length;
      if (todo.length === 0) break;
      const applied = await this.store.replace(
        todo.map(({ subject, key }) => ({ subject, current: key, next: this.current.wrap(subject, this.unwrap(subject, key)) })),
      );
      report.rewrapped += applied.filter(Boolean).length;
      pending = [];
      for (const { subject } of todo.filter((_, i) => !applied[i])) {
        const now = await this.store.find(subject);
        if (now && now.state !== 'erased') pending.push({ subject, key: now });
        else report.erasedMeanwhile += 1;
      }
    }
    return report;
  }
}
