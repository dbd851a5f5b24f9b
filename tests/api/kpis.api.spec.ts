import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KPI_FACTS, KPIS } from '../../projections/kpis/kpiProjection.js';
import { csvRecords } from '../support/csv.js';
import { hireRep } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

/** Beijing wall-clock time as the UTC instant the clock reads. */
const bj = (local: string) => new Date(`${local}+08:00`).toISOString();
const clock = { at: bj('2026-03-30T10:00'), now() { return this.at; } };
const cny = (minor: number) => ({ minor, currency: 'CNY' });

let t: TestApp;
let position = 0;
const deals: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
/** What the views said on 6 April at 10:00, after C was lost and before anything was won: a point-in-time answer must say the same. */
const onSixthApril: { at: string; position: number; kpis: Record<string, unknown>; summary: unknown; pipeline: unknown } = { at: '', position: 0, kpis: {}, summary: null, pipeline: null };

const ok = async (response: Promise<LightMyRequestResponse>, status = 200) => {
  const answered = await response;
  expect(answered.statusCode, answered.body).toBe(status);
  position = Math.max(position, answered.json().position);
  return answered.json() as { id: string; position: number };
};

const get = async (url: string, role = 'analyst', status = 200) => {
  const response = await t.get(`${url}${url.includes('?') ? '&' : '?'}after=${position}`, { role });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
  return response;
};
const json = async (url: string, role = 'analyst') => (await get(url, role)).json();

const APRIL = 'from=2026-04-01&to=2026-05-01';
const WIN_RATE = `/views/kpis?metric=win_rate&groupBy=owner&period=month&${APRIL}`;

/** A KPI answer's series as group, point figures: what the reader sees. */
const figures = (answer: { series: { group: string | null; currency?: string; points: { period: string; value: number | null }[] }[] }) =>
  answer.series.map(({ group, currency, points }) => [group, ...(currency ? [currency] : []), ...points.map((p) => p.value)]);

beforeAll(async () => {
  t = await startTestApp({ clock });
  await hireRep(t, 'rep-b');
  await ok(t.post('/reps', { actorId: 'rep-n', name: 'rep-n', team: 'north', role: 'sales_rep' }, { role: 'admin' }), 201);
  const { id: customerId } = await ok(t.post('/customers', { name: '华东银行', industry: 'finance', region: 'east' }), 201);
  const open = async (ownerId: string, minor: number, role: string, title = 'Perimeter refresh') =>
    (await ok(t.post('/opportunities', { customerId, title, ownerId, amount: cny(minor) }, { role }), 201)).id;

  deals.a = await open('dev-sales-rep', 100_000, 'sales_rep', '=HYPERLINK("http://evil.example","点我")');
  expect(await t.system.runner.waitFor(['deadlines'], position, 5_000)).toBe(true);
  clock.at = bj('2026-04-01T09:00');
  // April's forecast, as the deadline watcher takes it when the month begins: A open, in qualification (10%).
  expect((await t.system.deadlines.tick()).filter((o) => o.deadline.streamId === 'forecast-2026-04')).toMatchObject([{ outcome: 'done', events: ['ForecastSnapshotTaken'] }]);
  position = (await t.system.eventStore.headPosition())!;

  clock.at = bj('2026-04-02T10:00');
  deals.b = await open('rep-b', 50_000, 'sales_manager');
  clock.at = bj('2026-04-03T10:00');
  deals.c = await open('rep-n', 20_000, 'admin');
  clock.at = bj('2026-04-06T10:00');
  await ok(t.post(`/opportunities/${deals.c}/lose`, { reason: 'no budget' }, { role: 'admin' }));

  onSixthApril.at = clock.at;
  onSixthApril.position = (await t.system.eventStore.headPosition())!;
  for (const url of [WIN_RATE, `/views/kpis?metric=pipeline_created&groupBy=team&period=week&${APRIL}`]) onSixthApril.kpis[url] = await json(url);
  onSixthApril.summary = await json('/views/pipeline/summary');
  onSixthApril.pipeline = (await json('/views/pipeline?sort=age')).items;

  clock.at = bj('2026-04-10T10:00');
  await ok(t.post(`/opportunities/${deals.b}/win`, {}, { role: 'sales_manager' }));
  clock.at = bj('2026-04-15T10:00');
  await ok(t.post(`/opportunities/${deals.a}/win`, {}));
});
afterAll(() => t.close());

describe('GET /views/kpis/catalog', () => {
  it('lists every metric the issue names with its formula, the events it counts and the instant it is attributed to', async () => {
    const { metrics, groupBys, periods, models } = await json('/views/kpis/catalog');
    const ids = metrics.map((m: { id: string }) => m.id);
    for (const id of [
      'win_rate',
      'win_rate_by_value',
      'sales_cycle_days',
      'stage_conversion',
      'time_in_stage_days',
      'deal_size_avg',
      'discount_depth',
      'quote_to_order_rate',
      'on_time_delivery_rate',
      'promise_kept_rate',
      'findings_per_100_promises',
      'lead_conversion_rate',
      'pipeline_created',
      'pipeline_closed',
      'pipeline_coverage',
      'forecast_accuracy_mape',
    ]) {
      expect(ids).toContain(id);
    }
    expect(metrics.find((m: { id: string }) => m.id === 'win_rate')).toEqual({
      id: 'win_rate',
      name: 'Win rate (by count)',
      nameZh: '赢单率（按数量）',
      unit: 'percent',
      formula: 'deals won / deals closed (won + lost) x 100',
      counts: 'OpportunityWon, OpportunityLost',
      events: ['OpportunityWon', 'OpportunityLost'],
      attributedTo: 'the moment the deal closed',
      groupBy: ['owner', 'team', 'region', 'industry', 'sku', 'source', 'campaign', 'partner'],
      periods: ['day', 'week', 'month', 'quarter'],
      split: null,
      models: [],
    });
    expect(metrics.find((m: { id: string }) => m.id === 'campaign_roi').models).toEqual(['first_touch', 'last_touch', 'linear']);
    expect({ groupBys, periods, models }).toEqual({
      groupBys: ['owner', 'team', 'region', 'industry', 'sku', 'source', 'campaign', 'partner'],
      periods: ['day', 'week', 'month', 'quarter'],
      models: ['first_touch', 'last_touch', 'linear'],
    });
  });
});

describe('GET /views/kpis', () => {
  it('answers a metric as a table of series, a point per period, with its definition and unit', async () => {
    const answer = await json(WIN_RATE);
    expect(answer).toMatchObject({
      metric: { id: 'win_rate', unit: 'percent' },
      groupBy: 'owner',
      period: 'month',
      model: null,
      asOf: null,
      position: null,
      periods: [{ key: '2026-04', start: bj('2026-04-01T00:00'), end: bj('2026-05-01T00:00') }],
    });
    expect(answer.series).toEqual([
      { group: 'dev-sales-rep', points: [{ period: '2026-04', value: 100, count: 1, numerator: '1', denominator: '1' }] },
      { group: 'rep-b', points: [{ period: '2026-04', value: 100, count: 1, numerator: '1', denominator: '1' }] },
      { group: 'rep-n', points: [{ period: '2026-04', value: 0, count: 1, numerator: '0', denominator: '1' }] },
    ]);
  });

  it('answers amounts as money, a series per currency, exactly', async () => {
    const answer = await json(`/views/kpis?metric=pipeline_created&groupBy=team&${APRIL}`);
    expect(answer.series).toEqual([
      { group: 'east', currency: 'CNY', points: [{ period: 'total', value: null, amount: cny(50_000), count: 1 }] },
      { group: 'north', currency: 'CNY', points: [{ period: 'total', value: null, amount: cny(20_000), count: 1 }] },
    ]);
  });

  it("measures forecast accuracy against the snapshot the watcher took as April began: rep A won 100,000 against 10,000 weighted, rep B against none", async () => {
    const answer = await json(`/views/kpis?metric=forecast_accuracy_mape&groupBy=owner&period=month&${APRIL}`);
    expect(figures(answer)).toEqual([
      ['dev-sales-rep', 'CNY', 90],
      ['rep-b', 'CNY', 100],
    ]);
    const quarter = await json('/views/kpis?metric=forecast_accuracy_mape&period=quarter&from=2026-04-01&to=2026-07-01');
    expect(quarter.periods.map((p: { key: string }) => p.key)).toEqual(['2026-Q2']);
    expect(figures(quarter)).toEqual([[null, 'CNY', 95]]);
  });

  it("shows a sales rep their own figures, a manager their team's, and refuses another seller's with 403", async () => {
    expect(figures(await json(WIN_RATE, 'sales_rep'))).toEqual([['dev-sales-rep', 100]]);
    expect(figures(await json(WIN_RATE, 'sales_manager'))).toEqual([
      ['dev-sales-rep', 100],
      ['rep-b', 100],
    ]);
    expect(figures(await json(`${WIN_RATE}&ownerId=rep-n`, 'compliance_officer'))).toEqual([['rep-n', 0]]);
    const forbidden = await get(`${WIN_RATE}&ownerId=rep-b`, 'sales_rep', 403);
    expect(forbidden.json()).toMatchObject({ type: '/problems/forbidden' });
    for (const role of ['auditor', 'admin']) expect(figures(await json(WIN_RATE, role))).toHaveLength(3);
    expect((await get(WIN_RATE, 'finance', 403)).json().allowedRoles).toEqual(['sales_rep', 'sales_manager', 'compliance_officer', 'auditor', 'analyst', 'admin']);
  });

  it('filters by team, region, industry and sku', async () => {
    expect(figures(await json(`${WIN_RATE}&team=north`))).toEqual([['rep-n', 0]]);
    expect(figures(await json(`${WIN_RATE}&region=east&industry=finance`))).toHaveLength(3);
    expect(figures(await json(`${WIN_RATE}&region=west`))).toEqual([]);
    expect(figures(await json(`${WIN_RATE}&sku=FW-100`))).toEqual([]);
  });

  it('reads its own writes: ?after= the position of a command answers with it counted', async () => {
    clock.at = bj('2026-04-16T10:00');
    const { id: customerId } = await ok(t.post('/customers', { name: '西部能源', industry: 'energy', region: 'west' }), 201);
    const opened = await ok(t.post('/opportunities', { customerId, title: 'SOC service', ownerId: 'rep-n', amount: cny(7_000) }, { role: 'admin' }), 201);
    const answer = await t.get(`/views/kpis?metric=pipeline_created&region=west&${APRIL}&after=${opened.position}`, { role: 'analyst' });
    expect(answer.json().series).toEqual([{ group: null, currency: 'CNY', points: [{ period: 'total', value: null, amount: cny(7_000), count: 1 }] }]);
  });
});

describe('point in time: ?asOf=', () => {
  it('answers the KPIs as they stood on 6 April, computed from the log up to that moment, equal to what the view said then', async () => {
    for (const [url, then] of Object.entries(onSixthApril.kpis)) {
      const asOf = await json(`${url}&asOf=${onSixthApril.at}`);
      expect(asOf.asOf).toBe(onSixthApril.at);
      expect(asOf.position).toBe(onSixthApril.position);
      expect({ ...asOf, asOf: null, position: null }).toEqual(then);
    }
    expect(figures(await json(`${WIN_RATE}&asOf=${onSixthApril.at}`))).toEqual([['rep-n', 0]]);
  });

  it('answers the pipeline, its summary and forecast as they stood on 6 April, reassigned and since-closed deals and all', async () => {
    expect(await json(`/views/pipeline/summary?asOf=${onSixthApril.at}`)).toEqual(onSixthApril.summary);
    expect((await json(`/views/pipeline?sort=age&asOf=${onSixthApril.at}`)).items).toEqual(onSixthApril.pipeline);
    const forecast = await json(`/views/pipeline/forecast?asOf=${onSixthApril.at}`);
    expect(forecast).toMatchObject({ asOf: onSixthApril.at, policyRevision: 1, weighted: [cny(15_000)] });
    expect((await json('/views/pipeline/summary')).stages[0]).toMatchObject({ stage: 'qualification', count: 1 });
  });

  it('pages a point-in-time list with cursors bound to that moment', async () => {
    const first = await json(`/views/pipeline?sort=age&limit=1&asOf=${onSixthApril.at}`);
    expect(first.items).toHaveLength(1);
    const second = await json(`/views/pipeline?sort=age&limit=1&asOf=${onSixthApril.at}&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items]).toEqual(onSixthApril.pipeline);
    expect(second.nextCursor).toBeNull();
    const elsewhere = await get(`/views/pipeline?sort=age&limit=1&cursor=${first.nextCursor}`, 'analyst', 400);
    expect(elsewhere.json().errors[0].field).toBe('cursor');
  });
});

describe('GET /views/kpis/explain', () => {
  it('lists the events a figure counts, with stream, revision and position, a page at a time', async () => {
    const url = '/views/kpis/explain?metric=win_rate&period=2026-04&limit=2';
    const first = await json(url);
    expect(first.figure).toEqual([{ group: null, point: { period: '2026-04', value: 66.67, count: 3, numerator: '2', denominator: '3' } }]);
    const second = await json(`${url}&cursor=${first.nextCursor}`);
    expect(second.nextCursor).toBeNull();
    const items = [...first.items, ...second.items];
    expect(items.map((i: { streamId: string; type: string }) => [i.streamId, i.type])).toEqual([
      [`opportunity-${deals.c}`, 'OpportunityLost'],
      [`opportunity-${deals.b}`, 'OpportunityWon'],
      [`opportunity-${deals.a}`, 'OpportunityWon'],
    ]);
    // Each is the event the log holds at that stream, revision and position.
    for (const item of items) {
      const stored = (await t.system.eventStore.readStream(item.streamId)).find((e) => e.revision === item.revision)!;
      expect([stored.position, stored.type, new Date(String(stored.metadata.occurredAt)).toISOString()]).toEqual([item.position, item.type, item.occurredAt]);
    }
  });

  it("lists one group's events, and those of the facts with no value for the group as (none)", async () => {
    const repN = await json('/views/kpis/explain?metric=win_rate&period=2026-04&groupBy=owner&group=rep-n');
    expect(repN.items.map((i: { type: string; fact: string }) => [i.type, i.fact])).toEqual([['OpportunityLost', `deal_closed|${deals.c}`]]);
    const none = await json('/views/kpis/explain?metric=win_rate&period=2026-04&groupBy=campaign&group=(none)');
    expect(none.items).toHaveLength(3);
    expect(none.group).toBeNull();
  });
});

describe('bad input: 400 with the values allowed, nothing appended', () => {
  const BAD: [string, string, RegExp | string][] = [
    ['an unknown metric', '/views/kpis?metric=happiness&from=2026-04-01&to=2026-05-01', /"win_rate".*"forecast_accuracy_mape"/],
    ['an unknown group', '/views/kpis?metric=win_rate&groupBy=planet&from=2026-04-01&to=2026-05-01', /"owner".*"partner"/],
    ['a group the metric does not take', '/views/kpis?metric=discount_depth&groupBy=campaign&from=2026-04-01&to=2026-05-01', 'discount_depth is grouped by owner, team, region, industry, sku'],
    ['an unknown period', '/views/kpis?metric=win_rate&period=fortnight&from=2026-04-01&to=2026-05-01', /"day".*"quarter"/],
    ['a period the metric does not take', '/views/kpis?metric=forecast_accuracy_mape&period=week&from=2026-04-01&to=2026-05-01', 'forecast_accuracy_mape is measured per month or quarter'],
    ['an unknown model', '/views/kpis?metric=campaign_roi&groupBy=campaign&model=w_shaped&from=2026-04-01&to=2026-05-01', /"first_touch".*"linear"/],
    ['an attributed metric without a model', '/views/kpis?metric=campaign_roi&groupBy=campaign&from=2026-04-01&to=2026-05-01', 'campaign_roi needs an attribution model: first_touch, last_touch, linear'],
    ['a model for a metric that is not attributed', '/views/kpis?metric=win_rate&model=linear&from=2026-04-01&to=2026-05-01', 'win_rate is not attributed'],
    ['from after to', '/views/kpis?metric=win_rate&from=2026-05-01&to=2026-04-01', 'must be after from'],
    ['more periods than the maximum', '/views/kpis?metric=win_rate&period=day&from=2025-01-01&to=2026-04-01', 'spans more than 366 days'],
    ['an asOf in the future', '/views/kpis?metric=win_rate&from=2026-04-01&to=2026-05-01&asOf=2030-01-01T00:00:00Z', 'is in the future'],
    ['an asOf before the first event', '/views/kpis?metric=win_rate&from=2026-04-01&to=2026-05-01&asOf=2020-01-01T00:00:00Z', 'is before the first event'],
    ['a pipeline asOf in the future', '/views/pipeline?asOf=2030-01-01T00:00:00Z', 'is in the future'],
    ['a period key that names no period', '/views/kpis/explain?metric=win_rate&period=2026-13', 'names no period'],
    ['a group without groupBy', '/views/kpis/explain?metric=win_rate&period=2026-04&group=rep-n', 'name groupBy too'],
  ];

  it.each(BAD)('%s', async (_what, url, says) => {
    const head = await t.system.eventStore.headPosition();
    const response = await t.get(url, { role: 'analyst' });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({ type: '/problems/invalid-input', status: 400, errors: [expect.objectContaining({ in: 'querystring' })] });
    expect(problem.detail).toMatch(says);
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('names the allowed values as data too, for a group, period or model the metric does not take and a moment outside the log', async () => {
    expect((await t.get('/views/kpis?metric=discount_depth&groupBy=campaign&from=2026-04-01&to=2026-05-01', { role: 'analyst' })).json().allowed).toEqual(['owner', 'team', 'region', 'industry', 'sku']);
    expect((await t.get('/views/kpis?metric=pipeline_coverage&period=day&from=2026-04-01&to=2026-05-01', { role: 'analyst' })).json().allowed).toEqual(['month', 'quarter']);
    expect((await t.get('/views/kpis?metric=campaign_roi&from=2026-04-01&to=2026-05-01', { role: 'analyst' })).json().allowed).toEqual(['first_touch', 'last_touch', 'linear']);
    expect((await t.get('/views/kpis?metric=win_rate&period=day&from=2025-01-01&to=2026-04-01', { role: 'analyst' })).json().maxBuckets).toBe(366);
    const first = (await t.system.eventStore.readAll({ maxCount: 1 }))[0]!;
    expect((await t.get('/views/kpis?metric=win_rate&from=2026-04-01&to=2026-05-01&asOf=2020-01-01T00:00:00Z', { role: 'analyst' })).json().allowed).toEqual({
      from: new Date(String(first.metadata.occurredAt)).toISOString(),
      to: clock.at,
    });
  });
});

describe('a rebuilt KPI view', () => {
  it('rebuilds from zero to the same facts and the same answers', async () => {
    const urls = [WIN_RATE, `/views/kpis?metric=forecast_accuracy_mape&groupBy=owner&period=month&${APRIL}`, `/views/kpis?metric=pipeline_created&groupBy=team&period=week&${APRIL}`];
    const live = await Promise.all(urls.map((url) => json(url)));
    const liveFacts = await t.system.views.all(KPIS, KPI_FACTS);
    const rebuild = await t.post(`/admin/projections/${KPIS}/rebuild`, {}, { role: 'admin' });
    expect(rebuild.statusCode, rebuild.body).toBe(202);
    const { generation } = rebuild.json().building;
    await expect
      .poll(async () => (await t.get('/admin/projections', { role: 'admin' })).json().projections.find((p: { name: string }) => p.name === KPIS).active.generation, { timeout: 10_000 })
      .toBe(generation);
    expect(await t.system.views.all(KPIS, KPI_FACTS)).toEqual(liveFacts);
    expect(await Promise.all(urls.map((url) => json(url)))).toEqual(live);
  });
});

describe('exports', () => {
  it('writes a KPI table as CSV with a byte order mark, read back equal to the view', async () => {
    const url = `/views/kpis?metric=pipeline_created&groupBy=team&period=week&${APRIL}`;
    const view = await json(url);
    const response = await get(`/exports/kpis?metric=pipeline_created&groupBy=team&period=week&${APRIL}&format=csv`);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="kpis-pipeline_created.csv"');
    expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = csvRecords(response.body);
    const fromView = view.series.flatMap((s: { group: string; currency: string; points: { period: string; amount: { minor: number }; count: number }[] }) =>
      s.points.map((p) => ({ group: s.group, currency: s.currency, period: p.period, amountMinor: String(p.amount.minor), count: String(p.count) })),
    );
    expect(rows.map(({ group, currency, period, amountMinor, count }) => ({ group, currency, period, amountMinor, count }))).toEqual(fromView);
    expect(rows.every((row) => row.metric === 'pipeline_created' && row.unit === 'money' && row.groupBy === 'team')).toBe(true);
  });

  it('writes JSON lines read back equal to the view', async () => {
    const view = await json(WIN_RATE);
    const lines = (await get(`/exports/kpis?metric=win_rate&groupBy=owner&period=month&${APRIL}&format=jsonl`)).body.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map(({ group, period, value, numerator, denominator }) => ({ group, period, value, numerator, denominator }))).toEqual(
      view.series.map((s: { group: string; points: { period: string; value: number; numerator: string; denominator: string }[] }) => {
        const [{ period, value, numerator, denominator }] = s.points as [{ period: string; value: number; numerator: string; denominator: string }];
        return { group: s.group, period, value, numerator, denominator };
      }),
    );
  });

  it("exports the pipeline as its view shows it to the caller: a rep's own deals, a title a spreadsheet would run written as text", async () => {
    const rows = csvRecords((await get('/exports/pipeline', 'sales_rep')).body);
    expect(rows.map((r) => [r.id, r.ownerId, r.title, r.status])).toEqual([[deals.a, 'dev-sales-rep', `'=HYPERLINK("http://evil.example","点我")`, 'won']]);
    expect(csvRecords((await get('/exports/pipeline', 'analyst')).body).map((r) => r.id)).toEqual(expect.arrayContaining([deals.a, deals.b, deals.c]));
  });

  it('shows analysts no personal data: a complaint exports with its reporter withheld, revealed to the service desk', async () => {
    const customerId = (await json('/views/pipeline?sort=age&limit=1')).items[0].customerId;
    const filed = await t.post(
      '/complaints',
      { customerId, channel: 'phone', category: 'delivery', severity: 'high', summary: '防火墙晚到', reporter: { name: '王经理', phone: '+86 138 0000 1111', email: 'wang@example.cn' } },
      { role: 'support_agent' },
    );
    expect(filed.statusCode, filed.body).toBe(201);
    position = filed.json().position;
    const [asAnalyst] = csvRecords((await get('/exports/complaints', 'analyst')).body);
    expect(asAnalyst).toMatchObject({ id: filed.json().id, summary: '防火墙晚到', reporterName: '[withheld]', reporterPhone: '[withheld]', reporterEmail: '[withheld]' });
    const [asDesk] = csvRecords((await get('/exports/complaints?format=csv', 'support_agent')).body);
    expect(asDesk).toMatchObject({ reporterName: '王经理', reporterPhone: "'+86 138 0000 1111", reporterEmail: 'wang@example.cn' });
  });

  it('refuses a view that does not export, a format it does not write, and a role the view does not admit', async () => {
    expect((await get('/exports/customers', 'analyst', 400)).json().errors[0].field).toBe('view');
    expect((await get('/exports/pipeline?format=xlsx', 'analyst', 400)).json().errors[0]).toMatchObject({ field: 'format', message: expect.stringContaining('"jsonl"') });
    expect((await get('/exports/findings', 'sales_rep', 403)).json().allowedRoles).toEqual(['sales_manager', 'compliance_officer', 'auditor', 'analyst', 'admin']);
  });
});
