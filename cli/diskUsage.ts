import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { metadataFromStored } from '../infrastructure/eventstore/sqlite/metadataCodec.js';

/** One kind of event in the log: how many, and their bytes on average, metadata as stored and as the JSON it reads back to. */
export type KindUsage = { type: string; events: number; dataBytes: number; metadataBytes: number; metadataJsonBytes: number };

/** A table with its indexes. */
export type TableUsage = { table: string; rowBytes: number; indexBytes: number };

/** A database file: the bytes its pages take, of which free (given back by nothing yet), and per table. */
export type FileUsage = { bytes: number; freeBytes: number; tables: TableUsage[] };

export type DiskUsage = { events: number; kinds: KindUsage[]; log: FileUsage; views: FileUsage | null };

const fileUsage = (db: Database.Database): FileUsage => {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const tables = db
    .prepare(
      `SELECT m.tbl_name AS "table",
              SUM(CASE WHEN m.type = 'table' THEN s.pgsize ELSE 0 END) AS rowBytes,
              SUM(CASE WHEN m.type = 'index' THEN s.pgsize ELSE 0 END) AS indexBytes
       FROM dbstat s JOIN sqlite_master m ON m.name = s.name
       GROUP BY m.tbl_name ORDER BY rowBytes + indexBytes DESC`,
    )
    .all() as TableUsage[];
  return {
    bytes: (db.pragma('page_count', { simple: true }) as number) * pageSize,
    freeBytes: (db.pragma('freelist_count', { simple: true }) as number) * pageSize,
    tables,
  };
};

/** Opened read-only, beside a running server if need be. */
const withDatabase = <T>(file: string, read: (db: Database.Database) => T): T => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
};

/** What the embedded stores under `dataDir` take on disk: the log by kind of event, the views by collection. */
export const diskUsage = (dataDir: string): DiskUsage => {
  const { kinds, log } = withDatabase(join(dataDir, 'events.sqlite'), (db) => {
    const byType = new Map<string, KindUsage>();
    const rows = db.prepare('SELECT event_id, type, data, metadata FROM events').raw(true).iterate() as IterableIterator<[string, string, string, string]>;
    for (const [eventId, type, data, metadata] of rows) {
      const kind = byType.get(type) ?? { type, events: 0, dataBytes: 0, metadataBytes: 0, metadataJsonBytes: 0 };
      kind.events += 1;
      kind.dataBytes += Buffer.byteLength(data);
      kind.metadataBytes += Buffer.byteLength(metadata);
      kind.metadataJsonBytes += Buffer.byteLength(JSON.stringify(metadataFromStored(eventId, metadata)));
      byType.set(type, kind);
    }
    return { kinds: [...byType.values()].sort((a, b) => b.events - a.events || a.type.localeCompare(b.type)), log: fileUsage(db) };
  });
  const viewsFile = join(dataDir, 'views.sqlite');
  return {
    events: kinds.reduce((sum, kind) => sum + kind.events, 0),
    kinds,
    log,
    views: existsSync(viewsFile) ? withDatabase(viewsFile, fileUsage) : null,
  };
};

const size = (bytes: number) =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${bytes} B`;
const each = (bytes: number, count: number) => (count === 0 ? '-' : (bytes / count).toFixed(0));
const number = (n: number) => n.toLocaleString('en-US');

/** The usage as a table a person reads: bytes on average per event, per kind and per file. */
export const formatDiskUsage = ({ events, kinds, log, views }: DiskUsage): string => {
  const lines = [
    `events.sqlite: ${number(events)} events in ${size(log.bytes)}, ${each(log.bytes, events)} B an event (free ${size(log.freeBytes)})`,
    `  ${'kind'.padEnd(34)}${'events'.padStart(11)}${'data B'.padStart(9)}${'metadata B'.padStart(12)}${'as JSON'.padStart(9)}`,
  ];
  const all: KindUsage = { type: 'every kind', events, dataBytes: 0, metadataBytes: 0, metadataJsonBytes: 0 };
  for (const kind of [...kinds, all]) {
    if (kind !== all) {
      all.dataBytes += kind.dataBytes;
      all.metadataBytes += kind.metadataBytes;
      all.metadataJsonBytes += kind.metadataJsonBytes;
    }
    lines.push(
      `  ${kind.type.padEnd(34)}${number(kind.events).padStart(11)}${each(kind.dataBytes, kind.events).padStart(9)}${each(kind.metadataBytes, kind.events).padStart(12)}${each(kind.metadataJsonBytes, kind.events).padStart(9)}`,
    );
  }
  const tables = (file: FileUsage) => file.tables.map((t) => `  ${t.table.padEnd(34)}${size(t.rowBytes).padStart(11)} rows${size(t.indexBytes).padStart(11)} indexes`);
  lines.push(...tables(log));
  if (views) {
    lines.push(`views.sqlite: ${size(views.bytes)}, ${each(views.bytes, events)} B an event (free ${size(views.freeBytes)})`, ...tables(views));
  }
  return `${lines.join('\n')}\n`;
};
