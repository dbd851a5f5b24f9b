import { createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EnvelopeKeyStore } from '../../application/keys/envelopeKeyStore.js';
import { MasterKey } from '../../application/keys/masterKey.js';
import { ConfigError, DEVELOPMENT_MASTER_KEY, loadConfig } from '../../infrastructure/config.js';
import { SqliteKeyStore } from '../../infrastructure/keystore/sqlite/sqliteKeyStore.js';
import { openSystem } from '../../infrastructure/system.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { writeKeysFileFromBeforeWrapping } from '../support/unwrappedKeys.js';

/** Every byte the embedded key store has on disk: the keys file, its WAL and its shared memory. */
const keysOnDisk = (dataDir: string): Buffer =>
  Buffer.concat(
    readdirSync(dataDir)
      .filter((name) => name.startsWith('keys.sqlite'))
      .map((name) => readFileSync(join(dataDir, name))),
  );

/** Opens a sealed value with a key, as the vault does: proves it is the key the vault used. */
const openSealed = (key: Buffer, subject: string, sealed: string): string => {
  const packed = Buffer.from(sealed.slice('pii:v1:'.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, 12));
  decipher.setAAD(Buffer.from(subject));
  decipher.setAuthTag(packed.subarray(12, 28));
  return Buffer.concat([decipher.update(packed.subarray(28)), decipher.final()]).toString('utf8');
};

/** What the keys file holds for a subject, read through a connection of its own. */
const wrappedOnDisk = async (dataDir: string, subject: string): Promise<Buffer> => {
  const store = SqliteKeyStore.open(join(dataDir, 'keys.sqlite'));
  try {
    const stored = await store.find(subject);
    if (stored?.state !== 'wrapped') throw new Error(`${subject} holds no wrapped key`);
    return stored.wrapped.bytes;
  } finally {
    await store.close();
  }
};

/** Closes the server and its stores, keeping the data folder to read what they left on disk. */
const stop = async (t: TestApp) => {
  await t.app.close();
  await t.system.close();
};

const registerCustomer = async (t: TestApp) =>
  (await t.post('/customers', { name: 'Acme Bank', industry: 'finance', region: 'east' })).json() as { id: string; streamId: string };

describe('data keys at rest', () => {
  it('the SQLite keys file holds none of the keys the vault sealed personal data with, while serving and after', async () => {
    const t = await startTestApp();
    try {
      const used: { customerId: string; key: Buffer }[] = [];
      for (const name of ['Li Wei', 'Chen Jing', 'Wang Fang']) {
        const customer = await registerCustomer(t);
        expect((await t.post(`/customers/${customer.id}/contacts`, { name })).statusCode).toBe(201);
        const [, added] = await t.system.eventStore.readStream(customer.streamId);
        const key = (await t.system.keyStore.findKey(customer.id))!;
        expect(openSealed(key, customer.id, (added!.data as { name: string }).name)).toBe(name);
        used.push({ customerId: customer.id, key });
      }

      const whileServing = keysOnDisk(t.dataDir);
      for (const { key } of used) expect(whileServing.includes(key)).toBe(false);
      await stop(t);
      const afterwards = keysOnDisk(t.dataDir);
      for (const { customerId, key } of used) {
        expect(afterwards.includes(key)).toBe(false);
        // What the file holds instead, and what the same search does find.
        expect(afterwards.includes(await wrappedOnDisk(t.dataDir, customerId))).toBe(true);
      }
    } finally {
      rmSync(t.dataDir, { recursive: true, force: true });
    }
  });

  it('a keys file that held keys in the clear holds none once the server has opened it, and every key still reads', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-security-'));
    try {
      const { keys } = writeKeysFileFromBeforeWrapping(join(dataDir, 'keys.sqlite'), 50);
      const before = keysOnDisk(dataDir);
      for (const { key } of keys) expect(before.includes(key)).toBe(true);

      const t = await startTestApp({ dataDir });
      const whileServing = keysOnDisk(dataDir);
      for (const { subject, key } of keys) {
        expect(whileServing.includes(key)).toBe(false);
        expect(await t.system.keyStore.findKey(subject)).toEqual(key);
      }
      await stop(t);
      const afterwards = keysOnDisk(dataDir);
      for (const { key } of keys) expect(afterwards.includes(key)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a migration cut short after wrapping its last key, before rewriting the file, is finished at the next open', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-security-'));
    const file = join(dataDir, 'keys.sqlite');
    try {
      // Enough keys that wrapping them rebalances pages, which leaves old bytes behind.
      const { keys } = writeKeysFileFromBeforeWrapping(file, 50);
      const masterKey = new MasterKey(randomBytes(32));
      const cutShort = SqliteKeyStore.open(file);
      await cutShort.replace(keys.map(({ subject, key }) => ({ subject, current: { state: 'unwrapped', key }, next: masterKey.wrap(subject, key) })));
      await cutShort.close();
      expect(keys.some(({ key }) => keysOnDisk(dataDir).includes(key))).toBe(true);

      await SqliteKeyStore.open(file).close();
      const afterwards = keysOnDisk(dataDir);
      for (const { key } of keys) expect(afterwards.includes(key)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('after a rotation the file holds no key wrapped by the old master key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-security-'));
    const file = join(dataDir, 'keys.sqlite');
    const [old, next] = [new MasterKey(randomBytes(32)), new MasterKey(randomBytes(32))];
    try {
      const subjects = Array.from({ length: 50 }, (_, i) => `customer-${i}`);
      const underOld = await EnvelopeKeyStore.open(SqliteKeyStore.open(file), { current: old, previous: [] });
      for (const subject of subjects) await underOld.keyFor(subject);
      await underOld.close();
      const wrappedByOld = await Promise.all(subjects.map((subject) => wrappedOnDisk(dataDir, subject)));

      const rotating = await EnvelopeKeyStore.open(SqliteKeyStore.open(file), { current: next, previous: [old] });
      expect((await rotating.rotate()).rewrapped).toBe(subjects.length);
      const whileServing = keysOnDisk(dataDir);
      for (const wrapped of wrappedByOld) expect(whileServing.includes(wrapped)).toBe(false);
      await rotating.close();
      const afterwards = keysOnDisk(dataDir);
      for (const wrapped of wrappedByOld) expect(afterwards.includes(wrapped)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an erased customer leaves not even its wrapped key in the file', async () => {
    const t = await startTestApp();
    try {
      const customer = await registerCustomer(t);
      expect((await t.post(`/customers/${customer.id}/contacts`, { name: 'Li Wei' })).statusCode).toBe(201);
      const wrapped = await wrappedOnDisk(t.dataDir, customer.id);
      expect(keysOnDisk(t.dataDir).includes(wrapped)).toBe(true);

      expect((await t.post(`/customers/${customer.id}/erase`, { reason: 'data subject request' }, { role: 'compliance_officer' })).statusCode).toBe(200);
      expect(keysOnDisk(t.dataDir).includes(wrapped)).toBe(false);
      await stop(t);
      expect(keysOnDisk(t.dataDir).includes(wrapped)).toBe(false);
    } finally {
      rmSync(t.dataDir, { recursive: true, force: true });
    }
  });
});

describe('the master key', () => {
  const apiKeys = JSON.stringify({ 'prod-admin-key-0123456789': { actorId: 'ops', role: 'admin' } });
  const ANCHOR_KEY = randomBytes(32).toString('base64');

  it('production refuses to start without one, naming MASTER_KEY', () => {
    let refusal: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', API_KEYS: apiKeys, ANCHOR_KEY });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).problems).toEqual([expect.stringMatching(/^MASTER_KEY: required when NODE_ENV=production/)]);
  });

  it('a server given another master key than the one that wrapped its keys refuses to start, naming that one by its id only', async () => {
    const t = await startTestApp();
    try {
      const customer = await registerCustomer(t);
      expect((await t.post(`/customers/${customer.id}/contacts`, { name: 'Li Wei' })).statusCode).toBe(201);
      await stop(t);

      const other = randomBytes(32);
      const refused = openSystem({ config: loadConfig({ DATA_DIR: t.dataDir, MASTER_KEY: other.toString('hex') }), logger: pino({ level: 'silent' }) });
      await expect(refused).rejects.toBeInstanceOf(ConfigError);
      await expect(refused).rejects.toThrow(`1 by ${DEVELOPMENT_MASTER_KEY.id}`);
      await expect(refused).rejects.not.toThrow(other.toString('hex'));
    } finally {
      rmSync(t.dataDir, { recursive: true, force: true });
    }
  });

  it('production refuses the public development master key', () => {
    const development = Buffer.from('dev-master-key-public-not-secret').toString('base64');
    expect(() => loadConfig({ NODE_ENV: 'production', API_KEYS: apiKeys, ANCHOR_KEY, MASTER_KEY: development })).toThrow(/MASTER_KEY: the development master key is not allowed/);
  });
});
