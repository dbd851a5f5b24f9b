import { cny, FIREWALL } from './catalog.js';
import { expect, type Json, type Scenario } from './harness.js';

const DAY_MS = 86_400_000;
const day = (iso: string, plus = 0) => new Date(Date.parse(iso) + plus * DAY_MS).toISOString().slice(0, 10);

/** A managed SOC service the plan pays a SPIFF on. */
const SOC_PLUS = {
  sku: 'SOC-PLUS',
  name: 'SOC Plus',
  capabilities: ['24x7 monitoring'],
  maxSla: { availabilityPct: 99.9, responseHours: 1 },
  leadTimeDays: 0,
  listPrice: cny(50_000),
  floorPrice: cny(35_000),
  unitCost: cny(20_000),
};

/** The first day of the quarter after an instant, and that quarter's name ("2027-Q1"), in the company calendar. */
const nextQuarter = (iso: string) => {
  const shanghai = new Date(Date.parse(iso) + 8 * 3_600_000);
  const year = shanghai.getUTCFullYear();
  const quarter = Math.floor(shanghai.getUTCMonth() / 3) + 1;
  const [y, q] = quarter === 4 ? [year + 1, 1] : [year, quarter + 1];
  return { name: `${y}-Q${q}`, firstDay: `${y}-${String((q - 1) * 3 + 1).padStart(2, '0')}-01` };
};
/** 09:00 in Beijing on a company day. */
const morningOf = (companyDay: string) => `${companyDay}T01:00:00.000Z`;
const yuan = (minor: number) => `${(minor / 100).toFixed(2)} 元`;
/** Each kind of statement line in Chinese, with its name in the API beside it. */
const LINE_KIND: Record<string, string> = {
  credit: '计提',
  awaiting_rate: '待汇率',
  spiff: '专项奖励',
  discount_penalty: '折扣扣减',
  hold: '冻结',
  release: '释放',
  cap: '封顶',
  deduction: '违规扣款',
  clawback: '追回',
  adjustment: '调整',
  carried: '结转',
};

/**
 * Issue 12's walkthrough: a quarter of incentives. Targets for two reps and their team; deals won,
 * delivered and paid; a SPIFF product sold; a deal discounted past the penalty threshold; a deal
 * held by an open critical finding; the period closed, approved by the manager and finance, and
 * granted; a line disputed; after the close, the finding remediated and an order cancelled inside
 * the clawback window; the auditor's recomputation (empty diff) and a what-if under a revised
 * accelerator (the diff); the next quarter closed, with the release, the deduction, the clawback
 * and the dispute's adjustment.
 */
export const incentiveFlow = async (s: Scenario) => {
  const quarter = nextQuarter(s.clock.now());
  const following = nextQuarter(morningOf(quarter.firstDay));
  s.clock.advanceTo(morningOf(quarter.firstDay));

  s.say(`准备：${quarter.name} 季度开始，经理、两名销售代表（张伟、李娜）同属华东团队 (Setup: ${quarter.name} begins; a manager and two reps, Zhang Wei and Li Na, in team east)`);
  await s.command('/reps', { actorId: 'dev-sales-manager', name: '王强', team: 'east', role: 'sales_manager' }, 'admin');
  await s.command('/reps', { actorId: 'dev-sales-rep', name: '张伟', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, 'sales_manager');
  await s.command('/reps', { actorId: 'rep-li', name: '李娜', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, 'sales_manager');
  await s.command('/products', FIREWALL, 'sales_manager');
  await s.command('/products', SOC_PLUS, 'sales_manager');
  const training = { course: 'FW-100 / SOC-PLUS', passedAt: s.clock.now(), certifies: ['FW-100', 'SOC-PLUS'], expiresAt: `${day(s.clock.now(), 365)}T00:00:00Z` };
  await s.command('/reps/dev-sales-rep/training', training, 'sales_manager');
  await s.command('/reps/rep-li/training', training, 'sales_manager');
  await s.command('/reps/dev-sales-manager/training', training, 'admin');

  s.say('财务发布激励方案第 1 版：回款计提、阶梯边际费率 2%/5%/8%、SOC-PLUS 每套 100 元奖励、折扣超 15% 扣减一半、严重违规冻结、30 天追回 (Finance publishes plan revision 1: credit on payment, marginal tiers 2%/5%/8%, a 100-yuan SPIFF per SOC-PLUS, half the commission off above 15% discount, holds for high and critical findings, a 30-day clawback)');
  const plan = await s.command('/incentive-plans', { name: '华东团队销售激励 (East team incentive)', currency: 'CNY', appliesTo: { teams: ['east'] }, from: quarter.firstDay }, 'finance');
  const revision1 = {
    effectiveFrom: quarter.firstDay,
    creditOn: 'payment_received',
    measure: 'bookings',
    tierMode: 'marginal',
    tiers: [
      { fromPct: 0, toPct: 50, ratePct: 2 },
      { fromPct: 50, toPct: 100, ratePct: 5 },
      { fromPct: 100, ratePct: 8 },
    ],
    cap: cny(5_000_000),
    spiffs: [{ sku: 'SOC-PLUS', amountPerUnit: cny(10_000), from: quarter.firstDay, to: day(morningOf(quarter.firstDay), 45) }],
    discountPenalty: { abovePct: 15, reducePct: 50 },
    compliance: { holdSeverities: ['high', 'critical'], deduct: { critical: { amount: cny(20_000) }, high: { pct: 5 } } },
    clawbackDays: 30,
    changeNote: '首版 (first revision)',
  };
  await s.command(`/incentive-plans/${plan.id}/revisions`, revision1, 'finance');
  const gapped = await s.refused(`/incentive-plans/${plan.id}/revisions`, { ...revision1, tiers: [{ fromPct: 0, toPct: 50, ratePct: 2 }, { fromPct: 60, ratePct: 5 }] }, 'finance', 422);
  expect(gapped.rule?.id === 'INC-06', 'a tier table with a gap is refused by INC-06');

  s.say('经理设定目标：张伟 20,000 元、李娜 15,000 元、团队 40,000 元（团队目标不必等于个人之和）(The manager sets targets: Zhang 20,000, Li 15,000, the team 40,000, which need not be the sum of its reps\')');
  await s.command('/targets', { subject: { kind: 'rep', id: 'dev-sales-rep' }, period: quarter.name, metric: 'bookings', amount: cny(2_000_000) }, 'sales_manager');
  await s.command('/targets', { subject: { kind: 'rep', id: 'rep-li' }, period: quarter.name, metric: 'bookings', amount: cny(1_500_000) }, 'sales_manager');
  await s.command('/targets', { subject: { kind: 'team', id: 'east' }, period: quarter.name, metric: 'bookings', amount: cny(4_000_000) }, 'sales_manager');
  const unknown = await s.refused('/targets', { subject: { kind: 'rep', id: 'nobody' }, period: quarter.name, metric: 'bookings', amount: cny(1) }, 'sales_manager', 422);
  expect(unknown.rule?.id === 'TGT-02', 'a target for a rep not on the roster is refused by TGT-02');

  const customer = await s.command('/customers', { name: '华东银行', industry: 'finance', region: 'east' });
  const customerLi = await s.command('/customers', { name: '江南证券', industry: 'finance', region: 'east' }, 'sales_manager');
  await s.command(`/customers/${customer.id}/credit-limit`, { limit: cny(10_000_000) }, 'finance');
  await s.command(`/customers/${customerLi.id}/credit-limit`, { limit: cny(10_000_000) }, 'finance');

  /** A deal from opportunity to an order: opened, quoted, accepted and won; approval when the discount needs it. */
  const deal = async (o: { owner: string; role: string; customerId: string; title: string; sku: string; qty: number; unit: number; discountPct?: number }) => {
    const opportunity = await s.command('/opportunities', { customerId: o.customerId, title: o.title, ownerId: o.owner, amount: cny(o.qty * o.unit) }, o.role);
    const quote = await s.command(
      '/quotes',
      { opportunityId: opportunity.id, lines: [{ sku: o.sku, qty: o.qty, unitPrice: cny(o.unit), discountPct: o.discountPct ?? 0 }], validUntil: `${day(s.clock.now(), 30)}T00:00:00Z` },
      o.role,
    );
    await s.command(`/quotes/${quote.id}/submit`, {}, o.role);
    if ((o.discountPct ?? 0) > 10) await s.command(`/quotes/${quote.id}/approve`, { reason: '战略客户 (strategic account)' }, 'sales_manager');
    await s.command(`/quotes/${quote.id}/send`, {}, o.role);
    await s.command(`/quotes/${quote.id}/accept`, {}, o.role);
    await s.command(`/opportunities/${opportunity.id}/win`, {}, o.role);
    const order = await s.command('/orders', { quoteId: quote.id, promisedDeliveryDate: day(s.clock.now(), 20) }, o.role);
    await s.command(`/orders/${order.id}/confirm`, {}, o.role);
    return { opportunityId: String(opportunity.id), orderId: String(order.id), total: Math.round(o.qty * o.unit * (1 - (o.discountPct ?? 0) / 100)) };
  };
  const deliverAndComplete = async (orderId: string, sku: string, qty: number, role: string) => {
    await s.command(`/orders/${orderId}/deliver`, { lines: [{ sku, qty }] }, role);
    await s.command(`/orders/${orderId}/complete`, {}, role);
  };
  const pay = (orderId: string, minor: number, reference: string) =>
    s.command(`/orders/${orderId}/payments`, { amount: cny(minor), receivedAt: s.clock.now(), reference }, 'finance');

  s.say('张伟赢单：防火墙 10 台（交付并回款）、SOC-PLUS 5 套（奖励产品）、折扣 20% 的防火墙 10 台（超过 15% 门槛）(Zhang wins: ten firewalls, delivered and paid; five SOC-PLUS, the SPIFF product; ten firewalls at 20% off, past the 15% threshold)');
  s.clock.advanceDays(5);
  const firewalls = await deal({ owner: 'dev-sales-rep', role: 'sales_rep', customerId: String(customer.id), title: '分行防火墙 (Branch firewalls)', sku: 'FW-100', qty: 10, unit: 100_000 });
  await deliverAndComplete(firewalls.orderId, 'FW-100', 10, 'sales_rep');
  await pay(firewalls.orderId, firewalls.total, 'BOC-2026-0001');
  const overpaid = await s.refused(`/orders/${firewalls.orderId}/payments`, { amount: cny(1), receivedAt: s.clock.now(), reference: 'BOC-2026-0002' }, 'finance', 422);
  expect(overpaid.rule?.id === 'PAY-03', 'paying more than the order total is refused by PAY-03');
  s.clock.advanceDays(5);
  const soc = await deal({ owner: 'dev-sales-rep', role: 'sales_rep', customerId: String(customer.id), title: 'SOC 托管 (Managed SOC)', sku: 'SOC-PLUS', qty: 5, unit: 50_000 });
  await deliverAndComplete(soc.orderId, 'SOC-PLUS', 5, 'sales_rep');
  await pay(soc.orderId, soc.total, 'BOC-2026-0003');
  s.clock.advanceDays(5);
  const discounted = await deal({ owner: 'dev-sales-rep', role: 'sales_rep', customerId: String(customer.id), title: '数据中心防火墙 (Data-centre firewalls)', sku: 'FW-100', qty: 10, unit: 100_000, discountPct: 20 });
  await deliverAndComplete(discounted.orderId, 'FW-100', 10, 'sales_rep');
  await pay(discounted.orderId, discounted.total, 'BOC-2026-0004');

  s.say('李娜赢单 12 台防火墙；经理代记她对客户的承诺"绝对安全"，触发严重违规 CMP-01，该单被冻结 (Li wins twelve firewalls; her promise of "absolute security", recorded by her manager, raises a critical CMP-01 finding that holds the deal)');
  s.clock.advanceDays(5);
  const held = await deal({ owner: 'rep-li', role: 'sales_manager', customerId: String(customerLi.id), title: '证券防火墙 (Brokerage firewalls)', sku: 'FW-100', qty: 12, unit: 100_000 });
  const promise = await s.command(
    '/promises/on-behalf',
    {
      customerId: customerLi.id,
      opportunityId: held.opportunityId,
      kind: 'capability',
      sku: 'FW-100',
      statement: '我们的防火墙保证１００％防护，绝对安全。',
      committed: { capability: 'threat inspection' },
      dueDate: day(s.clock.now(), 30),
      madeBy: 'rep-li',
    },
    'sales_manager',
  );
  const findingId = String((promise.findings as string[])[0]);
  expect(findingId !== 'undefined', 'the false promise raised a finding');
  await deliverAndComplete(held.orderId, 'FW-100', 12, 'sales_manager');
  await pay(held.orderId, held.total, 'ICBC-2026-0101');
  await s.command(`/compliance/findings/${findingId}/acknowledge`, { reason: '已知悉 (acknowledged)' }, 'sales_manager');

  s.say('张伟另有一单 3 台防火墙，预付款已到账，尚未交付 (Zhang has another order of three firewalls, paid in advance, not yet delivered)');
  s.clock.advanceDays(50);
  const prepaid = await deal({ owner: 'dev-sales-rep', role: 'sales_rep', customerId: String(customer.id), title: '备用防火墙 (Spare firewalls)', sku: 'FW-100', qty: 3, unit: 100_000 });
  const lastPayment = await pay(prepaid.orderId, prepaid.total, 'BOC-2026-0005');

  s.say('业绩达成视图：个人排行榜与团队（团队目标 40,000 元，个人目标之和 35,000 元）(Attainment: the leaderboard of reps, and the team, whose 40,000 target is not the 35,000 its reps\' targets add up to)');
  const board = await s.view(`/views/attainment?period=${quarter.name}&groupBy=rep`, lastPayment.position, 'sales_manager');
  const zhang = board.items.find((row: Json) => row.subjectId === 'dev-sales-rep');
  expect(zhang?.rank === 1 && zhang.booked.minor === 2_350_000 && zhang.attainmentBps === 11_750, 'Zhang leads at 117.50% of 20,000 booked 23,500');
  const team = await s.view(`/views/attainment?period=${quarter.name}&groupBy=team`, lastPayment.position, 'sales_manager');
  expect(team.items[0]?.target?.minor === 4_000_000 && team.items[0]?.repTargetsTotal?.minor === 3_500_000, 'the team target stands beside the sum of its reps\'');

  s.say(`季度结束；财务关账 ${quarter.name}，从日志计算每人的结算单 (The quarter ends; finance closes ${quarter.name}: each statement computed from the log)`);
  s.clock.advanceTo(morningOf(following.firstDay));
  s.clock.advanceDays(1);
  const closed = await s.command(`/incentives/periods/${quarter.name}/close`, {}, 'finance');
  const twice = await s.refused(`/incentives/periods/${quarter.name}/close`, {}, 'finance', 422);
  expect(twice.rule?.id === 'INC-20', 'closing the period twice is refused by INC-20');
  const statements = (await s.view(`/incentives/statements?period=${quarter.name}`, closed.position, 'finance')).items as Json[];
  const zhangStatement = statements.find((st) => st.repId === 'dev-sales-rep');
  const liStatement = statements.find((st) => st.repId === 'rep-li');
  const kinds = (st: Json) => st.lines.map((line: Json) => `${LINE_KIND[line.kind]} ${line.kind} ${yuan(line.amount.minor)}`).join(', ');
  console.log(`   张伟 (Zhang): ${kinds(zhangStatement)} = ${yuan(zhangStatement.total.minor)}`);
  console.log(`   李娜 (Li): ${kinds(liStatement)} = ${yuan(liStatement.total.minor)}`);
  expect(zhangStatement.total.minor === 127_250, 'Zhang earns 1,272.50: credits 200 + 125 + 415 + 240, the SPIFF 500, less the 207.50 discount penalty');
  expect(zhangStatement.lines.some((line: Json) => line.kind === 'spiff') && zhangStatement.lines.some((line: Json) => line.kind === 'discount_penalty'), 'the SPIFF and the discount penalty are lines of their own');
  expect(liStatement.lines.some((line: Json) => line.kind === 'hold') && liStatement.total.minor === 0, "Li's deal is held: its 375.00 withheld while the critical finding is open");
  expect(zhangStatement.lines.every((line: Json) => /^[0-9a-f]{64}$/.test(line.source.hash)), 'every line names its source event by hash');

  s.say('审批：经理不能审批自己的结算单；张伟的经理先批，财务再批，即发放 (Approval: the manager cannot approve his own statement; Zhang\'s manager approves, then finance, which grants it)');
  const managerStatement = statements.find((st) => st.repId === 'dev-sales-manager');
  const own = await s.refused(`/incentives/statements/${managerStatement.id}/approve`, {}, 'sales_manager', 422);
  expect(own.rule?.id === 'INC-32', 'approving one\'s own statement is refused by INC-32');
  await s.command(`/incentives/statements/${zhangStatement.id}/approve`, {}, 'sales_manager');
  const granted = await s.command(`/incentives/statements/${zhangStatement.id}/approve`, {}, 'finance');
  expect(granted.events.includes('IncentiveGranted'), 'the second approval grants the statement');

  s.say('张伟对折扣扣减提出异议（该折扣经经理批准）；财务裁定成立，调整计入下一期 (Zhang disputes the discount penalty, the discount having been approved; finance upholds it, as an adjustment next period)');
  const penalty = zhangStatement.lines.find((line: Json) => line.kind === 'discount_penalty');
  const dispute = await s.command(`/incentives/statements/${zhangStatement.id}/dispute`, { lineId: penalty.lineId, reason: '该折扣已获经理审批 (the discount was approved by my manager)' });
  await s.command(`/incentives/disputes/${dispute.id}/resolve`, { outcome: 'upheld', amount: cny(-penalty.amount.minor), reason: '审批在案，不应扣减 (approval on record)' }, 'finance');

  s.say('关账后：违规整改完成（冻结待下期释放）；预付的 3 台防火墙订单在 30 天追回期内取消 (After the close: the finding is remediated, its hold released at the next close; the prepaid order is cancelled inside the 30-day clawback window)');
  await s.command(`/compliance/findings/${findingId}/remediate`, { evidence: '已向客户书面更正并完成培训 (written correction sent, retraining done)' }, 'sales_manager');
  const cancelled = await s.command(`/orders/${prepaid.orderId}/cancel`, { reason: '客户预算取消 (budget withdrawn)' });
  const holds = await s.view('/views/incentives/holds?repId=rep-li', cancelled.position, 'finance');
  expect(holds.items[0]?.releasable === true && holds.items[0]?.released === false, 'the hold waits for the next close, its finding remediated');

  s.say('审计员从日志重算张伟的结算单：差异为空 (The auditor recomputes Zhang\'s statement from the log: no difference)');
  const recomputed = await s.command('/incentives/recompute', { repId: 'dev-sales-rep', period: quarter.name }, 'auditor');
  expect((recomputed.diff as Json).identical === true, 'the recomputation matches the recorded statement to the cent');

  s.say('财务发布第 2 版：超额阶梯提至 12%；审计员按第 2 版做假设重算，得到差异 (Finance publishes revision 2, the accelerator above 100% at 12%; the auditor\'s what-if under it shows the difference)');
  await s.command(`/incentive-plans/${plan.id}/revisions`, { ...revision1, effectiveFrom: day(s.clock.now()), tiers: [...revision1.tiers.slice(0, 2), { fromPct: 100, ratePct: 12 }], changeNote: '加速器 12% (accelerator at 12%)' }, 'finance');
  const whatIf = await s.command('/incentives/recompute', { repId: 'dev-sales-rep', period: quarter.name, planRevision: 2 }, 'auditor');
  const diff = whatIf.diff as Json;
  console.log(`   差异 (diff): ${diff.changed.map((c: Json) => `${c.lineId} ${yuan(c.recorded.amount.minor)} -> ${yuan(c.recomputed.amount.minor)}`).join('; ')}`);
  expect(diff.identical === false && diff.changed.length === 3 && diff.total.recomputed.minor === 140_250, 'under 12% the three accelerated lines change and Zhang would earn 1,402.50');

  s.say(`${following.name} 结束并关账：李娜的冻结释放、违规扣减；张伟的取消追回与异议调整 (${following.name} ends and closes: Li's hold released and the deduction; Zhang's clawback and the dispute's adjustment)`);
  s.clock.advanceTo(morningOf(nextQuarter(morningOf(following.firstDay)).firstDay));
  s.clock.advanceDays(1);
  const next = await s.command(`/incentives/periods/${following.name}/close`, {}, 'finance');
  const nextStatements = (await s.view(`/incentives/statements?period=${following.name}`, next.position, 'finance')).items as Json[];
  const zhangNext = nextStatements.find((st) => st.repId === 'dev-sales-rep');
  const liNext = nextStatements.find((st) => st.repId === 'rep-li');
  console.log(`   张伟 (Zhang): ${kinds(zhangNext)} = ${yuan(zhangNext.total.minor)}, 应付 (payable) ${yuan(zhangNext.payable.minor)}`);
  console.log(`   李娜 (Li): ${kinds(liNext)} = ${yuan(liNext.total.minor)}`);
  expect(zhangNext.lines.some((line: Json) => line.kind === 'clawback' && line.amount.minor === -24_000), 'the cancelled order gives back the 240.00 it earned');
  expect(zhangNext.lines.some((line: Json) => line.kind === 'adjustment' && line.amount.minor === 20_750), 'the upheld dispute pays 207.50 as an adjustment');
  expect(liNext.lines.some((line: Json) => line.kind === 'release' && line.amount.minor === 37_500) && liNext.lines.some((line: Json) => line.kind === 'deduction'), "Li's hold is released and the remediated finding deducted");

  s.say('审计：方案、关账期间与结算单的流都可验证 (Audit: the plan, period and statement streams verify like every other)');
  const chains = [];
  for (const streamId of [`incentiveplan-${plan.id}`, String(next.streamId), `incentivestatement-${zhangStatement.id}`]) {
    chains.push(await s.request('GET', `/streams/${streamId}/verify`, { role: 'auditor' }));
  }
  expect(chains.every((chain) => chain.body.intact === true), 'the three chains are intact');
  return { plan: plan.id, statement: zhangStatement.id };
};
