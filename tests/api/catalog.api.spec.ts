import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
const cny = (minor: number) => ({ minor, currency: 'CNY' });

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(() => t.close());

let skus = 0;
const product = (extra: Record<string, unknown> = {}) => ({
  sku: `FW-${++skus}`,
  name: 'Firewall 100',
  capabilities: ['threat inspection', 'vpn'],
  maxSla: { availabilityPct: 99.9, responseHours: 4 },
  leadTimeDays: 14,
  listPrice: cny(100_000),
  floorPrice: cny(70_000),
  unitCost: cny(40_000),
  ...extra,
});
const publish = async (extra: Record<string, unknown> = {}) => {
  const response = await t.post('/products', product(extra), { role: 'sales_manager' });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; streamId: string; revision: number; position: number };
};
const promotion = (skusCovered: string[], extra: Record<string, unknown> = {}) => ({
  skus: skusCovered,
  discountPct: 15,
  validFrom: '2026-03-01T00:00:00Z',
  validTo: '2026-04-01T00:00:00Z',
  eligibility: { tiers: ['key', 'strategic'], regions: ['east'] },
  ...extra,
});
const head = () => t.system.eventStore.headPosition();
const fieldsOf = (response: { json: () => { errors: { field: string }[] } }) => response.json().errors.map((e) => e.field);

describe('products', () => {
  it('publishes a product under its SKU', async () => {
    const body = product();
    const response = await t.post('/products', body, { role: 'sales_manager' });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: body.sku, streamId: `product-${body.sku}`, revision: 0, position: expect.any(Number), events: ['ProductPublished'] });
    const [event] = await t.system.eventStore.readStream(`product-${body.sku}`);
    expect(event!.data).toEqual(body);
  });

  it('leaves the catalog to managers and finance: a rep gets 403', async () => {
    expect((await t.post('/products', product(), { role: 'sales_rep' })).statusCode).toBe(403);
    expect((await t.post('/products', product(), { role: 'finance' })).statusCode).toBe(201);
  });

  it('answers 400 field by field for float money, negative prices and lead times, bad SKUs and unknown fields; appends nothing', async () => {
    const before = await head();
    const response = await t.post(
      '/products',
      product({ sku: 'bad sku!', listPrice: { minor: 999.5, currency: 'CNY' }, unitCost: cny(-1), leadTimeDays: -3, maxSla: { availabilityPct: 120, responseHours: 4 }, colour: 'red' }),
      { role: 'sales_manager' },
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().type).toBe('/problems/invalid-input');
    expect(fieldsOf(response)).toEqual(expect.arrayContaining(['sku', 'listPrice.minor', 'unitCost.minor', 'leadTimeDays', 'maxSla.availabilityPct']));
    expect(JSON.stringify(response.json().errors)).toMatch(/colour/);
    expect(await head()).toBe(before);
  });

  it('answers 422 naming the rule for a floor above list, a zero list price, mixed currencies, unreal service levels; appends nothing', async () => {
    const before = await head();
    const cases: [Record<string, unknown>, string][] = [
      [{ floorPrice: cny(120_000) }, 'PRD-06'],
      [{ listPrice: cny(0), floorPrice: cny(0) }, 'PRD-04'],
      [{ unitCost: { minor: 40_000, currency: 'USD' } }, 'PRD-05'],
      [{ maxSla: { availabilityPct: 0, responseHours: 4 } }, 'PRD-08'],
    ];
    for (const [change, rule] of cases) {
      const response = await t.post('/products', product(change), { role: 'sales_manager' });
      expect(response.statusCode, rule).toBe(422);
      expect(response.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: rule } });
    }
    expect(await head()).toBe(before);
  });

  it('answers 409 when the SKU is already published', async () => {
    const body = product();
    await t.post('/products', body, { role: 'sales_manager' });
    const again = await t.post('/products', body, { role: 'sales_manager' });
    expect(again.statusCode).toBe(409);
    expect(await t.system.eventStore.readStream(`product-${body.sku}`)).toHaveLength(1);
  });

  it('revises the price; a floor below cost needs a reason', async () => {
    const published = await publish();
    const belowCost = await t.post(`/products/${published.id}/price`, { listPrice: cny(90_000), floorPrice: cny(30_000) }, { role: 'sales_manager' });
    expect(belowCost.statusCode).toBe(422);
    expect(belowCost.json().rule.id).toBe('PRD-07');
    const aboveList = await t.post(`/products/${published.id}/price`, { listPrice: cny(90_000), floorPrice: cny(95_000) }, { role: 'sales_manager' });
    expect(aboveList.json().rule.id).toBe('PRD-06');
    expect(await t.system.eventStore.readStream(published.streamId)).toHaveLength(1);
    const revised = await t.post(
      `/products/${published.id}/price`,
      { listPrice: cny(90_000), floorPrice: cny(30_000), reason: 'end-of-line clearance' },
      { role: 'sales_manager' },
    );
    expect(revised.statusCode).toBe(200);
    expect(revised.json()).toMatchObject({ id: published.id, revision: 1, events: ['ProductPriceRevised'] });
  });

  it('answers 404 for an unknown SKU', async () => {
    const response = await t.post('/products/NOPE-1/price', { listPrice: cny(1), floorPrice: cny(1) }, { role: 'sales_manager' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ type: '/problems/not-found', resource: 'Product', id: 'NOPE-1' });
    expect((await t.post('/products/NOPE-1/retire', {}, { role: 'sales_manager' })).statusCode).toBe(404);
  });

  it('retires a product, which then takes no new price', async () => {
    const published = await publish();
    const retired = await t.post(`/products/${published.id}/retire`, { reason: 'replaced by FW-200' }, { role: 'sales_manager' });
    expect(retired.json()).toMatchObject({ revision: 1, events: ['ProductRetired'] });
    const revise = await t.post(`/products/${published.id}/price`, { listPrice: cny(90_000), floorPrice: cny(80_000) }, { role: 'sales_manager' });
    expect(revise.statusCode).toBe(422);
    expect(revise.json().rule.id).toBe('PRD-03');
  });
});

describe('promotions', () => {
  it('launches a promotion on published products, times kept in UTC', async () => {
    const { id: sku } = await publish();
    const response = await t.post('/promotions', promotion([sku], { validFrom: '2026-03-01T08:00:00+08:00' }), { role: 'sales_manager' });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ revision: 0, events: ['PromotionLaunched'] });
    const [event] = await t.system.eventStore.readStream(response.json().streamId);
    expect(event!.data).toMatchObject({
      promotionId: response.json().id,
      skus: [sku],
      discountPct: 15,
      validFrom: '2026-03-01T00:00:00.000Z',
      validTo: '2026-04-01T00:00:00.000Z',
      eligibility: { tiers: ['key', 'strategic'], regions: ['east'] },
    });
  });

  it('answers 400 field by field for discounts outside 0-100, dates that do not parse and windows that end before they start; appends nothing', async () => {
    const { id: sku } = await publish();
    const before = await head();
    const outside = await t.post('/promotions', promotion([sku], { discountPct: 120 }), { role: 'sales_manager' });
    expect(outside.statusCode).toBe(400);
    expect(fieldsOf(outside)).toEqual(['discountPct']);
    const negative = await t.post('/promotions', promotion([sku], { discountPct: -5 }), { role: 'sales_manager' });
    expect(fieldsOf(negative)).toEqual(['discountPct']);
    const unparsable = await t.post('/promotions', promotion([sku], { validFrom: '2026-13-45', validTo: 'next tuesday' }), { role: 'sales_manager' });
    expect(unparsable.statusCode).toBe(400);
    expect(fieldsOf(unparsable)).toEqual(expect.arrayContaining(['validFrom', 'validTo']));
    const backwards = await t.post('/promotions', promotion([sku], { validFrom: '2026-04-01T00:00:00Z', validTo: '2026-03-01T00:00:00Z' }), { role: 'sales_manager' });
    expect(backwards.statusCode).toBe(400);
    expect(fieldsOf(backwards)).toEqual(['validTo']);
    const tier = await t.post('/promotions', promotion([sku], { eligibility: { tiers: ['platinum'] } }), { role: 'sales_manager' });
    expect(fieldsOf(tier)).toEqual(['eligibility.tiers.0']);
    expect(await head()).toBe(before);
  });

  it('answers 422 naming the rule for no discount or no product, 404 for an unknown SKU; appends nothing', async () => {
    const { id: sku } = await publish();
    const before = await head();
    const none = await t.post('/promotions', promotion([sku], { discountPct: 0 }), { role: 'sales_manager' });
    expect(none.statusCode).toBe(422);
    expect(none.json().rule.id).toBe('PROMO-03');
    const empty = await t.post('/promotions', promotion([]), { role: 'sales_manager' });
    expect(empty.json().rule.id).toBe('PROMO-04');
    const unknown = await t.post('/promotions', promotion([sku, 'GHOST-1']), { role: 'sales_manager' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ resource: 'Product', id: 'GHOST-1' });
    expect(await head()).toBe(before);
  });

  it('ends a running promotion early, once', async () => {
    const { id: sku } = await publish();
    const launched = (await t.post('/promotions', promotion([sku]), { role: 'sales_manager' })).json();
    const ended = await t.post(`/promotions/${launched.id}/end`, { reason: 'stock ran out' }, { role: 'sales_manager' });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ revision: 1, events: ['PromotionEnded'] });
    const again = await t.post(`/promotions/${launched.id}/end`, { reason: 'again' }, { role: 'sales_manager' });
    expect(again.statusCode).toBe(422);
    expect(again.json().rule.id).toBe('PROMO-05');
    const missing = await t.post('/promotions/0193a000-0000-7000-8000-000000000000/end', { reason: 'x' }, { role: 'sales_manager' });
    expect(missing.statusCode).toBe(404);
  });

  it('lands a retried launch on the same promotion with one event', async () => {
    const { id: sku } = await publish();
    const headers = { 'idempotency-key': 'launch-promotion-0001' };
    const first = await t.post('/promotions', promotion([sku]), { role: 'sales_manager', headers });
    const second = await t.post('/promotions', promotion([sku]), { role: 'sales_manager', headers });
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await t.system.eventStore.readStream(first.json().streamId)).toHaveLength(1);
  });
});
