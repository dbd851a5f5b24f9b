/**
 * The event log's tables, in the spirit of message-db: one row per event, a global
 * position that is never reused (AUTOINCREMENT), a revision unique inside its stream,
 * and a unique event id, which makes idempotency a property of the store.
 */
export const eventStoreSchema = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  event_id    TEXT    NOT NULL UNIQUE,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);
`;

/** The command id in either form the metadata is stored in: plain JSON, or the compact array (metadataCodec.ts) that holds it second. */
export const COMMAND_ID = `coalesce(json_extract(metadata, '$.commandId'), json_extract(metadata, '$[1]'))`;

/**
 * A retried command finds the events it wrote by its id (metadata.commandId), through this index
 * rather than by reading its whole stream. Kept apart from the table, so the benchmarks' plain
 * baselines (which need no such lookup) are built without it. A log written before the index
 * existed gets it built once, at the first open (and loses the one that read plain JSON only).
 */
export const eventStoreIndexes = `
DROP INDEX IF EXISTS events_by_command;
CREATE INDEX IF NOT EXISTS events_by_command_id ON events (stream_id, ${COMMAND_ID});
`;
