import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KeyUnwrapFailed, MasterKey } from '../../application/keys/masterKey.js';

const bytes = randomBytes(32);
const masterKey = new MasterKey(bytes);
const dataKey = randomBytes(32);

describe('a master key', () => {
  it('wraps a data key into bytes that do not hold it, different each time, and unwraps it back', () => {
    const wrapped = masterKey.wrap('customer-1', dataKey);
    expect(wrapped.masterKeyId).toBe(masterKey.id);
    expect(wrapped.bytes.includes(dataKey)).toBe(false);
    expect(masterKey.wrap('customer-1', dataKey).bytes.equals(wrapped.bytes)).toBe(false);
    expect(masterKey.unwrap('customer-1', wrapped)).toEqual(dataKey);
  });

  it('refuses, rather than answer other bytes, a key wrapped for another subject, by another master key, relabelled, altered or cut', () => {
    const wrapped = masterKey.wrap('customer-1', dataKey);
    const other = new MasterKey(randomBytes(32));
    const altered = Buffer.from(wrapped.bytes);
    altered[altered.length - 1]! ^= 1;
    expect(() => masterKey.unwrap('customer-2', wrapped)).toThrow(KeyUnwrapFailed);
    expect(() => other.unwrap('customer-1', wrapped)).toThrow(`it is wrapped by master key ${masterKey.id}, not ${other.id}`);
    expect(() => other.unwrap('customer-1', { ...wrapped, masterKeyId: other.id })).toThrow(/does not authenticate/);
    expect(() => masterKey.unwrap('customer-1', { ...wrapped, bytes: altered })).toThrow(/does not authenticate/);
    expect(() => masterKey.unwrap('customer-1', { ...wrapped, bytes: wrapped.bytes.subarray(0, 40) })).toThrow(/holds 40 bytes/);
  });

  it('is named by a fingerprint, the same for the same bytes, and never shows its bytes', () => {
    expect(new MasterKey(Buffer.from(bytes)).id).toBe(masterKey.id);
    expect(masterKey.id).toMatch(/^[0-9a-f]{16}$/);
    const shown = `${JSON.stringify(masterKey)} ${inspect(masterKey, { showHidden: true, depth: 5 })} ${String(masterKey)}`;
    // As text, and as an inspected Buffer prints them: hex pairs apart.
    for (const written of [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('hex').replace(/(..)(?!$)/g, '$1 ')]) expect(shown).not.toContain(written);
  });

  it('is 32 bytes, and wraps only 32-byte keys', () => {
    expect(() => new MasterKey(randomBytes(16))).toThrow('A master key is 32 bytes, not 16');
    expect(() => masterKey.wrap('customer-1', randomBytes(31))).toThrow('A data key is 32 bytes, not 31');
  });
});
