/**
 * The hash that stands before a stream's first event: every stream's chain starts from it. The
 * hashing itself is the application's (it needs node:crypto); the domain only names the start.
 */
export const GENESIS_HASH = '0'.repeat(64);
