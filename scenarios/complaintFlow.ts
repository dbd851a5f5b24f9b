import { isWorkingDay } from '../domain/complaint/businessTime.js';
import { DEFAULT_COMPLAINT_SERVICE_LEVELS } from '../domain/complaint/serviceLevels.js';
import { addDays, companyDay, instantOfCompanyTime } from '../domain/shared/calendar.js';
import { cny, FIREWALL } from './catalog.js';
import { expect, type Json, type Scenario } from './harness.js';

const DESK_CALENDAR = DEFAULT_COMPLAINT_SERVICE_LEVELS.calendars.default!;

/** 09:30 in Beijing on the next working day of the desk's calendar after `instant`, so the walkthrough reads the same whatever day it runs. */
const nextWorkingMorning = (instant: string): string => {
  let day = addDays(companyDay(instant), 1);
  while (!isWorkingDay(DESK_CALENDAR, day)) day = addDays(day, 1);
  return instantOfCompanyTime(`${day}T09:30:00`);
};

/**
 * Issue 11's walkthrough: a customer complains of a late delivery and of a promise not kept; the
 * desk answers both; one waits on the customer with its clocks standing, the other runs out of
 * time and escalates by itself; a remedy beyond the agent's authority is refused; the seller the
 * promise complaint is about cannot close it; both are resolved and rated; the SLA report and the
 * customer 360 show it; the auditor replays the customer and verifies every chain.
 */
export const complaintFlow = async (s: Scenario) => {
  s.clock.advanceTo(nextWorkingMorning(s.clock.now()));

  s.say('管理员把经理、客服和销售代表加入名册；经理为代表记录 FW-100 认证', 'An admin puts the manager and the service desk agent on the roster; the manager hires the rep and certifies them on FW-100');
  await s.command('/reps', { actorId: 'dev-sales-manager', name: '李强', team: 'east', role: 'sales_manager' }, 'admin');
  await s.command('/reps', { actorId: 'dev-support-agent', name: '陈静', team: 'service desk', role: 'support_agent' }, 'admin');
  await s.command('/reps', { actorId: 'dev-sales-rep', name: '张伟', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, 'sales_manager');
  await s.command('/products', FIREWALL, 'sales_manager');
  await s.command(
    '/reps/dev-sales-rep/training',
    { course: 'FW-100 certified seller', passedAt: s.clock.now(), certifies: ['FW-100'], expiresAt: `${addDays(companyDay(s.clock.now()), 365)}T00:00:00Z` },
    'sales_manager',
  );

  s.say('客户下单十台防火墙；销售代表承诺三天内全部交付', 'The customer orders ten firewalls; the rep promises delivery of all of them within three days');
  const customer = await s.command('/customers', { name: '华东银行', industry: 'finance', region: 'east' });
  await s.command(`/customers/${customer.id}/credit-limit`, { limit: cny(5_000_000) }, 'finance');
  const deal = await s.command('/opportunities', { customerId: customer.id, title: '分行防火墙 / branch firewalls', ownerId: 'dev-sales-rep', amount: cny(1_000_000) });
  const quote = await s.command('/quotes', {
    opportunityId: deal.id,
    lines: [{ sku: 'FW-100', qty: 10, unitPrice: cny(100_000), discountPct: 0 }],
    validUntil: `${addDays(companyDay(s.clock.now()), 30)}T00:00:00Z`,
  });
  for (const step of ['submit', 'send', 'accept']) await s.command(`/quotes/${quote.id}/${step}`, {});
  const promisedDay = addDays(companyDay(s.clock.now()), 3);
  const order = await s.command('/orders', { quoteId: quote.id, promisedDeliveryDate: promisedDay });
  await s.command(`/orders/${order.id}/confirm`, {});
  const promise = await s.command('/promises', {
    customerId: customer.id,
    opportunityId: deal.id,
    kind: 'delivery',
    statement: '三天内十台全部到货，绝不延误。',
    sku: 'FW-100',
    committed: { deliveryDate: promisedDay },
    dueDate: promisedDay,
  });

  s.say('一周后设备才到货：交付迟了', 'A week later the firewalls arrive: the delivery is late');
  s.clock.advanceDays(7);
  const delivered = await s.command(`/orders/${order.id}/deliver`, { lines: [{ sku: 'FW-100', qty: 10 }] });
  expect(delivered.events.includes('OrderFullyDelivered'), 'all ten delivered');
  const lateOrder = await s.view(`/views/orders/${order.id}`, delivered.position);
  expect(lateOrder.late === true, 'the delivery is marked late');

  s.clock.advanceTo(nextWorkingMorning(s.clock.now()));
  s.say('客户来电投诉两件事：交付延误，以及销售承诺未兑现；客服登记两张投诉单', 'The customer calls about two things, the late delivery and the promise not kept; the desk files two complaints');
  const filedOn = companyDay(s.clock.now());
  const reporter = { name: '王经理', phone: '+86 138 0000 1111', email: 'wang@example.cn' };
  const late = await s.command(
    '/complaints',
    { customerId: customer.id, channel: 'phone', category: 'delivery', severity: 'high', summary: '十台防火墙晚到一周 / ten firewalls a week late', orderId: order.id, sku: 'FW-100', reporter },
    'support_agent',
  );
  const broken = await s.command(
    '/complaints',
    {
      customerId: customer.id,
      channel: 'phone',
      category: 'false_promise',
      severity: 'high',
      summary: '销售承诺三天到货，绝不延误 / the rep promised delivery in three days, no delay',
      promiseId: promise.id,
      reporter,
    },
    'support_agent',
  );
  expect((broken.findings as string[]).length === 1, 'the promise complaint raises a compliance finding against the seller (CMP-10)');
  // The finding is raised after the complaint is filed: the view waits for the log's head.
  const raised = (await s.system.eventStore.headPosition()) ?? broken.position;
  const finding = await s.view(`/views/compliance/findings/${(broken.findings as string[])[0]}`, raised, 'compliance_officer');
  expect(finding.ruleId === 'CMP-10' && finding.sellerId === 'dev-sales-rep', 'CMP-10 names the seller who made the promise');

  s.say('客服受理并在首次响应时限内答复两位客户', 'The desk takes both and gives each its first response within the target');
  s.clock.advanceMinutes(30);
  for (const complaint of [late, broken]) {
    await s.command(`/complaints/${complaint.id}/assign`, { assigneeId: 'dev-support-agent' }, 'support_agent');
    await s.command(`/complaints/${complaint.id}/respond`, { note: '已收到，正在核查物流 / received, checking with logistics' }, 'support_agent');
  }

  s.say('交付投诉需要客户提供签收单：等待客户期间时钟暂停', 'The delivery complaint needs the signed delivery note from the customer: its clocks stand while the desk waits');
  s.clock.advanceMinutes(30);
  const waiting = await s.command(`/complaints/${late.id}/request-info`, { note: '请提供签收单 / please send the signed delivery note' }, 'support_agent');
  const paused = await s.view(`/views/complaints/${late.id}`, waiting.position, 'support_agent');
  expect(paused.clocks.resolution.state === 'paused' && paused.clocks.resolution.dueAt === null, 'the resolution clock stands, with no due time');

  const promiseComplaint = await s.view(`/views/complaints/${broken.id}`, waiting.position, 'support_agent');
  s.say('承诺投诉的解决时限已过：截止监控记录超时并按升级阶梯自动升级', "The promise complaint's resolution target passes: the deadline watcher records the breach and escalates it up the ladder by itself");
  s.clock.advanceTo(promiseComplaint.clocks.resolution.dueAt);
  s.clock.advanceMinutes(1);
  for (const { deadline, outcome, events } of await s.system.deadlines.tick()) {
    s.show(`截止监控 / deadline watcher: ${deadline.kind} ${deadline.streamId} -> ${outcome} ${(events ?? []).join(', ')}`);
  }
  const head = (await s.system.eventStore.headPosition()) ?? 0;
  const escalated = await s.view(`/views/complaints/${broken.id}`, head, 'support_agent');
  expect(escalated.clocks.resolution.breached === true && escalated.escalationLevel === 2 && escalated.escalatedTo === 'admin', 'breached, and escalated to level 2 (admin) as the ladder says');
  s.show(`升级 / escalated: level ${escalated.escalationLevel} (${escalated.escalatedTo}); resolution clock ${escalated.clocks.resolution.elapsedMinutes} of ${escalated.clocks.resolution.targetMinutes} min`);
  const stillPaused = await s.view(`/views/complaints/${late.id}`, head, 'support_agent');
  s.show(`暂停中 / paused: resolution clock ${stillPaused.clocks.resolution.elapsedMinutes} of ${stillPaused.clocks.resolution.targetMinutes} min, ${stillPaused.clocks.resolution.state}`);
  expect(stillPaused.breached === false && stillPaused.clocks.resolution.state === 'paused', 'the complaint waiting on the customer has not breached: paused time does not count');

  s.say('客服提出 8,000 元退款：超出客服权限，被拒绝；经理在其权限内提出', "The agent offers an 8,000.00 CNY refund: beyond the agent's authority, refused; the manager offers it within theirs");
  const refund = { resolution: '退还延误赔偿 / refund for the delay', remedy: { kind: 'refund', amount: cny(800_000) } };
  const beyond = await s.refused(`/complaints/${broken.id}/propose`, refund, 'support_agent', 422);
  expect(beyond.rule?.id === 'CPL-13', 'the refusal names CPL-13, the remedy authority');
  await s.command(`/complaints/${broken.id}/propose`, refund, 'sales_manager');

  s.say('客户发来签收单，时钟恢复；客服以 2,000 元服务抵扣解决交付投诉', 'The customer sends the delivery note and the clocks run again; the agent resolves the delivery complaint with a 2,000.00 CNY service credit');
  await s.command(`/complaints/${late.id}/info-received`, { note: '签收单显示晚到七天 / the note shows seven days late' }, 'support_agent');
  await s.command(`/complaints/${late.id}/propose`, { resolution: '服务抵扣 / service credit', remedy: { kind: 'service_credit', amount: cny(200_000) } }, 'support_agent');
  await s.command(`/complaints/${late.id}/resolve`, { resolution: '已给予两千元服务抵扣 / 2,000.00 CNY service credit given', upheld: true }, 'support_agent');

  s.say('经理认定承诺未兑现并解决承诺投诉：该承诺随即被标记为未兑现', 'The manager upholds the promise complaint and resolves it: the promise is marked broken at once');
  await s.command(`/complaints/${broken.id}/resolve`, { resolution: '承诺未兑现，已退款 / the promise was not kept; refunded', upheld: true }, 'sales_manager');
  const promiseEvents = await s.system.eventStore.readStream(promise.streamId);
  expect(promiseEvents.some((e) => e.type === 'PromiseBroken' && (e.data as { complaintId?: string }).complaintId === broken.id), 'the promise is broken, naming the complaint');

  s.say('被投诉的销售代表及其经理都不能关闭承诺投诉；由客服关闭', 'The seller the promise complaint is about cannot close it, nor can their manager; the desk closes it');
  const sellerCloses = await s.refused(`/complaints/${broken.id}/close`, {}, 'sales_rep', 422);
  expect(sellerCloses.rule?.id === 'CPL-15', 'the refusal names CPL-15');
  const managerCloses = await s.refused(`/complaints/${broken.id}/close`, {}, 'sales_manager', 422);
  expect(managerCloses.rule?.id === 'CPL-15', "the seller's manager is refused too");
  for (const complaint of [broken, late]) await s.command(`/complaints/${complaint.id}/close`, {}, 'support_agent');

  s.say('客户为两次处理打分', 'The customer rates how both were handled');
  await s.command(`/complaints/${late.id}/rate`, { csat: 4, nps: 8, comment: '处理及时 / handled promptly' }, 'support_agent');
  const rated = await s.command(`/complaints/${broken.id}/rate`, { csat: 3, nps: 5, comment: '希望不再发生 / do not let it happen again' }, 'support_agent');

  s.say('服务水平报表与客户 360 视图', 'The SLA report and the customer 360');
  const sla: Json = await s.view(`/views/complaints/sla?from=${filedOn}&to=${addDays(filedOn, 1)}&groupBy=category`, rated.position, 'analyst');
  expect(sla.total.complaints === 2 && sla.total.resolution.breached === 1 && sla.total.csat.average === 3.5, 'two complaints, one resolution breach, satisfaction 3.5 on average');
  expect(sla.groups.map((g: { key: string }) => g.key).join(',') === 'delivery,false_promise', 'grouped by category');
  const profile: Json = await s.view(`/views/customers/${customer.id}`, rated.position, 'support_agent');
  expect(profile.complaints.length === 2 && profile.complaints.every((c: { status: string; rating: number | null }) => c.status === 'closed' && c.rating !== null), 'the customer 360 lists both complaints, closed and rated');
  expect(profile.findings.some((f: { ruleId: string }) => f.ruleId === 'CMP-10'), 'and the CMP-10 finding');

  s.say('审计员回放该客户的全部记录并验证哈希链', "The auditor replays the customer's dealings and verifies every chain");
  const history = await s.request('GET', `/audit/customers/${customer.id}/history?after=${rated.position}`, { role: 'auditor' });
  const streams: string[] = history.body.streams;
  expect(streams.includes(late.streamId) && streams.includes(broken.streamId) && streams.includes(promise.streamId), 'the history holds both complaints and the promise');
  const verify = await s.request('GET', `/audit/customers/${customer.id}/verify?after=${rated.position}`, { role: 'auditor' });
  expect(verify.body.intact === true, 'every stream tied to the customer is intact');
  return { customerId: customer.id };
};
