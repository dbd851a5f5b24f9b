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
