import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { WrappedKey } from '../ports/keyStore.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_BYTES = IV_BYTES + TAG_BYTES + KEY_BYTES;

export class KeyUnwrapFailed extends Error {
  constructor(
    readonly subject: string,
    why: string,
  ) {
    super(`The data key of ${subject} cannot be unwrapped: ${why}`);
    this.name = 'KeyUnwrapFailed';
  }
}

/**
 * A 256-bit key-encryption key. Its bytes live in a private field, so they never show in
 * JSON, a log line or an inspected object; what stored records name is its id, a
 * fingerprint from which the key cannot be recovered.
 */
export class MasterKey {
  readonly id: string;
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    if (bytes.length !== KEY_BYTES) throw new RangeError(`A master key is ${KEY_BYTES} bytes, not ${bytes.length}`);
    this.#bytes = Buffer.from(bytes);
    this.id = createHmac('sha256', this.#bytes).update('master key id').digest('hex').slice(0, 16);
  }

  /** AES-256-GCM: iv | auth tag | sealed key. */
  wrap(subject: string, key: Buffer): WrappedKey {
    if (key.length !== KEY_BYTES) throw new RangeError(`A data key is ${KEY_BYTES} bytes, not ${key.length}`);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#bytes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.associatedData(subject));
    const sealed = Buffer.concat([cipher.update(key), cipher.final()]);
    return { masterKeyId: this.id, bytes: Buffer.concat([iv, cipher.getAuthTag(), sealed]) };
  }

  /** The data key, or KeyUnwrapFailed: never bytes that only look like a key. */
  unwrap(subject: string, wrapped: WrappedKey): Buffer {
    if (wrapped.masterKeyId !== this.id) throw new KeyUnwrapFailed(subject, `it is wrapped by master key ${wrapped.masterKeyId}, not ${this.id}`);
    if (wrapped.bytes.length !== WRAPPED_BYTES) throw new KeyUnwrapFailed(subject, `the record holds ${wrapped.bytes.length} bytes, not ${WRAPPED_BYTES}`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#bytes, wrapped.bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(this.associatedData(subject));
      decipher.setAuthTag(wrapped.bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(wrapped.bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new KeyUnwrapFailed(subject, `it does not authenticate under master key ${this.id}: altered, or moved from another subject`);
    }
  }

  /** Binds a wrapped key to its subject and master key: moved to another subject, or relabelled, it does not open. */
  private associatedData(subject: string): Buffer {
    return Buffer.from(JSON.stringify(['data key', this.id, subject]));
  }
}
