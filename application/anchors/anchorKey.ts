import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { AnchorStatement } from '../../domain/anchor/anchor.js';

/** What checks an anchor's signature: enough to verify, nothing to sign with. */
export type AnchorVerifier = {
  readonly algorithm: AnchorStatement['algorithm'];
  /** `ed25519:` and the first 16 hex digits of the sha256 of the raw public key. */
  readonly keyId: string;
  verify(message: string, signature: string): boolean;
};

/** The key anchors are signed with. It lives outside the data directory, so whoever can edit the log cannot re-sign it. */
export type AnchorKey = AnchorVerifier & {
  /** Base64 Ed25519 signature of the message's UTF-8 bytes. */
  sign(message: string): string;
};

/** PKCS#8 wraps a 32-byte Ed25519 seed behind this fixed prefix (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const privateKeyOf = (material: string): KeyObject => {
  const text = material.trim();
  if (text.startsWith('-----BEGIN')) return createPrivateKey(text);
  const seed = Buffer.from(text, 'base64');
  if (seed.length !== 32 || seed.toString('base64') !== text) {
    throw new Error('not an Ed25519 private key: give a PEM (openssl genpkey -algorithm ed25519) or a 32-byte seed in base64 (openssl rand -base64 32)');
  }
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
};

/** An Ed25519 anchor key from a PEM private key or a base64 32-byte seed; throws, saying why, on anything else. */
export const anchorKeyFrom = (material: string): AnchorKey => {
  const privateKey = privateKeyOf(material);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`an ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  const publicKey = createPublicKey(privateKey);
  const raw = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url');
  return {
    algorithm: 'Ed25519',
    keyId: `ed25519:${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`,
    sign: (message) => sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64'),
    verify: (message, signature) => verify(null, Buffer.from(message, 'utf8'), publicKey, Buffer.from(signature, 'base64')),
  };
};
