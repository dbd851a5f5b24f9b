import { addDays, companyDay, instantOfCompanyTime } from '../domain/shared/calendar.js';
import { nextPeriod, periodOf, type Period } from '../domain/shared/periods.js';
import { cny, FIREWALL } from './catalog.js';
import { expect, type Json, type Scenario } from './harness.js';

const DAY_MS = 86_400_000;

/** The sellers of the walkthrough, by the ids their records carry. */
const SELLERS: Record<string, string> = { 'dev-sales-rep': '张伟', 'rep-li': '李娜', 'rep-wang': '王芳' };
const seller = (id: string | null) => (id === null ? '(无 / none)' : `${SELLERS[id] ?? id} (${id})`);

/** The next quarter that begins at least two weeks from now, so there is room for the deals already open on its first day. */
const quarterAhead = (now: string): Period => {
  const next = nextPeriod(periodOf('quarter', now));
  return Date.parse(next.start) - Date.parse(now) < 15 * DAY_MS ? nextPeriod(next) : next;
};

/** Characters a terminal shows two columns wide (CJK and full-width forms), so the tables line up. */
const width = (text: string) => [...text].reduce((w, c) => w + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(c) ? 2 : 1), 0);
const pad = (text: string, columns: number) => text + ' '.repeat(Math.max(0, columns - width(text)));

/** A table as a reader would want it: a bilingual header, the columns lined up. */
const table = (header: string[], rows: string[][]) => {
  const columns = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) => `   ${cells.map((c, i) => pad(c, columns[i]!)).join(' | ')}`;
  return [line(header), `   ${columns.map((c) => '-'.repeat(c)).join('-+-')}`, ...rows.map(line)].join('\n');
};

const money = (amount: { minor: number | null; minorDecimal?: string; currency: string } | null | undefined) => {
  if (!amount) return '-';
  const minor = BigInt(amount.minor ?? amount.minorDecimal ?? 0);
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  return `${sign}${(abs / 100n).toLocaleString('en-US')}.${String(abs % 100n).padStart(2, '0')} ${amount.currency}`;
};

type Point = { period: string; value: number | null; amount?: { minor: number | null; minorDecimal?: string; currency: string } | null; count: number; numerator?: string; denominator?: string; note?: string };
type Series = { group: string | null; currency?: string; stage?: string; points: Point[] };

const figure = (unit: string, point: Point) => {
  if (unit === 'money') return money(point.amount);
  if (point.value === null) return point.note === 'no target' ? '- (无目标 / no target)' : '-';
  if (unit === 'percent') return `${point.value.toFixed(2)}%`;
  if (unit === 'days') return `${point.value.toFixed(2)} 天/d`;
  return point.value.toFixed(2);
};

/**
 * Issue 13's walkthrough: a quarter of a sales team's work (campaigns, a partner's registration and
 * a conflict, leads, deals won and lost, quotes, orders, promises kept and broken), then what an
 * analyst looks at: the KPI tables, forecast accuracy, attribution under two models, the pipeline as
 * of the quarter's first day, the events behind a figure, and a CSV export.
 */
export const analystTour = async (s: Scenario) => {
  const quarter = quarterAhead(s.clock.now());
  const quarterDay = companyDay(quarter.start);
  const secondMonth = nextPeriod(periodOf('month', quarter.start));
  const thirdMonth = nextPeriod(secondMonth);
  /** 09:30 in Beijing, `days` after the quarter's first day (before it when negative). */
  const morning = (days: number) => instantOfCompanyTime(`${addDays(quarterDay, days)}T09:30:00`);
  const range = `from=${quarterDay}&to=${companyDay(quarter.end)}`;
  let position = 0;
  /** The deadline watcher's tick, once the deadlines view has caught up with the log, as its loop would find it. */
  const tick = async () => {
    expect(await s.system.runner.waitFor(['deadlines'], (await s.system.eventStore.headPosition()) ?? 0, 5_000), 'the deadlines view catches up');
    for (const { deadline, outcome, events } of await s.system.deadlines.tick()) s.show(`截止监控 / deadline watcher: ${deadline.streamId} -> ${outcome} ${(events ?? []).join(', ')}`);
  };
  const run = async (path: string, body: unknown, role = 'sales_rep') => {
    const answer = await s.command(path, body, role);
    position = Math.max(position, answer.position);
    return answer;
  };

  s.clock.advanceTo(morning(-14));
  s.say(`季度 ${quarter.key} 开始前两周：名册、产品、客户、市场活动与渠道伙伴`, `Two weeks before ${quarter.key}: the roster, the product, customers, campaigns and a channel partner`);
  await run('/reps', { actorId: 'dev-sales-manager', name: '李强', team: 'east', role: 'sales_manager' }, 'admin');
  await run('/reps', { actorId: 'dev-sales-rep', name: '张伟', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, 'sales_manager');
  await run('/reps', { actorId: 'rep-li', name: '李娜', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, 'sales_manager');
  await run('/reps', { actorId: 'rep-wang', name: '王芳', team: 'north', role: 'sales_rep' }, 'admin');
  await run('/products', FIREWALL, 'sales_manager');
  for (const rep of ['dev-sales-manager', 'dev-sales-rep', 'rep-li', 'rep-wang']) {
    const trainer = rep === 'dev-sales-rep' || rep === 'rep-li' ? 'sales_manager' : 'admin';
    await run(`/reps/${rep}/training`, { course: 'FW-100 certified seller', passedAt: s.clock.now(), certifies: ['FW-100'], expiresAt: morning(365) }, trainer);
  }
  const bank = await run('/customers', { name: '华东银行', industry: 'finance', region: 'east' });
  const energy = await run('/customers', { name: '西部能源', industry: 'energy', region: 'west' });
  const hospital = await run('/customers', { name: '南方医院', industry: 'healthcare', region: 'south' });
  for (const customer of [bank, energy, hospital]) await run(`/customers/${customer.id}/credit-limit`, { limit: cny(10_000_000) }, 'finance');
  const window = { from: addDays(quarterDay, -14), to: addDays(quarterDay, 60) };
  const webinar = await run('/campaigns', { name: '零信任网络研讨会 / zero-trust webinar', channel: 'webinar', budget: cny(500_000), window }, 'sales_manager');
  const summit = await run('/campaigns', { name: '金融安全峰会 / financial security summit', channel: 'event', budget: cny(2_000_000), window }, 'sales_manager');
  const integrator = await run('/partners', { name: '安全集成商 / SecureIntegrator', tier: 'gold' }, 'sales_manager');
  const rival = await run('/partners', { name: '竞合伙伴 / RivalReseller', tier: 'silver' }, 'sales_manager');

  s.say('本季度成交目标：经理为两位代表和东区团队设定，管理员为王芳设定', "The quarter's bookings targets: the manager sets the two reps' and team east's, an admin Wang Fang's");
  for (const [kind, id, minor, role] of [
    ['rep', 'dev-sales-rep', 2_000_000, 'sales_manager'],
    ['rep', 'rep-li', 1_600_000, 'sales_manager'],
    ['team', 'east', 4_000_000, 'sales_manager'],
    ['rep', 'rep-wang', 1_000_000, 'admin'],
  ] as const) {
    await run('/targets', { subject: { kind, id }, period: quarter.key, metric: 'bookings', amount: cny(minor) }, role);
  }

  s.say('季度开始前已在跟进的商机', 'Deals already being worked before the quarter begins');
  const d1 = await run('/opportunities', { customerId: bank.id, title: '分行防火墙 / branch firewalls', ownerId: 'dev-sales-rep', amount: cny(1_200_000) });
  await run(`/opportunities/${d1.id}/source`, { campaignId: summit.id });
  await run(`/opportunities/${d1.id}/stage`, { stage: 'discovery' });
  const d2 = await run('/opportunities', { customerId: energy.id, title: '电厂边界防护 / plant perimeter', ownerId: 'rep-li', amount: cny(800_000) }, 'sales_manager');
  const d3 = await run('/opportunities', { customerId: hospital.id, title: '医院安全运营 / hospital SOC', ownerId: 'rep-wang', amount: cny(500_000) }, 'admin');
  s.clock.advanceTo(morning(-7));
  await run(`/opportunities/${d1.id}/stage`, { stage: 'proposal' });
  await run(`/opportunities/${d3.id}/stage`, { stage: 'discovery' }, 'admin');

  s.clock.advanceTo(instantOfCompanyTime(`${quarterDay}T00:05:00`));
  s.say('季度第一天零点：截止监控为本月拍下预测快照', "Midnight on the quarter's first day: the deadline watcher takes this month's forecast snapshot");
  await tick();

  s.clock.advanceTo(morning(3));
  s.say('第一个月：财务记录两项活动的费用；研讨会带来一条线索', 'Month one: finance records what the two campaigns cost; the webinar brings a lead');
  await run(`/campaigns/${webinar.id}/costs`, { amount: cny(300_000), note: '直播平台与讲师 / streaming and speakers' }, 'finance');
  await run(`/campaigns/${summit.id}/costs`, { amount: cny(1_500_000), note: '场地与展位 / venue and booth' }, 'finance');
  const l1 = await run('/leads', { source: 'campaign', sourceRef: webinar.id, company: '华东银行', contact: { name: '赵主任', email: 'zhao@example.cn' }, interest: '零信任 / zero trust' });
  await run(`/opportunities/${d1.id}/stage`, { stage: 'negotiation' });

  s.say('渠道伙伴报备西部能源商机并获批准；另一伙伴就同一客户与产品报备，因渠道冲突被拒', "A partner registers the West Energy deal and it is approved; another partner's registration on the same customer and product is refused as a channel conflict");
  const registration = await run('/registrations', { partnerId: integrator.id, customerId: energy.id, skus: ['FW-100'], expectedAmount: cny(800_000), expiresAt: morning(90) });
  await run(`/registrations/${registration.id}/approve`, { reason: '首家报备 / first to register' }, 'sales_manager');
  const conflict = await s.refused('/registrations', { partnerId: rival.id, customerId: energy.id, skus: ['FW-100'], expectedAmount: cny(700_000), expiresAt: morning(60) }, 'sales_rep', 422);
  expect(conflict.rule?.id === 'REG-06', 'the second registration is refused, naming REG-06 (channel conflict)');
  await run(`/opportunities/${d2.id}/registration`, { registrationId: registration.id }, 'sales_manager');

  s.clock.advanceTo(morning(8));
  s.say('线索：研讨会线索转化为商机；峰会带来的线索由经理跟进；另一条入站线索未转化', 'Leads: the webinar lead becomes a deal; a summit lead is taken by the manager; an inbound lead is not converted');
  await run(`/leads/${l1.id}/qualify`, { note: '预算已批 / budget approved' });
  const converted = await run(`/leads/${l1.id}/convert`, { customerId: bank.id, opportunity: { title: '零信任改造 / zero-trust rollout', ownerId: 'dev-sales-rep', amount: cny(400_000) } });
  const d4 = { id: String(converted.opportunityId) };
  const l2 = await run('/leads', { source: 'inbound', campaignId: summit.id, company: '南方医院', contact: { name: '钱院长', phone: '+86 139 0000 2222' }, interest: '安全运营 / SOC' }, 'sales_manager');
  await run('/leads', { source: 'inbound', company: '东海物流', contact: { name: '孙经理', email: 'sun@example.cn' }, interest: '防火墙 / firewalls' });

  s.say('张伟的大单：九折报价、接受、下单；赢单', "Zhang Wei's big deal: a quote at 10% off, accepted, ordered; won");
  const q1 = await run('/quotes', { opportunityId: d1.id, lines: [{ sku: 'FW-100', qty: 12, unitPrice: cny(100_000), discountPct: 10 }], validUntil: morning(40) });
  for (const step of ['submit', 'send', 'accept']) await run(`/quotes/${q1.id}/${step}`, {});
  const o1 = await run('/orders', { quoteId: q1.id, promisedDeliveryDate: addDays(quarterDay, 25) });
  await run(`/orders/${o1.id}/confirm`, {});
  await run(`/opportunities/${d1.id}/win`, { reason: '总拥有成本最低 / lowest total cost' });
  const p1 = await run('/promises', { customerId: bank.id, opportunityId: d1.id, kind: 'delivery', statement: '十二台防火墙于约定日期前交付', sku: 'FW-100', committed: { deliveryDate: addDays(quarterDay, 25) }, dueDate: addDays(quarterDay, 25) });

  s.say('承诺：李娜答应三天交货（交付周期十四天），被记录并产生合规问题；王芳的医院商机输单', "Promises: Li Na's three-day delivery (the lead time is fourteen days) is recorded and raises a finding; Wang Fang's hospital deal is lost");
  const p2 = await run(
    '/promises/on-behalf',
    { customerId: energy.id, opportunityId: d2.id, kind: 'delivery', statement: '三天内到货', sku: 'FW-100', committed: { deliveryDate: addDays(quarterDay, 11) }, dueDate: addDays(quarterDay, 11), madeBy: 'rep-li' },
    'sales_manager',
  );
  expect((p2.findings as string[]).length > 0, 'the promise the lead time cannot meet raises a finding (CMP-06)');
  await run(`/opportunities/${d3.id}/lose`, { reason: '预算冻结 / budget frozen' }, 'admin');

  s.clock.advanceTo(morning(10));
  s.say('李娜的承诺未能兑现', "Li Na's promise is broken");
  await run(`/promises/${p2.id}/break`, { reason: '库存不足 / out of stock' }, 'sales_manager');

  s.clock.advanceTo(morning(15));
  s.say('张伟的订单按期全部交付，承诺兑现', "Zhang Wei's order is delivered in full on time, his promise kept");
  await run(`/orders/${o1.id}/deliver`, { lines: [{ sku: 'FW-100', qty: 12 }] });
  await run(`/promises/${p1.id}/fulfil`, { evidence: '签收单 / signed delivery note' });

  s.clock.advanceTo(morning(20));
  s.say('两笔商机进入方案阶段', 'Two deals move to proposal');
  await run(`/opportunities/${d2.id}/stage`, { stage: 'proposal' }, 'sales_manager');
  await run(`/opportunities/${d4.id}/stage`, { stage: 'proposal' });

  s.clock.advanceTo(morning(28));
  await run(`/opportunities/${d4.id}/stage`, { stage: 'negotiation' });

  s.clock.advanceTo(instantOfCompanyTime(`${companyDay(secondMonth.start)}T00:05:00`));
  s.say('第二个月初：截止监控拍下本月预测快照', 'The second month begins: the deadline watcher takes its forecast snapshot');
  await tick();

  s.clock.advanceTo(morning(35));
  s.say('李娜的报备商机：七折报价超出经理权限，经财务批准；接受、下单；赢单', "Li Na's registered deal: a quote at 30% off, beyond the manager's authority, approved by finance; accepted, ordered; won");
  const q2 = await run('/quotes', { opportunityId: d2.id, lines: [{ sku: 'FW-100', qty: 10, unitPrice: cny(100_000), discountPct: 30 }], validUntil: morning(70) }, 'sales_manager');
  await run(`/quotes/${q2.id}/submit`, {}, 'sales_manager');
  await run(`/quotes/${q2.id}/approve`, { reason: '战略客户 / strategic account' }, 'finance');
  for (const step of ['send', 'accept']) await run(`/quotes/${q2.id}/${step}`, {}, 'sales_manager');
  const o2 = await run('/orders', { quoteId: q2.id, promisedDeliveryDate: addDays(quarterDay, 40) });
  await run(`/orders/${o2.id}/confirm`, {});
  await run(`/opportunities/${d2.id}/win`, {}, 'sales_manager');

  s.say('零信任商机：客户又参加了峰会；报价、下单；赢单。峰会线索转化为新商机', 'The zero-trust deal: the customer also came to the summit; quoted, ordered; won. The summit lead becomes a new deal');
  await run(`/opportunities/${d4.id}/source`, { campaignId: summit.id });
  const q4 = await run('/quotes', { opportunityId: d4.id, lines: [{ sku: 'FW-100', qty: 4, unitPrice: cny(100_000), discountPct: 0 }], validUntil: morning(80) });
  for (const step of ['submit', 'send', 'accept']) await run(`/quotes/${q4.id}/${step}`, {});
  const o4 = await run('/orders', { quoteId: q4.id, promisedDeliveryDate: addDays(quarterDay, 50) });
  await run(`/orders/${o4.id}/confirm`, {});
  await run(`/opportunities/${d4.id}/win`, {});
  const p3 = await run('/promises', { customerId: bank.id, opportunityId: d4.id, kind: 'delivery', statement: '四台防火墙于约定日期前交付', sku: 'FW-100', committed: { deliveryDate: addDays(quarterDay, 50) }, dueDate: addDays(quarterDay, 50) });
  await run(`/leads/${l2.id}/qualify`, {}, 'sales_manager');
  const d5converted = await run(`/leads/${l2.id}/convert`, { customerId: hospital.id, opportunity: { title: '医院终端防护 / hospital endpoints', ownerId: 'rep-li', amount: cny(300_000) } }, 'sales_manager');
  const d5 = { id: String(d5converted.opportunityId) };

  s.clock.advanceTo(morning(44));
  s.say('李娜的订单晚于承诺日期交付；零信任订单按期交付，承诺兑现', "Li Na's order arrives after its promised day; the zero-trust order on time, its promise kept");
  await run(`/orders/${o2.id}/deliver`, { lines: [{ sku: 'FW-100', qty: 10 }] });
  await run(`/orders/${o4.id}/deliver`, { lines: [{ sku: 'FW-100', qty: 4 }] });
  await run(`/promises/${p3.id}/fulfil`, { evidence: '签收单 / signed delivery note' });

  s.clock.advanceTo(instantOfCompanyTime(`${companyDay(thirdMonth.start)}T00:05:00`));
  s.say('第三个月：预测快照；医院终端商机报价后输单；王芳开新单并赢单', 'Month three: the forecast snapshot; the hospital endpoint deal is quoted and lost; Wang Fang opens a new deal and wins it');
  await tick();
  s.clock.advanceTo(morning(65));
  const q5 = await run('/quotes', { opportunityId: d5.id, lines: [{ sku: 'FW-100', qty: 3, unitPrice: cny(100_000), discountPct: 5 }], validUntil: morning(80) }, 'sales_manager');
  for (const step of ['submit', 'send']) await run(`/quotes/${q5.id}/${step}`, {}, 'sales_manager');
  await run(`/opportunities/${d5.id}/lose`, { reason: '选择了竞品 / chose a competitor' }, 'sales_manager');
  const d6 = await run('/opportunities', { customerId: hospital.id, title: '医院边界防护 / hospital perimeter', ownerId: 'rep-wang', amount: cny(250_000) }, 'admin');
  s.clock.advanceTo(morning(70));
  await run(`/opportunities/${d6.id}/stage`, { stage: 'proposal' }, 'admin');
  s.clock.advanceTo(morning(75));
  await run(`/opportunities/${d6.id}/win`, {}, 'admin');

  s.clock.advanceTo(instantOfCompanyTime(`${companyDay(quarter.end)}T10:00:00`));
  s.say(`${quarter.key} 结束后，分析师查看本季度`, `After ${quarter.key} closes, the analyst looks at the quarter`);
  const kpi = (query: string) => s.read(`/views/kpis?${query}`, position);

  const { metrics } = await s.read('/views/kpis/catalog', position);
  s.show(`指标目录共 ${metrics.length} 项 / the catalog has ${metrics.length} metrics; 例 / e.g. win_rate = ${metrics.find((m: Json) => m.id === 'win_rate').formula}`);

  s.say('各销售每月赢单率', 'Win rate per seller, per month');
  const winRate = await kpi(`metric=win_rate&groupBy=owner&period=month&${range}`);
  s.block(
    table(
      ['销售 / seller', ...winRate.periods.map((p: { key: string }) => p.key)],
      winRate.series.map((r: Series) => [seller(r.group), ...r.points.map((p) => figure('percent', p))]),
    ),
  );

  s.say('本季度记分卡：每项指标一个数字', "The quarter's scorecard: one figure per metric");
  const scorecard = [
    'win_rate',
    'win_rate_by_value',
    'sales_cycle_days',
    'sales_cycle_days_avg',
    'deal_size_avg',
    'discount_depth',
    'discount_depth_p90',
    'quote_to_order_rate',
    'on_time_delivery_rate',
    'promise_kept_rate',
    'findings_per_100_promises',
    'lead_conversion_rate',
    'lead_time_to_convert_days',
  ];
  const rows: string[][] = [];
  const scored: Record<string, Json> = {};
  for (const id of scorecard) {
    const answer = (scored[id] = await kpi(`metric=${id}&${range}`));
    for (const r of answer.series as Series[]) rows.push([`${answer.metric.nameZh} / ${answer.metric.name}${r.currency ? ` (${r.currency})` : ''}`, figure(answer.metric.unit, r.points[0]!), String(r.points[0]!.count)]);
  }
  s.block(table(['指标 / metric', '数值 / figure', '计数 / counted'], rows));
  const only = (id: string) => scored[id].series[0].points[0].value;
  expect(only('on_time_delivery_rate') === 66.67, 'two of the three orders were delivered in full on time');
  expect(only('promise_kept_rate') === 66.67, 'two of the three promises settled were kept');
  expect(only('findings_per_100_promises') === 33.33, 'one finding on three promises');

  s.say('阶段转化率与阶段停留时间', 'Stage conversion and time in stage');
  const conversion = await kpi(`metric=stage_conversion&${range}`);
  const inStage = await kpi(`metric=time_in_stage_days&${range}`);
  s.block(
    table(
      ['阶段 / stage', '转化率 / conversion', '停留中位数 / median time'],
      (conversion.series as Series[]).map((r) => [r.stage!, figure('percent', r.points[0]!), figure('days', (inStage.series as Series[]).find((x) => x.stage === r.stage)!.points[0]!)]),
    ),
  );

  s.say('线索转化率：按来源、按市场活动', 'Lead conversion by source and by campaign');
  const campaigns: Record<string, string> = { [webinar.id]: '研讨会 / webinar', [summit.id]: '峰会 / summit' };
  const bySource = await kpi(`metric=lead_conversion_rate&groupBy=source&${range}`);
  const byCampaign = await kpi(`metric=lead_conversion_rate&groupBy=campaign&${range}`);
  s.block(
    table(
      ['分组 / group', '转化率 / conversion', '线索数 / leads'],
      [
        ...(bySource.series as Series[]).map((r) => [`来源 / source: ${r.group ?? '-'}`, figure('percent', r.points[0]!), String(r.points[0]!.count)]),
        ...(byCampaign.series as Series[]).map((r) => [`活动 / campaign: ${r.group === null ? '(无 / none)' : campaigns[r.group]}`, figure('percent', r.points[0]!), String(r.points[0]!.count)]),
      ],
    ),
  );

  s.say('每月新增与关闭的商机金额', 'Pipeline created and closed per month');
  const created = await kpi(`metric=pipeline_created&period=month&${range}`);
  const closed = await kpi(`metric=pipeline_closed&period=month&${range}`);
  s.block(
    table(
      ['月份 / month', '新增 / created', '关闭 / closed'],
      (created.periods as { key: string }[]).map(({ key }, i) => [key, money(created.series[0]?.points[i].amount), money(closed.series[0]?.points[i].amount)]),
    ),
  );

  s.say('季初商机覆盖率：季度开始时的未结商机相对本季成交目标', 'Pipeline coverage: what was open as the quarter began against its bookings target');
  const coverageByOwner = await kpi(`metric=pipeline_coverage&groupBy=owner&period=quarter&${range}`);
  const coverageByTeam = await kpi(`metric=pipeline_coverage&groupBy=team&period=quarter&${range}`);
  const coverageRow = (group: string, { currency, points: [point] }: Series) => [
    group,
    money({ minor: null, minorDecimal: point!.numerator ?? '0', currency: currency! }),
    point!.denominator === undefined ? '-' : money({ minor: null, minorDecimal: point!.denominator, currency: currency! }),
    figure('ratio', point!),
  ];
  s.block(
    table(['分组 / group', '未结商机 / open', '目标 / target', '覆盖率 / coverage'], [
      ...(coverageByOwner.series as Series[]).map((r) => coverageRow(seller(r.group), r)),
      ...(coverageByTeam.series as Series[]).map((r) => coverageRow(`团队 / team ${r.group}`, r)),
    ]),
  );
  expect(coverageByTeam.series[0].points[0].value === 0.5, "team east began the quarter with half its target open: 20,000.00 against 40,000.00");

  s.say('预测准确度：季初预测快照与本季赢单相比的平均绝对百分比误差', "Forecast accuracy: the forecast snapshot taken as the quarter began against what each seller won in it (mean absolute percentage error)");
  const mapeByOwner = await kpi(`metric=forecast_accuracy_mape&groupBy=owner&period=quarter&${range}`);
  const mapeByTeam = await kpi(`metric=forecast_accuracy_mape&groupBy=team&period=quarter&${range}`);
  const mape = await kpi(`metric=forecast_accuracy_mape&period=quarter&${range}`);
  s.block(
    table(
      ['分组 / group', `MAPE ${quarter.key}`],
      [
        ...(mapeByOwner.series as Series[]).map((r) => [seller(r.group), figure('percent', r.points[0]!)]),
        ...(mapeByTeam.series as Series[]).map((r) => [`团队 / team ${r.group}`, figure('percent', r.points[0]!)]),
        ['全体 / everyone', figure('percent', mape.series[0].points[0])],
      ],
    ),
  );
  // Zhang Wei won 16,000.00 against 6,000.00 weighted (62.5%), Li Na 8,000.00 against 800.00 (90%), Wang Fang 2,500.00 against 1,250.00 (50%).
  expect(mape.series[0].points[0].value === 67.5, 'forecast accuracy over the quarter: the mean of 62.5%, 90% and 50%');

  s.say('归因：成交金额与投入产出比，首次触点与末次触点两种模型', 'Attribution: bookings and return on cost, under first touch and last touch');
  const attribution: string[][] = [];
  const credits: Record<string, Json> = {};
  for (const model of ['first_touch', 'last_touch']) {
    const bookings = (credits[model] = await kpi(`metric=attributed_bookings&groupBy=campaign&model=${model}&${range}`));
    const roi = await kpi(`metric=campaign_roi&groupBy=campaign&model=${model}&${range}`);
    for (const campaign of [webinar.id, summit.id, null]) {
      const credited = (bookings.series as Series[]).find((r) => r.group === campaign)?.points[0];
      const ratio = (roi.series as Series[]).find((r) => r.group === campaign)?.points[0];
      attribution.push([model, campaign === null ? '(无 / none)' : campaigns[campaign]!, credited ? money(credited.amount) : money(cny(0)), ratio ? figure('ratio', ratio) : '-']);
    }
  }
  s.block(table(['模型 / model', '活动 / campaign', '归因成交 / bookings', '投入产出比 / ROI'], attribution));
  const creditOf = (model: string, campaign: string) => (credits[model].series as Series[]).find((r) => r.group === campaign)?.points[0]!.amount?.minor ?? 0;
  expect(creditOf('first_touch', webinar.id) === 400_000 && creditOf('last_touch', webinar.id) === 0, "the zero-trust deal is the webinar's under first touch, the summit's under last touch");

  s.say('回到季度第一天：当时的商机管道（由日志重放得出，而非今日状态加日期过滤）', "Back to the quarter's first day: the pipeline as it stood then, replayed from the log rather than today's state with a date filter");
  const asOf = quarter.start;
  const then = await s.read(`/views/pipeline?sort=age&asOf=${asOf}`, position);
  s.block(
    table(
      ['商机 / deal', '销售 / seller', '阶段 / stage', '金额 / amount', '开立 / opened'],
      (then.items as Json[]).map((deal) => [deal.title, seller(deal.ownerId), deal.stage, money(deal.amount), deal.openedAt]),
    ),
  );
  expect(then.items.length === 3 && (then.items as Json[]).every((d) => d.status === 'open'), 'on its first day the quarter opened with three deals, all open then');
  const forecastThen = await s.read(`/views/pipeline/forecast?asOf=${asOf}`, position);
  s.show(`当日加权预测 / weighted forecast that day: ${(forecastThen.weighted as Json[]).map(money).join(', ')} (policy revision ${forecastThen.policyRevision})`);
  const today = await s.read('/views/pipeline/summary', position);
  const openToday = (today.stages as Json[]).reduce((n, stage) => n + stage.count, 0);
  expect(openToday === 0, 'every deal of the quarter has since been won or lost');
  s.show(`今日未结商机 / open today: ${openToday}（均已赢单或输单 / all since won or lost）`);

  s.say('追溯：张伟本季度赢单率所计入的事件（可逐条核对）', "Tracing a figure: the events Zhang Wei's win rate for the quarter counts, to check by hand");
  const explain = await s.read(`/views/kpis/explain?metric=win_rate&groupBy=owner&group=dev-sales-rep&period=${quarter.key}&limit=10`, position);
  s.show(`数值 / figure: ${figure('percent', explain.figure[0].point)} (${explain.figure[0].point.numerator}/${explain.figure[0].point.denominator})`);
  s.block(
    table(
      ['位置 / position', '流 / stream', '版本 / revision', '事件 / event', '时间 / at'],
      (explain.items as Json[]).map((e) => [String(e.position), e.streamId, String(e.revision), e.type, e.occurredAt]),
    ),
  );
  expect(explain.items.length === 2 && explain.items.every((e: Json) => e.type === 'OpportunityWon'), 'two deals won, each event named by stream, revision and position');

  s.say('导出：赢单率表格为 CSV（UTF-8 带 BOM，表格软件可正确显示中文）', 'Export: the win-rate table as CSV (UTF-8 with a byte order mark, so spreadsheets read Chinese correctly)');
  const csv = await s.download(`/exports/kpis?metric=win_rate&groupBy=owner&period=month&${range}&format=csv&after=${position}`);
  expect(csv.text.startsWith('\uFEFFmetric,unit,groupBy,group,'), 'the export starts with a byte order mark and its header');
  const lines = csv.text.slice(1).trimEnd().split('\r\n');
  s.block(lines.slice(0, 6).map((line) => `   ${line}`).join('\n'));
  expect(lines.length === 1 + winRate.series.length * winRate.periods.length, 'a line per seller and month, as the view answers');
};
