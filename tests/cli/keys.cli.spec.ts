import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterKey } from '../../application/keys/masterKey.js';
import { PersonalDataVault } from '../../application/personalData.js';
import { EXIT, runKeysCli } from '../../cli/keys.js';
import { loadConfig } from '../../infrastructure/config.js';
import { openKeyStore } from '../../infrastructure/system.js';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const [oldId, newId] = [new MasterKey(oldKey).id, new MasterKey(newKey).id];
const fields = { ContactAdded: ['contact.email'] };

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'keys-cli-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const run = async (argv: string[], env: Record<string, string>) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runKeysCli(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { DATA_DIR: dataDir, ...env } });
  const stdout = out.join('');
  const stderr = err.join('');
  // Whatever it prints, it never prints a master key.
  for (const key of [oldKey, newKey]) for (const written of [key.toString('hex'), key.toString('base64')]) expect(stdout + stderr).not.toContain(written);
  return { code, stdout, stderr };
};

/** Keys for three customers, one erased, under MASTER_KEY = the old key; answers a value sealed before. */
const keysUnderOldKey = async () => {
  const keys = await openKeyStore(loadConfig({ DATA_DIR: dataDir, MASTER_KEY: oldKey.toString('hex') }), pino({ level: 'silent' }));
  const sealed = (await new PersonalDataVault(keys, fields).seal('customer-1', 'ContactAdded', { contact: { email: 'li.wei@acme.example' } })) as { contact: { email: string } };
  await keys.keyFor('customer-2');
  await keys.keyFor('customer-3');
  await keys.destroy('customer-3');
  await keys.close();
  return sealed.contact.email;
};

describe('npm run keys', () => {
  it('status counts the keys each master key wraps, names the configured one, and exits 3 while any is not MASTER_KEY', async () => {
    await keysUnderOldKey();
    const underOld = await run(['status'], { MASTER_KEY: oldKey.toString('hex') });
    expect(underOld.code).toBe(EXIT.ok);
    expect(underOld.stdout).toContain(`Data keys in the SQLite file ${join(dataDir, 'keys.sqlite')}:`);
    expect(underOld.stdout).toMatch(new RegExp(`\\s2  wrapped by ${oldId}  MASTER_KEY\\n`));
    expect(underOld.stdout).toMatch(/\s1  erased\n/);

    const stranger = await run(['status'], { MASTER_KEY: newKey.toString('hex') });
    expect(stranger.code).toBe(EXIT.keysLeft);
    expect(stranger.stdout).toContain(`wrapped by ${oldId}  not configured`);
  });

  it('rotate re-wraps every key under NEW_MASTER_KEY; run again it skips them; data sealed before reads under the new key alone', async () => {
    const sealed = await keysUnderOldKey();
    // As the procedure runs it: the servers already on the new key, the old one as previous.
    const env = { MASTER_KEY: newKey.toString('base64'), MASTER_KEY_PREVIOUS: oldKey.toString('hex'), NEW_MASTER_KEY: newKey.toString('base64') };

    const rotated = await run(['rotate'], env);
    expect(rotated).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(rotated.stdout).toContain(`Re-wrapped 2 data keys under master key ${newId}; 0 already were; 0 erased meanwhile.`);
    expect(rotated.stdout).toMatch(new RegExp(`\\s2  wrapped by ${newId}  MASTER_KEY, NEW_MASTER_KEY\\n`));
    expect((await run(['rotate'], env)).stdout).toContain('Re-wrapped 0 data keys');

    expect((await run(['status'], { MASTER_KEY: newKey.toString('hex') })).code).toBe(EXIT.ok);
    const keys = await openKeyStore(loadConfig({ DATA_DIR: dataDir, MASTER_KEY: newKey.toString('hex') }), pino({ level: 'silent' }));
    try {
      expect(await new PersonalDataVault(keys, fields).reveal('customer-1', sealed)).toBe('li.wei@acme.example');
    } finally {
      await keys.close();
    }
  });

  it('rotate also works from the old configuration: MASTER_KEY the old key, NEW_MASTER_KEY the new', async () => {
    await keysUnderOldKey();
    const rotated = await run(['rotate'], { MASTER_KEY: oldKey.toString('hex'), NEW_MASTER_KEY: newKey.toString('hex') });
    expect(rotated.code).toBe(EXIT.ok);
    expect(rotated.stdout).toMatch(new RegExp(`\\s2  wrapped by ${newId}  NEW_MASTER_KEY\\n`));
  });

  it('rotate refuses without NEW_MASTER_KEY, and with keys no given master key wrapped, naming that key', async () => {
    await keysUnderOldKey();
    const withoutTarget = await run(['rotate'], { MASTER_KEY: oldKey.toString('hex') });
    expect(withoutTarget.code).toBe(EXIT.usage);
    expect(withoutTarget.stderr).toMatch(/^NEW_MASTER_KEY: required to rotate/);

    const withoutOldKey = await run(['rotate'], { MASTER_KEY: newKey.toString('hex'), NEW_MASTER_KEY: newKey.toString('hex') });
    expect(withoutOldKey.code).toBe(EXIT.usage);
    expect(withoutOldKey.stderr).toContain(`2 by ${oldId}`);
  });

  it('reads an existing store only: a wrong DATA_DIR fails and creates nothing', async () => {
    const failed = await run(['status'], {});
    expect(failed.code).toBe(EXIT.failed);
    expect(failed.stderr).toContain('There is no keys file at');
    expect((await run(['rotate'], { NEW_MASTER_KEY: newKey.toString('hex') })).code).toBe(EXIT.failed);
    expect(existsSync(join(dataDir, 'keys.sqlite'))).toBe(false);
  });

  it('answers usage for no command, an unknown one, or a bad master key', async () => {
    expect((await run([], {})).code).toBe(EXIT.usage);
    expect((await run(['shred'], {})).code).toBe(EXIT.usage);
    const bad = await run(['status'], { MASTER_KEY: 'not-a-key' });
    expect(bad).toMatchObject({ code: EXIT.usage });
    expect(bad.stderr).toContain('MASTER_KEY: must be 32 bytes');
    expect((await run(['--help'], {})).stdout).toContain('npm run keys -- rotate');
  });
});
