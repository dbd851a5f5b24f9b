import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anchorKeyFrom } from '../../application/anchors/anchorKey.js';
import { headsRoot, sealStatement, statementHash } from '../../application/anchors/anchorSeal.js';
import { hashEvent } from '../../application/eventIntegrity.js';
import { ANCHOR_STREAM_ID, type ExportedAnchor } from '../../domain/anchor/anchor.js';
import { metadataFromStored } from '../../infrastructure/eventstore/sqlite/metadataCodec.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

/**
 * What someone who can write events.sqlite, but does not hold the anchor key, can do to the log,
 * and how the anchors catch it. Each case runs the real server on the real embedded stores and
 * edits the database file underneath it, as such a person would.
 */

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(() => t.close());

type Written = { id: string; streamId: string; revision: number; position: number };
type Row = { position: number; revision: number; event_id: string; type: string; data: string; metadata: string };

/** Opens the event log's file beside the running server, as an insider with file access would. */
const editLog = <T>(edit: (db: Database.Database) => T): T => {
  const db = new Database(join(t.dataDir, 'events.sqlite'));
  try {
    return edit(db);
  } finally {
    db.close();
  }
};

const registerCustomer = async (name: string) => {
  const response = await t.post('/customers', { name, industry: 'finance', region: 'east' });
  expect(response.statusCode).toBe(201);
  return response.json() as Written;
};
const recordInteraction = async (customerId: string, note: string) => {
  const response = await t.post(`/customers/${customerId}/interactions`, { kind: 'call', note });
  expect(response.statusCode).toBe(201);
  return response.json() as Written;
};
const takeAnchor = async () => expect((await t.post('/audit/anchors', {}, { role: 'auditor' })).statusCode).toBe(201);
const exportLatest = async () => (await t.get('/audit/anchors/latest', { role: 'auditor' })).json() as ExportedAnchor;
const verifyLatest = async () => (await t.get('/audit/anchors/verify', { role: 'auditor' })).json();
const verifySupplied = async (anchor: unknown) => (await t.post('/audit/anchors/verify', anchor, { role: 'auditor' })).json();
const streamVerdict = async (streamId: string) => (await t.get(`/streams/${streamId}/verify`, { role: 'auditor' })).json();

const deleteTailEvent = (streamId: string) =>
  editLog((db) => db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = (SELECT MAX(revision) FROM events WHERE stream_id = ?)').run(streamId, streamId).changes);

describe('an event cut from the end of a stream', () => {
  it('still passes the hash chain, but verification names the stream truncated', async () => {
    const customer = await registerCustomer('Truncated Bank');
    await recordInteraction(customer.id, 'promised a discount we later regretted');
    await takeAnchor();
    const sealed = await exportLatest();
    const sealedHead = sealed.heads.find((head) => head.streamId === customer.streamId)!;
    expect(sealedHead.revision).toBe(1);

    expect(deleteTailEvent(customer.streamId)).toBe(1);

    // The chain alone cannot see a missing end.
    expect(await streamVerdict(customer.streamId)).toMatchObject({ intact: true, events: 1 });
    const remaining = (await t.system.eventStore.readStream(customer.streamId))[0]!;
    const truncated = [{ streamId: customer.streamId, anchored: { revision: 1, hash: sealedHead.hash }, found: { revision: 0, hash: remaining.metadata.hash } }];
    expect(await verifyLatest()).toMatchObject({ intact: false, signature: 'valid', compared: true, truncated, rewritten: [], missing: [], added: [], broken: [] });
    expect(await verifySupplied(sealed)).toMatchObject({ intact: false, source: 'supplied', truncated });
  });

  it('written over by the next command at the reused revision, is named rewritten, and no anchor will seal it', async () => {
    const customer = await registerCustomer('Rewritten Bank');
    await recordInteraction(customer.id, 'the original call');
    await takeAnchor();
    const sealed = await exportLatest();
    const sealedHead = sealed.heads.find((head) => head.streamId === customer.streamId)!;

    deleteTailEvent(customer.streamId);
    const reused = await recordInteraction(customer.id, 'a different call');
    expect(reused.revision).toBe(sealedHead.revision);
    expect(await streamVerdict(customer.streamId)).toMatchObject({ intact: true, events: 2 });

    const [, replacement] = await t.system.eventStore.readStream(customer.streamId);
    const rewritten = [{ streamId: customer.streamId, anchored: { revision: 1, hash: sealedHead.hash }, found: { revision: 1, hash: replacement!.metadata.hash } }];
    expect(await verifySupplied(sealed)).toMatchObject({ intact: false, compared: true, truncated: [], rewritten, broken: [] });

    // Neither the schedule nor a person can seal the rewritten history over the anchor before it.
    expect(await t.system.anchorSchedule.tick()).toMatchObject({ outcome: 'refused', rule: 'ANC-03', detail: expect.stringContaining(customer.streamId) });
    const refused = await t.post('/audit/anchors', {}, { role: 'auditor' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: 'ANC-03' } });
    expect((await exportLatest()).sequence).toBe(sealed.sequence);
  });
});

describe('a hash chain recomputed by hand in the database', () => {
  it('passes the chain check, but not the anchor', async () => {
    const customer = await registerCustomer('Recomputed Bank');
    await recordInteraction(customer.id, 'demo of the SOC');
    await recordInteraction(customer.id, 'quoted 30% off');
    await takeAnchor();
    const sealed = await exportLatest();

    // The insider edits revision 1 and re-hashes it and every event after it, so every link holds again.
    const newHead = editLog((db) => {
      const rows = db.prepare<[string], Row>('SELECT position, revision, event_id, type, data, metadata FROM events WHERE stream_id = ? ORDER BY revision').all(customer.streamId);
      const update = db.prepare<[string, string, number]>('UPDATE events SET data = ?, metadata = ? WHERE position = ?');
      // The stored form is no secret: it is in the source.
      let prevHash = metadataFromStored(rows[0]!.event_id, rows[0]!.metadata).hash as string;
      for (const row of rows.slice(1)) {
        const data = JSON.parse(row.data) as Record<string, unknown>;
        if (row.revision === 1) data.note = 'a harmless courtesy call';
        const { hash: _stale, ...stored } = metadataFromStored(row.event_id, row.metadata);
        const metadata = { ...stored, prevHash };
        const hash = hashEvent({ streamId: customer.streamId, revision: row.revision, eventId: row.event_id, type: row.type, data, metadata });
        update.run(JSON.stringify(data), JSON.stringify({ ...metadata, hash }), row.position);
        prevHash = hash;
      }
      return prevHash;
    });

    expect(await streamVerdict(customer.streamId)).toMatchObject({ intact: true, events: 3 });
    expect((await t.get(`/audit/customers/${customer.id}/verify`, { role: 'auditor' })).json()).toMatchObject({ intact: true });

    const sealedHead = sealed.heads.find((head) => head.streamId === customer.streamId)!;
    const rewritten = [{ streamId: customer.streamId, anchored: { revision: 2, hash: sealedHead.hash }, found: { revision: 2, hash: newHead } }];
    expect(await verifyLatest()).toMatchObject({ intact: false, signature: 'valid', rewritten, truncated: [], broken: [] });
    expect(await verifySupplied(sealed)).toMatchObject({ intact: false, rewritten });
  });

  it('cannot be hidden by rewriting the anchor too, without the key', async () => {
    const customer = await registerCustomer('Anchor Forger Ltd');
    await recordInteraction(customer.id, 'the real call');
    await takeAnchor();

    // The insider deletes the customer's last event, then makes the stored anchor claim what is left, root and hash recomputed.
    deleteTailEvent(customer.streamId);
    const remaining = (await t.system.eventStore.readStream(customer.streamId))[0]!;
    editLog((db) => {
      const row = db.prepare<[string], { position: number; data: string }>('SELECT position, data FROM events WHERE stream_id = ?').get(ANCHOR_STREAM_ID)!;
      const anchor = JSON.parse(row.data) as ExportedAnchor & { changed: ExportedAnchor['heads'] };
      const changed = anchor.changed.map((head) => (head.streamId === customer.streamId ? { ...head, revision: 0, hash: String(remaining.metadata.hash) } : head));
      const { hash: _hash, signature, changed: _changed, ...statement } = anchor;
      const claimed = { ...statement, root: headsRoot(changed) };
      // The signature cannot be redone without the key, so the old one stays.
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ ...claimed, hash: statementHash(claimed), signature, changed }), row.position);
    });

    expect(await verifyLatest()).toMatchObject({ intact: false, signature: 'invalid', sealConsistent: true, compared: false });
  });
});

describe('a supplied anchor with a forged signature', () => {
  it('is refused: reported as badly signed, and the log is not judged by it', async () => {
    const customer = await registerCustomer('Forged Anchor Ltd');
    await takeAnchor();
    const genuine = await exportLatest();
    await recordInteraction(customer.id, 'after the anchor');

    // Someone presents an anchor of their own making under this system's key id, sealing a log of their choosing.
    const theirKey = anchorKeyFrom(generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const heads = genuine.heads.filter((head) => head.streamId !== customer.streamId);
    const { heads: _heads, hash: _hash, signature: _signature, ...statement } = genuine;
    const forged = sealStatement({ ...statement, root: headsRoot(heads), streamCount: heads.length }, theirKey);
    const presented = { ...forged.statement, hash: forged.hash, signature: forged.signature, heads };

    expect(await verifySupplied(presented)).toMatchObject({
      intact: false,
      signature: 'invalid',
      sealConsistent: true,
      inAnchorLog: 'different',
      compared: false,
      truncated: [],
      rewritten: [],
      missing: [],
      added: [],
    });
    expect(await verifySupplied({ ...presented, keyId: theirKey.keyId })).toMatchObject({ intact: false, signature: 'unknown_key', compared: false });
    expect(await verifySupplied(genuine)).toMatchObject({ intact: true });
  });
});

describe('a log that moved backwards under the views', () => {
  it('makes /health/ready answer 503 naming every view ahead of the log, and /admin/projections say so', async () => {
    const kept = await registerCustomer('Kept Ltd');
    await registerCustomer('Removed Ltd');
    const removed = await recordInteraction(kept.id, 'to be removed');
    const names = t.system.runner.status().map((status) => status.name);
    expect(await t.system.runner.waitFor(names, removed.position, 5_000)).toBe(true);

    const cut = editLog((db) => db.prepare('DELETE FROM events WHERE position > ?').run(kept.position).changes);
    expect(cut).toBe(2);

    const ready = await t.app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'not_ready', checks: { eventStore: 'up', readStore: 'up', keyStore: 'up', views: 'ahead_of_log' } });
    expect([...ready.json().viewsAheadOfLog].sort()).toEqual([...names].sort());

    const projections = (await t.get('/admin/projections', { role: 'admin' })).json();
    expect(projections.head).toBe(kept.position);
    expect(projections.projections.every((p: { aheadOfLog: boolean; active: { position: number } }) => p.aheadOfLog && p.active.position > kept.position)).toBe(true);
  });
});
