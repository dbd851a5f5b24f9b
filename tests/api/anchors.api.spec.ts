import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorKeyFrom } from '../../application/anchors/anchorKey.js';
import { headsRoot, statementHash } from '../../application/anchors/anchorSeal.js';
import { ANCHOR_STREAM_ID, type ExportedAnchor } from '../../domain/anchor/anchor.js';
import { POLICY_STREAM_ID } from '../../domain/policy/policy.js';
import { GENESIS_HASH } from '../../domain/shared/hashChain.js';
import { DEVELOPMENT_ANCHOR_KEY } from '../../infrastructure/config.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

let t: TestApp;
beforeAll(async () => {
  // No roster: the anchors are read against a log that holds only what each test writes.
  t = await startTestApp({ roster: false });
});
afterAll(() => t.close());

type Written = { id: string; streamId: string; revision: number; position: number };

const registerCustomer = async (name: string) => {
  const response = await t.post('/customers', { name, industry: 'finance', region: 'east' });
  expect(response.statusCode).toBe(201);
  return response.json() as Written;
};
const takeAnchor = (role = 'auditor') => t.post('/audit/anchors', {}, { role });
const latest = async () => {
  const response = await t.get('/audit/anchors/latest', { role: 'auditor' });
  expect(response.statusCode).toBe(200);
  return response.json() as ExportedAnchor;
};
const verifySupplied = (anchor: unknown, role = 'auditor') => t.post('/audit/anchors/verify', anchor, { role });

describe('before the first anchor', () => {
  it('has nothing to export or verify against (404)', async () => {
    const exported = await t.get('/audit/anchors/latest', { role: 'auditor' });
    expect(exported.statusCode).toBe(404);
    expect(exported.json()).toMatchObject({ type: '/problems/not-found', resource: 'Anchor' });
    expect((await t.get('/audit/anchors/verify', { role: 'auditor' })).statusCode).toBe(404);
  });
});

describe('taking anchors', () => {
  let customer: Written;
  let first: ExportedAnchor;

  beforeAll(async () => {
    customer = await registerCustomer('Anchor Bank');
  });

  it('seals every stream head of the log but its own, and exports it self-contained', async () => {
    const head = await t.system.eventStore.headPosition();
    const response = await takeAnchor();
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({ id: '1', streamId: ANCHOR_STREAM_ID, revision: 0, events: ['AnchorRecorded'] });
    expect(body.anchor).toMatchObject({ sequence: 1, position: head, previous: GENESIS_HASH, streamCount: 2, changed: 2, algorithm: 'Ed25519' });
    expect(body.position).toBeGreaterThan(head!);

    first = await latest();
    expect(first.heads.map((h) => h.streamId)).toEqual([customer.streamId, POLICY_STREAM_ID].sort());
    expect(first.heads.find((h) => h.streamId === customer.streamId)).toEqual({
      streamId: customer.streamId,
      revision: 0,
      hash: (await t.system.eventStore.readStream(customer.streamId))[0]!.metadata.hash,
    });
    expect(first).toMatchObject({ sequence: 1, position: head, root: headsRoot(first.heads), hash: body.anchor.hash });
  });

  it('can be checked by anyone holding the public key, with nothing but the export', async () => {
    const { heads, signature, hash, ...statement } = first;
    expect(statementHash(statement)).toBe(hash);
    expect(headsRoot(heads)).toBe(first.root);
    const key = anchorKeyFrom(DEVELOPMENT_ANCHOR_KEY);
    expect(first.keyId).toBe(key.keyId);
    expect(key.verify(canonicalize(statement)!, signature)).toBe(true);
  });

  it('chains the next anchor to the one before, storing only the heads that moved, yet exports them all', async () => {
    const other = await registerCustomer('Second Anchor Ltd');
    await t.post(`/customers/${customer.id}/interactions`, { kind: 'call', note: 'renewal' });
    const response = await takeAnchor('compliance_officer');
    expect(response.statusCode).toBe(201);
    expect(response.json().anchor).toMatchObject({ sequence: 2, previous: first.hash, streamCount: 3, changed: 2 });

    const [, stored] = await t.system.eventStore.readStream(ANCHOR_STREAM_ID);
    expect((stored!.data as { changed: { streamId: string }[] }).changed.map((h) => h.streamId).sort()).toEqual([customer.streamId, other.streamId].sort());
    const second = await latest();
    expect(second.heads.map((h) => h.streamId)).toEqual([customer.streamId, other.streamId, POLICY_STREAM_ID].sort());
    expect(second.heads.find((h) => h.streamId === customer.streamId)!.revision).toBe(1);
  });

  it('is taken on request even when nothing moved, but not by the schedule', async () => {
    expect((await takeAnchor('admin')).json().anchor).toMatchObject({ sequence: 3, changed: 0 });
    expect(await t.system.anchorSchedule.tick()).toEqual({ outcome: 'unchanged' });
    await registerCustomer('Scheduled Ltd');
    expect(await t.system.anchorSchedule.tick()).toMatchObject({ outcome: 'anchored', sequence: 4, changed: 1 });
    expect(await t.system.anchorSchedule.tick()).toEqual({ outcome: 'unchanged' });
  });

  it('answers a retry under the same Idempotency-Key with the same anchor', async () => {
    await registerCustomer('Retry Ltd');
    const headers = { 'idempotency-key': 'anchor-retry-0001' };
    const once = await t.post('/audit/anchors', {}, { role: 'auditor', headers });
    const again = await t.post('/audit/anchors', {}, { role: 'auditor', headers });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(once.json());
  });
});

describe('verifying', () => {
  it('finds the log intact against the newest anchor in it, and against an exported one handed back', async () => {
    await takeAnchor();
    const fromLog = await t.get('/audit/anchors/verify', { role: 'auditor' });
    expect(fromLog.statusCode).toBe(200);
    const exported = await latest();
    expect(fromLog.json()).toEqual({
      intact: true,
      source: 'log',
      anchor: Object.fromEntries(Object.entries(exported).filter(([field]) => field !== 'heads' && field !== 'signature')),
      signature: 'valid',
      sealConsistent: true,
      inAnchorLog: 'recorded',
      logHead: await t.system.eventStore.headPosition(),
      compared: true,
      truncated: [],
      rewritten: [],
      missing: [],
      added: [],
      broken: [],
    });
    const supplied = await verifySupplied(exported);
    expect(supplied.statusCode).toBe(200);
    expect(supplied.json()).toMatchObject({ intact: true, source: 'supplied', inAnchorLog: 'recorded' });
  });

  it('stays intact as the log moves on after the anchor', async () => {
    const exported = await latest();
    const moved = await registerCustomer('Later Ltd');
    await t.post(`/customers/${moved.id}/interactions`, { kind: 'visit', note: 'after the anchor' });
    expect((await verifySupplied(exported)).json()).toMatchObject({ intact: true, added: [], truncated: [] });
  });

  it('does not compare the log with heads the signature does not cover', async () => {
    const exported = await latest();
    const [firstHead, ...rest] = exported.heads;
    const shifted = { ...exported, heads: [{ ...firstHead!, revision: firstHead!.revision + 1 }, ...rest] };
    expect((await verifySupplied(shifted)).json()).toMatchObject({ intact: false, signature: 'valid', sealConsistent: false, compared: false, truncated: [] });
  });

  it('says a statement changed after signing is badly signed, and one under another key cannot be judged', async () => {
    const exported = await latest();
    expect((await verifySupplied({ ...exported, position: exported.position - 1 })).json()).toMatchObject({ intact: false, signature: 'invalid', compared: false });
    expect((await verifySupplied({ ...exported, keyId: 'ed25519:ffffffffffffffff' })).json()).toMatchObject({ intact: false, signature: 'unknown_key' });
  });

  it('answers 400 for a supplied anchor that is not an exported anchor', async () => {
    const exported = await latest();
    const { heads: _heads, ...withoutHeads } = exported;
    for (const malformed of [withoutHeads, { ...exported, root: 'not-a-hash' }, { ...exported, extra: true }, { ...exported, algorithm: 'RSA' }, []]) {
      const response = await verifySupplied(malformed);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ type: '/problems/invalid-input' });
    }
  });
});

describe('who may anchor', () => {
  it('lets auditors, compliance officers and admins anchor, export and verify, and refuses sellers and analysts', async () => {
    for (const role of ['sales_rep', 'sales_manager', 'analyst', 'finance']) {
      expect((await takeAnchor(role)).statusCode).toBe(403);
      expect((await t.get('/audit/anchors/latest', { role })).statusCode).toBe(403);
      expect((await t.get('/audit/anchors/verify', { role })).statusCode).toBe(403);
    }
    for (const role of ['auditor', 'compliance_officer', 'admin']) expect((await t.get('/audit/anchors/verify', { role })).statusCode).toBe(200);
  });
});

describe('the views against the log', () => {
  it('reports every view in step with the log', async () => {
    const projections = (await t.get('/admin/projections', { role: 'admin' })).json().projections as { name: string; aheadOfLog: boolean }[];
    expect(projections.length).toBeGreaterThan(0);
    expect(projections.every((p) => p.aheadOfLog === false)).toBe(true);
    expect((await t.app.inject('/health/ready')).json()).toMatchObject({ status: 'ready', checks: { views: 'consistent' }, viewsAheadOfLog: [] });
  });
});
