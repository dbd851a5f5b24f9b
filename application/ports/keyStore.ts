/**
 * Per-subject data keys for personal data (a customer's contacts, a lead's contact).
 * Destroying a key is erasure: the log stays whole and verifiable, the data in it
 * becomes unreadable.
 */
export interface KeyStore {
  /** The subject's 32-byte key, created on first use; throws SubjectErased after erasure. */
  keyFor(subject: string): Promise<Buffer>;
  /** The key, or null when there never was one or it was destroyed. */
  findKey(subject: string): Promise<Buffer | null>;
  /** Destroys the key for good; true when there was one to destroy. */
  destroy(subject: string): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class SubjectErased extends Error {
  constructor(readonly subject: string) {
    super(`The personal data of ${subject} was erased; no new personal data is kept for it`);
    this.name = 'SubjectErased';
  }
}

/** A data key as it is stored: sealed under the master key `masterKeyId` names. */
export type WrappedKey = { masterKeyId: string; bytes: Buffer };

/**
 * A subject's key while it lives. `unwrapped` is a key in the clear, found only in stores
 * written before keys were wrapped, until they are migrated; nothing writes one any more.
 */
export type LiveKey = { state: 'wrapped'; wrapped: WrappedKey } | { state: 'unwrapped'; key: Buffer };

export type StoredKey = LiveKey | { state: 'erased' };

/** A key to re-wrap, only if the subject still holds `current`: erased or changed meanwhile, it is left alone. */
export type KeyReplacement = { subject: string; current: LiveKey; next: WrappedKey };

/** How many records a store holds: live keys per master key that wrapped them, keys in the clear, erasures. */
export type KeyCensus = { wrappedBy: Record<string, number>; unwrapped: number; erased: number };

/**
 * Where data keys are kept. An adapter stores opaque wrapped records and never wraps,
 * unwraps or creates a key itself: envelope encryption happens in one place, above every
 * adapter (application/keys/envelopeKeyStore.ts).
 */
export interface WrappedKeyStore {
  /** Keeps `wrapped` as the subject's key unless the subject already has a record (a key or an erasure); answers the record kept. */
  create(subject: string, wrapped: WrappedKey): Promise<StoredKey>;
  /** The subject's record, or null when there never was one. */
  find(subject: string): Promise<StoredKey | null>;
  /** Applies each replacement that still holds (compare and set); answers, in order, which were applied. */
  replace(replacements: readonly KeyReplacement[]): Promise<boolean[]>;
  /** Destroys the key for good, or records the erasure of a subject that has none yet; true when there was a key. */
  destroy(subject: string): Promise<boolean>;
  /** Up to `limit` subjects holding a live key, in subject order, after `after` (from the first when null). */
  liveKeys(after: string | null, limit: number): Promise<{ subject: string; key: LiveKey }[]>;
  census(): Promise<KeyCensus>;
  /** Rewrites the store's own files, where it can, so no key replaced or destroyed leaves bytes behind; after a pass of replacements. */
  scrub(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
