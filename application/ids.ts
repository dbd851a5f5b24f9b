import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

/** Namespace for ids derived from idempotency keys, so a retried create lands on the same stream. */
const DERIVED_ID_NAMESPACE = 'a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b';

export const newId = (): string => uuidv7();

/** The same (scope, key) always yields the same id; different scopes never collide. */
export const idFromKey = (scope: string, key: string): string => uuidv5(`${scope}\u0000${key}`, DERIVED_ID_NAMESPACE);
