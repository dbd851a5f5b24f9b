import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyStore } from './ports/keyStore.js';

/** How a sealed value reads: a marker, then base64 of iv | auth tag | ciphertext. */
const SEALED = 'pii:v1:';
export const ERASED = '[erased]';

/** Dotted paths of the personal fields in each event type's data, e.g. 'contact.email'. */
export type PersonalDataFields = Record<string, readonly string[]>;

const getPath = (data: Record<string, unknown>, path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), data);

const setPath = (data: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> => {
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) return { ...data, [head]: value };
  return { ...data, [head]: setPath((data[head] ?? {}) as Record<string, unknown>, rest, value) };
};

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(SEALED);

/**
 * Encrypts personal fields inside events with the subject's own key (AES-256-GCM, the
 * subject as associated data, so a value cannot be moved to another subject), and
 * reads them back while the key exists.
 */
export class PersonalDataVault {
  constructor(
    private readonly keys: KeyStore,
    private readonly fields: PersonalDataFields,
  ) {}

  holdsPersonalData(eventType: string): boolean {
    return (this.fields[eventType]?.length ?? 0) > 0;
  }

  async seal(subject: string, eventType: string, data: unknown): Promise<unknown> {
    const paths = this.fields[eventType];
    if (!paths?.length) return data;
    let sealed = data as Record<string, unknown>;
    for (const dotted of paths) {
      const path = dotted.split('.');
      const value = getPath(sealed, path);
      if (typeof value !== 'string' || isSealed(value)) continue;
      sealed = setPath(sealed, path, this.encrypt(await this.keys.keyFor(subject), subject, value));
    }
    return sealed;
  }

  /** The plain value, or ERASED once the subject's key was destroyed. */
  async reveal(subject: string, value: string): Promise<string> {
    if (!isSealed(value)) return value;
    const key = await this.keys.findKey(subject);
    if (!key) return ERASED;
    const packed = Buffer.from(value.slice(SEALED.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, 12));
    decipher.setAAD(Buffer.from(subject));
    decipher.setAuthTag(packed.subarray(12, 28));
    return Buffer.concat([decipher.update(packed.subarray(28)), decipher.final()]).toString('utf8');
  }

  private encrypt(key: Buffer, subject: string, value: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(subject));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return SEALED + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
  }
}
