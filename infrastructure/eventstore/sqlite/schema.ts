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

/**
 * A retried command finds the events it wrote by its id (metadata.commandId), through this index
 * rather than by reading its whole stream. Kept apart from the table, so the benchmarks' plain
 * baselines (which need no such lookup) are built without it. A log written before the index
 * existed gets it built once, at the first open.
 */
export const eventStoreIndexes = `
CREATE INDEX IF NOT EXISTS events_by_command ON events (stream_id, json_extract(metadata, '$.commandId'));
`;
