import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AnchorStatement, StreamHead } from '../../domain/anchor/anchor.js';
import type { AnchorKey, AnchorVerifier } from './anchorKey.js';

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

const canonical = (value: unknown): string => {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('The value cannot be canonicalised');
  return text;
};

/** Heads in the one order the root is taken in: by stream id, code unit by code unit. */
export const sortedHeads = (heads: Iterable<StreamHead>): StreamHead[] =>
  [...heads].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));

/** RFC 6962's Merkle tree hash: split at the largest power of two below the count. */
const treeHash = (leaves: readonly Buffer[]): Buffer => {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return sha256(LEAF, leaves[0]!);
  let split = 1;
  while (split * 2 < leaves.length) split *= 2;
  return sha256(NODE, treeHash(leaves.slice(0, split)), treeHash(leaves.slice(split)));
};

/**
 * The Merkle root over stream heads (RFC 6962, sha256), each leaf the RFC 8785 canonical JSON of
 * `{ streamId, revision, hash }`, sorted by stream id. A tree rather than one hash of the list, so
 * that one stream's head can later be proven to a customer without showing anyone else's.
 */
export const headsRoot = (heads: Iterable<StreamHead>): string =>
  treeHash(sortedHeads(heads).map(({ streamId, revision, hash }) => Buffer.from(canonical({ streamId, revision, hash }), 'utf8'))).toString('hex');

/** The statement's own fields, whatever else the object carries (a stored anchor adds its heads and signature). */
const statementOf = ({ sequence, position, createdAt, previous, root, streamCount, keyId, algorithm }: AnchorStatement): AnchorStatement => ({
  sequence,
  position,
  createdAt,
  previous,
  root,
  streamCount,
  keyId,
  algorithm,
});

/** The anchor's hash, which the next anchor names as `previous`: sha256 over the statement's RFC 8785 canonical JSON. */
export const statementHash = (statement: AnchorStatement): string => createHash('sha256').update(canonical(statementOf(statement))).digest('hex');

/** Signs the statement's canonical JSON. */
export const sealStatement = (statement: AnchorStatement, key: AnchorKey) => ({
  statement,
  hash: statementHash(statement),
  signature: key.sign(canonical(statementOf(statement))),
});

/** `unknown_key`: signed with a key or algorithm other than this system's, which it cannot judge. */
export type SignatureVerdict = 'valid' | 'invalid' | 'unknown_key';

/** Whether this system's key signed the statement. */
export const checkSignature = (statement: AnchorStatement, signature: string, verifier: AnchorVerifier): SignatureVerdict => {
  if (statement.keyId !== verifier.keyId || statement.algorithm !== verifier.algorithm) return 'unknown_key';
  return verifier.verify(canonical(statementOf(statement)), signature) ? 'valid' : 'invalid';
};
