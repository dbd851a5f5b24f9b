import type { EventMetadata } from '../../../application/ports/eventStore.js';
import { GENESIS_HASH } from '../../../domain/shared/hashChain.js';

/**
 * How the embedded log stores an event's metadata: most of it says again what the row or the
 * metadata itself already says (the event id is a column, the causation is mostly the command,
 * the first event's previous hash is all zeros), and the rest is keys and hex. The metadata the
 * command pipeline writes is kept as a JSON array in a fixed order, without keys, without what the
 * row repeats, with its hashes in base64url: about half the bytes. Anything else, and every row
 * written before, is plain JSON; both read back to the metadata exactly as it was given, key order
 * included, so what the API serves and what the hash chain covers never change.
 *
 * [1, commandId, requestHash | null, correlationId | null (the command), causationId | null (the
 *  command), actor.id, actor.role, occurredAt, schemaVersion, { other keys } | null, prevHash | null
 *  (genesis), hash]
 */
const FORMAT = 1;

type Compact = [
  format: typeof FORMAT,
  commandId: string,
  requestHash: string | null,
  correlationId: string | null,
  causationId: string | null,
  actorId: string,
  actorRole: string,
  occurredAt: string,
  schemaVersion: unknown,
  others: Record<string, unknown> | null,
  prevHash: string | null,
  hash: string,
];

/** The keys the pipeline writes; whatever else a command records sits between schemaVersion and prevHash. */
const NAMED: ReadonlySet<string> = new Set(['eventId', 'commandId', 'requestHash', 'correlationId', 'causationId', 'actor', 'occurredAt', 'schemaVersion', 'prevHash', 'hash']);

const toBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
const toHex = (base64: string) => Buffer.from(base64, 'base64url').toString('hex');

const compact = (eventId: string, m: EventMetadata): Compact | null => {
  const { actor } = m as { actor?: { id?: unknown; role?: unknown } };
  const strings = [m.eventId, m.commandId, m.correlationId, m.causationId, m.occurredAt, m.prevHash, m.hash, actor?.id, actor?.role];
  // A slot JSON would fill with null where the metadata has nothing (schemaVersion) would not read back.
  if (m.eventId !== eventId || !strings.every((value) => typeof value === 'string') || (m.requestHash !== undefined && typeof m.requestHash !== 'string') || m.schemaVersion === undefined) return null;
  const others: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(m)) if (!NAMED.has(key)) others[key] = m[key];
  const commandId = m.commandId as string;
  return [
    FORMAT,
    commandId,
    m.requestHash === undefined ? null : toBase64(m.requestHash as string),
    m.correlationId === commandId ? null : (m.correlationId as string),
    m.causationId === commandId ? null : (m.causationId as string),
    actor!.id as string,
    actor!.role as string,
    m.occurredAt as string,
    m.schemaVersion,
    Object.keys(others).length === 0 ? null : others,
    m.prevHash === GENESIS_HASH ? null : toBase64(m.prevHash as string),
    toBase64(m.hash as string),
  ];
};

/** Built key by key rather than by spreading, since every event read from the log goes through it. */
const expand = (eventId: string, [, commandId, requestHash, correlationId, causationId, actorId, actorRole, occurredAt, schemaVersion, others, prevHash, hash]: Compact): EventMetadata => {
  const metadata: EventMetadata = { eventId, commandId };
  if (requestHash !== null) metadata.requestHash = toHex(requestHash);
  metadata.correlationId = correlationId ?? commandId;
  metadata.causationId = causationId ?? commandId;
  metadata.actor = { id: actorId, role: actorRole };
  metadata.occurredAt = occurredAt;
  metadata.schemaVersion = schemaVersion;
  // A key such as __proto__ would not be set by assignment: such metadata then fails the check on the way in and is kept as JSON.
  if (others !== null) for (const key of Object.keys(others)) metadata[key] = others[key];
  metadata.prevHash = prevHash === null ? GENESIS_HASH : toHex(prevHash);
  metadata.hash = toHex(hash);
  return metadata;
};

/**
 * The text to store for an event's metadata, given as JSON: the compact form when it reads back
 * exactly as given (the same keys in the same order, the same values), else the JSON itself.
 */
export const storedMetadata = (eventId: string, metadata: EventMetadata, json: string): string => {
  const encoded = compact(eventId, metadata);
  return encoded !== null && JSON.stringify(expand(eventId, encoded)) === json ? JSON.stringify(encoded) : json;
};

/** An event's metadata from the text stored for it, in either form. */
export const metadataFromStored = (eventId: string, stored: string): EventMetadata => {
  const parsed = JSON.parse(stored) as EventMetadata | Compact;
  return Array.isArray(parsed) ? expand(eventId, parsed) : parsed;
};
