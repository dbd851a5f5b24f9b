import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEvent } from '../../application/eventIntegrity.js';
import { newId } from '../../application/ids.js';
import { ERASED, isSealed } from '../../application/personalData.js';
import { aggregates } from '../../domain/aggregates.js';
import { SqliteKeyStore } from '../../infrastructure/keystore/sqlite/sqliteKeyStore.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });
const deal = { title: 'SOC managed service', ownerId: 'dev-sales-rep', amount: cny(800_000) };
const contact = { name: 'Zhao Lei', phone: '+86 137 1111 2222', email: 'zhao.lei@river.example', title: 'CIO' };
const inClear = /Zhao Lei|zhao\.lei|1111 2222/;
const erasure = { reason: 'data subject request' };
const compliance = { role: 'compliance_officer' };

type Answer = { id: string; streamId: string; revision: number; position: number; events: string[] };
type Converted = Answer & { customerId: string; opportunityId: string };
type StoredEvent = { streamId: string; revision: number; eventId: string; type: string; data: Record<string, unknown>; metadata: Record<string, unknown> };

const ok = async <T = Answer>(t: TestApp, url: string, body: unknown, status = 200, role = 'sales_rep') => {
  const response = await t.post(url, body, { role });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
  return response.json() as T;
};

/** A lead captured with `lead`'s contact, qualified and converted into `into` (an existing customer's id) or a new customer. */
const convertedLead = async (t: TestApp, lead: { contact: Record<string, string>; company?: string }, into?: string) => {
  const captured = await ok(t, '/leads', { source: 'inbound', company: 'River Bank', interest: 'a 24x7 SOC', ...lead }, 201);
  await ok(t, `/leads/${captured.id}/qualify`, {});
  const target = into ? { customerId: into } : { customer: { industry: 'finance', region: 'south' } };
  const converted = await ok<Converted>(t, `/leads/${captured.id}/convert`, { ...target, opportunity: deal });
  return { leadId: captured.id, customerId: converted.customerId, position: converted.position };
};

const streamOf = async (t: TestApp, streamId: string) => {
  const response = await t.get(`/streams/${streamId}?limit=1000`, { role: 'auditor' });
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { events: StoredEvent[] }).events;
};

const erase = (t: TestApp, customerId: string, headers: Record<string, string> = {}) => t.post(`/customers/${customerId}/erase`, erasure, { ...compliance, headers });

/** What the vault reads for each of a contact's sealed fields: the plain value while the key lives, [erased] after. */
const opened = async (t: TestApp, subject: string, sealed: Record<string, unknown>, fields: readonly string[]) =>
  Object.fromEntries(await Promise.all(fields.map(async (field) => [field, await t.system.personalData.reveal(subject, sealed[field] as string)])));

describe('erasing a customer a lead was converted into', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("leaves the lead's contact unreadable: its stream, the customer 360 and the audit history", async () => {
    const { leadId, customerId } = await convertedLead(t, { contact });
    const erased = await erase(t, customerId);
    expect(erased.statusCode, erased.body).toBe(200);
    const { position } = erased.json() as Answer;

    const [captured] = await streamOf(t, `lead-${leadId}`);
    const sealed = captured!.data.contact as Record<string, string>;
    expect(JSON.stringify(captured)).not.toMatch(inClear);
    expect(await opened(t, `lead-${leadId}`, sealed, ['name', 'phone', 'email'])).toEqual({ name: ERASED, phone: ERASED, email: ERASED });
    expect(await t.system.keyStore.findKey(`lead-${leadId}`)).toBeNull();

    const view = await t.get(`/views/customers/${customerId}?after=${position}`, compliance);
    expect(view.statusCode, view.body).toBe(200);
    expect(view.body).not.toMatch(inClear);
    expect(view.json().contacts).toMatchObject([{ name: ERASED, phone: ERASED, email: ERASED, title: 'CIO' }]);

    const history = await t.get(`/audit/customers/${customerId}/history?after=${position}`, { role: 'auditor' });
    expect(history.statusCode, history.body).toBe(200);
    expect(history.body).not.toMatch(inClear);
    const events = history.json().events as StoredEvent[];
    expect(events.find((e) => e.type === 'LeadConverted')?.streamId).toBe(`lead-${leadId}`);
    const replayed = events.find((e) => e.type === 'LeadCaptured')!;
    expect(await opened(t, `lead-${leadId}`, replayed.data.contact as Record<string, unknown>, ['name', 'phone', 'email'])).toEqual({
      name: ERASED,
      phone: ERASED,
      email: ERASED,
    });
  });

  it('erases every lead converted into the customer, the first and those that joined it later', async () => {
    const first = await convertedLead(t, { contact });
    const second = await convertedLead(t, { contact: { name: 'Qian Yu', email: 'qian.yu@river.example' } }, first.customerId);
    for (const { leadId } of [first, second]) expect(await t.system.keyStore.findKey(`lead-${leadId}`)).not.toBeNull();
    expect((await erase(t, first.customerId)).statusCode).toBe(200);
    for (const { leadId } of [first, second]) expect(await t.system.keyStore.findKey(`lead-${leadId}`)).toBeNull();
    const [event] = (await t.system.eventStore.readStream(`customer-${first.customerId}`)).filter((e) => e.type === 'CustomerPersonalDataErased');
    expect(event!.data).toEqual({ customerId: first.customerId, reason: erasure.reason, erasedSubjects: [first.customerId, `lead-${first.leadId}`, `lead-${second.leadId}`] });
  });

  it('leaves alone a lead converted into another customer', async () => {
    const erased = await convertedLead(t, { contact });
    const other = await convertedLead(t, { contact: { name: 'Sun Li', phone: '+86 135 0000 1111' } });
    expect((await erase(t, erased.customerId)).statusCode).toBe(200);
    const [captured] = await streamOf(t, `lead-${other.leadId}`);
    expect(await opened(t, `lead-${other.leadId}`, captured!.data.contact as Record<string, unknown>, ['name'])).toEqual({ name: 'Sun Li' });
  });
});

describe('hostile erasures', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const registered = () => ok(t, '/customers', { name: 'Hill Insurance', industry: 'insurance', region: 'north' }, 201);
  const erasures = async (customerId: string) => (await t.system.eventStore.readStream(`customer-${customerId}`)).filter((e) => e.type === 'CustomerPersonalDataErased').length;

  it('answers 404 for an unknown customer, 400 for a malformed id, a blank reason or an unknown field, 403 for a seller or an auditor; appends nothing', async () => {
    const customer = await registered();
    const before = await t.system.eventStore.headPosition();
    expect((await erase(t, '0193a000-0000-7000-8000-000000000000')).statusCode).toBe(404);
    expect((await erase(t, 'not-a-customer')).statusCode).toBe(400);
    expect((await t.post(`/customers/${customer.id}/erase`, { reason: '   ' }, compliance)).statusCode).toBe(400);
    expect((await t.post(`/customers/${customer.id}/erase`, { ...erasure, subjects: ['lead-x'] }, compliance)).statusCode).toBe(400);
    expect((await t.post(`/customers/${customer.id}/erase`, erasure)).statusCode).toBe(403);
    expect((await t.post(`/customers/${customer.id}/erase`, erasure, { role: 'auditor' })).statusCode).toBe(403);
    expect(await t.system.eventStore.headPosition()).toBe(before);
  });

  it('refuses a second erasure with 422 naming CUS-12, appending nothing; a retry under the same Idempotency-Key replays the first', async () => {
    const customer = await registered();
    const headers = { 'idempotency-key': `erase-${customer.id}` };
    const first = await erase(t, customer.id, headers);
    expect(first.statusCode).toBe(200);
    const replay = await erase(t, customer.id, headers);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(first.json());
    const before = await t.system.eventStore.headPosition();
    const again = await erase(t, customer.id);
    expect(again.statusCode, again.body).toBe(422);
    expect(again.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: 'CUS-12', name: "A customer's personal data is erased once" } });
    expect(await t.system.eventStore.headPosition()).toBe(before);
    expect(await erasures(customer.id)).toBe(1);
    const reused = await t.post(`/customers/${customer.id}/erase`, { reason: 'another reason' }, { ...compliance, headers });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().type).toBe('/problems/idempotency-key-reused');
  });

  it('records one erasure of two sent at once', async () => {
    const customer = await registered();
    const answers = await Promise.all([erase(t, customer.id), erase(t, customer.id)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 422]);
    expect(await erasures(customer.id)).toBe(1);
  });

  it('refuses new personal data once erased: a contact (CUS-10), another lead converted into it (CUS-10), appending nothing', async () => {
    const customer = await registered();
    expect((await erase(t, customer.id)).statusCode).toBe(200);
    const lead = await ok(t, '/leads', { source: 'inbound', company: 'Hill Insurance', contact, interest: 'email security' }, 201);
    await ok(t, `/leads/${lead.id}/qualify`, {});
    const before = await t.system.eventStore.headPosition();
    const added = await t.post(`/customers/${customer.id}/contacts`, contact);
    expect(added.statusCode).toBe(422);
    expect(added.json().rule.id).toBe('CUS-10');
    const converted = await t.post(`/leads/${lead.id}/convert`, { customerId: customer.id, opportunity: deal });
    expect(converted.statusCode).toBe(422);
    expect(converted.json().rule.id).toBe('CUS-10');
    expect(await t.system.eventStore.headPosition()).toBe(before);
  });

  it('finishes an erasure whose keys a crash left standing when it is asked again, though it refuses to record it twice', async () => {
    const { leadId, customerId } = await convertedLead(t, { contact });
    const { keyStore } = t.system;
    const destroy = keyStore.destroy.bind(keyStore);
    keyStore.destroy = async () => {
      keyStore.destroy = destroy;
      throw new Error('the process died here');
    };
    expect((await erase(t, customerId)).statusCode).toBe(500);
    expect(await erasures(customerId)).toBe(1);
    const again = await erase(t, customerId);
    expect(again.statusCode, again.body).toBe(422);
    expect(await erasures(customerId)).toBe(1);
    expect(await t.system.keyStore.findKey(customerId)).toBeNull();
    expect(await t.system.keyStore.findKey(`lead-${leadId}`)).toBeNull();
  });

  it('completes an erasure recorded before the leads were erased with the customer: asked again, it erases them, once', async () => {
    const { leadId, customerId } = await convertedLead(t, { contact });
    // Written as erasures were recorded before they listed what they erased: the customer's own key alone.
    const streamId = `customer-${customerId}`;
    const last = (await t.system.eventStore.readStream(streamId)).at(-1)!;
    const eventId = newId();
    const data = { customerId, reason: erasure.reason };
    const metadata = {
      eventId,
      commandId: newId(),
      correlationId: newId(),
      causationId: newId(),
      actor: { id: 'dev-compliance-officer', role: 'compliance_officer' },
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
      customerId,
      prevHash: String(last.metadata.hash),
    };
    const hash = hashEvent({ streamId, revision: last.revision + 1, eventId, type: 'CustomerPersonalDataErased', data, metadata });
    await t.system.eventStore.append(streamId, [{ eventId, type: 'CustomerPersonalDataErased', data, metadata: { ...metadata, hash } }], { expectedRevision: last.revision });
    await t.system.keyStore.destroy(customerId);
    expect(await t.system.keyStore.findKey(`lead-${leadId}`)).not.toBeNull();

    const completing = await erase(t, customerId);
    expect(completing.statusCode, completing.body).toBe(200);
    expect((await t.system.eventStore.readStream(streamId)).at(-1)!.data).toEqual({ customerId, reason: erasure.reason, erasedSubjects: [`lead-${leadId}`] });
    expect(await t.system.keyStore.findKey(`lead-${leadId}`)).toBeNull();
    expect((await erase(t, customerId)).statusCode).toBe(422);
    expect((await t.get(`/streams/${streamId}/verify`, { role: 'auditor' })).json()).toMatchObject({ intact: true });
  });
});

describe('an erasure that cannot yet see every lead converted into the customer', () => {
  it('answers 503 while the tied streams view lags the log, appending nothing and destroying no key', async () => {
    const t = await startTestApp({ env: { READ_AFTER_TIMEOUT_MS: '50' } });
    try {
      const { leadId, customerId } = await convertedLead(t, { contact });
      await t.system.runner.stop();
      await ok(t, '/customers', { name: 'Later Ltd', industry: 'retail', region: 'east' }, 201);
      const before = await t.system.eventStore.headPosition();
      const lagging = await erase(t, customerId);
      expect(lagging.statusCode, lagging.body).toBe(503);
      expect(lagging.json()).toMatchObject({ type: '/problems/view-behind', projections: ['customer_streams'] });
      expect(await t.system.eventStore.headPosition()).toBe(before);
      expect(await t.system.keyStore.findKey(customerId)).not.toBeNull();
      expect(await t.system.keyStore.findKey(`lead-${leadId}`)).not.toBeNull();
    } finally {
      await t.close();
    }
  });
});

describe('an erasure racing a conversion into the same customer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** Converts a lead into `customerId`, with the customer erased at `when` against the conversion's LeadConverted. */
  const convertWhileErasing = async (when: 'before' | 'after') => {
    const customer = await ok(t, '/customers', { name: 'Lake Telecom', industry: 'telecom', region: 'west' }, 201);
    const lead = await ok(t, '/leads', { source: 'inbound', company: 'Lake Telecom', contact, interest: 'DDoS protection' }, 201);
    await ok(t, `/leads/${lead.id}/qualify`, {});
    const { eventStore } = t.system;
    const append = eventStore.append.bind(eventStore);
    const eraseNow = async () => {
      const erased = await erase(t, customer.id);
      expect(erased.statusCode, erased.body).toBe(200);
    };
    eventStore.append = async (streamId, events, options) => {
      if (!events.some((e) => e.type === 'LeadConverted')) return append(streamId, events, options);
      eventStore.append = append;
      if (when === 'before') await eraseNow();
      const appended = await append(streamId, events, options);
      if (when === 'after') await eraseNow();
      return appended;
    };
    try {
      const converted = await t.post(`/leads/${lead.id}/convert`, { customerId: customer.id, opportunity: deal });
      return { converted, leadId: lead.id, customerId: customer.id };
    } finally {
      eventStore.append = append;
    }
  };

  /** The lead's contact reads [erased] in its own stream and in any copy carried over to the customer, and the deal opened. */
  const expectLeadErased = async ({ converted, leadId, customerId }: Awaited<ReturnType<typeof convertWhileErasing>>) => {
    expect(converted.statusCode, converted.body).toBe(200);
    expect(await t.system.keyStore.findKey(`lead-${leadId}`)).toBeNull();
    const [captured] = await streamOf(t, `lead-${leadId}`);
    expect(await opened(t, `lead-${leadId}`, captured!.data.contact as Record<string, unknown>, ['name'])).toEqual({ name: ERASED });
    const customer = await streamOf(t, `customer-${customerId}`);
    for (const added of customer.filter((e) => e.type === 'ContactAdded')) expect(await opened(t, customerId, added.data, ['name'])).toEqual({ name: ERASED });
    expect(await streamOf(t, `opportunity-${converted.json().opportunityId}`)).toHaveLength(1);
    return customer.map((e) => e.type);
  };

  it('erases the lead with the customer when the erasure lands between the conversion being judged possible and its LeadConverted', async () => {
    const raced = await convertWhileErasing('before');
    expect(await expectLeadErased(raced)).toEqual(['CustomerRegistered', 'CustomerPersonalDataErased', 'ConvertedLeadErased']);
    const [, , leadErased] = await streamOf(t, `customer-${raced.customerId}`);
    expect(leadErased!.data).toEqual({ customerId: raced.customerId, leadId: raced.leadId, erasedSubjects: [`lead-${raced.leadId}`] });
  });

  it('erases the lead with the customer when the erasure lands after its LeadConverted, before or after the contact is carried over', async () => {
    const raced = await convertWhileErasing('after');
    const types = await expectLeadErased(raced);
    expect(types.filter((type) => type === 'CustomerPersonalDataErased')).toHaveLength(1);
  });
});

/** Every file an embedded store keeps under the data folder: the database, its WAL and its shared memory. */
const filesOf = (dataDir: string, store: string): Buffer =>
  Buffer.concat(
    readdirSync(dataDir)
      .filter((name) => name.startsWith(store))
      .map((name) => readFileSync(join(dataDir, name))),
  );

/** What the keys file holds for each subject, read through a connection of its own. */
const keysOnDisk = async (dataDir: string, subjects: readonly string[]) => {
  const store = SqliteKeyStore.open(join(dataDir, 'keys.sqlite'));
  try {
    return await Promise.all(subjects.map(async (subject) => ({ subject, stored: await store.find(subject) })));
  } finally {
    await store.close();
  }
};

/** A known value for a sealed field, shaped as its input expects: a phone, an e-mail address or a name. */
const plainFor = (serial: number, path: string) => {
  const field = path.split('.').at(-1)!;
  if (field === 'phone') return `+86 131 ${String(serial).padStart(4, '0')} 7777`;
  if (field === 'email') return `sealed.field.${serial}@erasure.example`;
  return `Sealed Field ${serial} ${field}`;
};

/** A data object holding `values` at their dotted paths. */
const shaped = (values: Record<string, string>) => {
  const data: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(values)) {
    const keys = path.split('.');
    let node = data;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1)!] = value;
  }
  return data;
};

/**
 * How a test ties each event that seals personal data to a customer through the API: it posts the
 * event with `values` at the sealed paths and says which stream holds it and whose key seals it.
 * An event type missing here is one nobody has shown erasure reaches.
 */
type Producer = (t: TestApp, customerId: string, values: Record<string, string>) => Promise<{ streamId: string; subject: string }>;
const producers: Record<string, Producer> = {
  ContactAdded: async (t, customerId, values) => {
    await ok(t, `/customers/${customerId}/contacts`, { title: 'DPO', ...shaped(values) }, 201);
    return { streamId: `customer-${customerId}`, subject: customerId };
  },
  LeadCaptured: async (t, customerId, values) => {
    const { leadId } = await convertedLead(t, shaped(values) as { contact: Record<string, string> }, customerId);
    return { streamId: `lead-${leadId}`, subject: `lead-${leadId}` };
  },
  ComplaintFiled: async (t, customerId, values) => {
    const complaint = { customerId, channel: 'phone', category: 'service', severity: 'medium', summary: 'Nobody called back about the outage', ...shaped(values) };
    const filed = await ok(t, '/complaints', complaint, 201);
    return { streamId: filed.streamId, subject: customerId };
  },
};

describe('every sealed field in the catalog', () => {
  it('is unreadable after its customer is erased: raw streams, views, audit history and the files of every store', async () => {
    const sealedEvents = aggregates.flatMap((aggregate) =>
      Object.entries(aggregate.personalData?.fields ?? {})
        .filter(([, paths]) => paths.length > 0)
        .map(([type, paths]) => ({ aggregate: aggregate.name, type, paths })),
    );
    expect(sealedEvents.length).toBeGreaterThan(0);
    const untied = sealedEvents.filter(({ type }) => !producers[type]).map(({ aggregate, type, paths }) => `${aggregate} ${type} (${paths.join(', ')})`);
    expect(untied, `sealed personal data this test cannot tie to a customer, so nobody has shown erasure reaches it: ${untied.join('; ')}`).toEqual([]);

    const t = await startTestApp();
    let serving = true;
    /** Closes the server and its stores, keeping the data folder to read what they left on disk. */
    const stop = async () => {
      if (!serving) return;
      serving = false;
      await t.app.close();
      await t.system.close();
    };
    try {
      const customer = await ok(t, '/customers', { name: 'Catalog Bank', industry: 'finance', region: 'east' }, 201);
      let serial = 0;
      const produced: { type: string; values: Record<string, string>; streamId: string; subject: string }[] = [];
      for (const { type, paths } of sealedEvents) {
        const values = Object.fromEntries(paths.map((path) => [path, plainFor((serial += 1), path)]));
        produced.push({ type, values, ...(await producers[type]!(t, customer.id, values)) });
      }
      const plains = produced.flatMap(({ values }) => Object.values(values));
      const streams = [...new Set([customer.streamId, ...produced.map((p) => p.streamId)])];
      const subjects = [...new Set(produced.map((p) => p.subject))];

      /** Each sealed value of each produced event as the raw stream route shows it, and what the vault opens it to. */
      const sealedValues = async () =>
        Promise.all(
          produced.map(async ({ type, values, streamId, subject }) => {
            const event = (await streamOf(t, streamId)).find((e) => e.type === type)!;
            return Promise.all(
              Object.entries(values).map(async ([path, plain]) => {
                const sealed = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], event.data);
                expect(isSealed(sealed), `${type} ${path}`).toBe(true);
                return { type, path, plain, opensTo: await t.system.personalData.reveal(subject, sealed as string) };
              }),
            );
          }),
        ).then((all) => all.flat());

      // Before: each is sealed and opens to its plain value, so what follows cannot pass by reading nothing.
      for (const value of await sealedValues()) expect(value.opensTo, `${value.type} ${value.path}`).toBe(value.plain);
      const wrapped = await keysOnDisk(t.dataDir, subjects);
      for (const { subject, stored } of wrapped) expect(stored?.state, subject).toBe('wrapped');

      const erased = await erase(t, customer.id);
      expect(erased.statusCode, erased.body).toBe(200);
      const { position } = erased.json() as Answer;

      for (const value of await sealedValues()) expect(value.opensTo, `${value.type} ${value.path}`).toBe(ERASED);
      const reads: [string, string][] = [];
      const read = async (url: string, role: string) => {
        const response = await t.get(url, { role });
        expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
        reads.push([url, response.body]);
        return response.json();
      };
      for (const streamId of streams) await read(`/streams/${streamId}?limit=1000`, 'auditor');
      await read(`/views/customers/${customer.id}?after=${position}`, 'compliance_officer');
      const history = await read(`/audit/customers/${customer.id}/history?after=${position}`, 'compliance_officer');
      expect(history.streams).toEqual(expect.arrayContaining(streams));
      for (const [url, body] of reads) for (const plain of plains) expect(body.includes(plain), `${plain} in ${url}`).toBe(false);

      for (const subject of subjects) expect(await t.system.keyStore.findKey(subject), subject).toBeNull();
      for (const { subject, stored } of await keysOnDisk(t.dataDir, subjects)) expect(stored?.state, subject).toBe('erased');
      await stop();
      for (const store of ['events.sqlite', 'views.sqlite', 'keys.sqlite']) {
        const bytes = filesOf(t.dataDir, store);
        expect(bytes.length, store).toBeGreaterThan(0);
        for (const plain of plains) expect(bytes.includes(plain), `${plain} in ${store}`).toBe(false);
      }
      const keyBytes = filesOf(t.dataDir, 'keys.sqlite');
      for (const { subject, stored } of wrapped) {
        if (stored?.state !== 'wrapped') throw new Error(`${subject} had no wrapped key`);
        expect(keyBytes.includes(stored.wrapped.bytes), `the wrapped key of ${subject} in keys.sqlite`).toBe(false);
      }
    } finally {
      await stop();
      rmSync(t.dataDir, { recursive: true, force: true });
    }
  });
});
