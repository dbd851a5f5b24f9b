import { addDays, companyDay } from '../domain/shared/calendar.js';
import { cny, FIREWALL } from './catalog.js';
import { expect, type Answer, type Scenario } from './harness.js';

/** A promise statement carrying markup: the console must show it as the words it is, never run it. */
export const MARKUP_STATEMENT = '<img src=x onerror="document.title=\'XSS\'">我们保证100%防护，绝对安全。';

/** How many days before now the demo history starts, so every period picker of the console reaches it. */
export const DEMO_DAYS = 60;

const DEALS = [
  { title: '总行下一代防火墙 / HQ next-generation firewalls', ownerId: 'dev-sales-rep', minor: 3_600_000_00, stages: ['discovery', 'proposal'] },
  { title: '分行 SD-WAN 改造 / branch SD-WAN refit', ownerId: 'dev-sales-rep', minor: 1_250_000_00, stages: ['discovery'] },
  { title: '7x24 安全运营服务 / 24x7 SOC service', ownerId: 'rep-li', minor: 2_400_000_00, stages: ['discovery', 'proposal', 'negotiation'] },
  { title: '数据防泄漏 / data loss prevention', ownerId: 'rep-li', minor: 880_000_00, stages: [] },
  { title: '等保测评咨询 / MLPS assessment advisory', ownerId: 'dev-sales-rep', minor: 450_000_00, stages: ['discovery', 'proposal'] },
  { title: '零信任接入 / zero-trust access', ownerId: 'rep-li', minor: 1_980_000_00, stages: ['discovery', 'proposal', 'negotiation'] },
  { title: '终端检测与响应 / endpoint detection and response', ownerId: 'dev-sales-rep', minor: 760_000_00, stages: [] },
] as const;

export type ConsoleDemo = {
  /** The bank whose dealings the auditor replays: deals, promises and findings over weeks. */
  customerId: string;
  /** A moment after its first promises and before its last one. */
  beforeLastPromise: string;
  lastPromiseStream: string;
  /** An opportunity stream of that customer whose revision 1 (its first stage change) the tamper test edits. */
  tamperedStream: string;
  /** The CMP-01 finding raised on the promise that carries markup. */
  markupFindingId: string;
  /** How many open deals stand in the proposal stage. */
  proposalDeals: number;
};

/**
 * A quarter of a security vendor's selling for the console to show: a manager and two reps on the
 * roster, three customers, deals across the stages, honest and false promises (one with markup in
 * it), findings answered and waived, complaints answered, spread over weeks so the charts and the
 * replay have something to show. Every write goes through the HTTP API.
 */
export const consoleDemo = async (s: Scenario): Promise<ConsoleDemo> => {
  const later = (days: number) => s.clock.advanceDays(days);
  const dueIn = (days: number) => addDays(companyDay(s.clock.now()), days);

  s.say('名册、产品与认证', 'The roster, the product and the certification');
  await s.command('/reps', { actorId: 'dev-sales-manager', name: '李强', team: 'east', role: 'sales_manager' }, 'admin');
  await s.command('/reps', { actorId: 'dev-support-agent', name: '陈静', team: 'service desk', role: 'support_agent' }, 'admin');
  await s.command('/reps', { actorId: 'dev-sales-rep', name: '张伟', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, 'sales_manager');
  await s.command('/reps', { actorId: 'rep-li', name: '李娜', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, 'sales_manager');
  await s.command('/products', FIREWALL, 'sales_manager');
  await s.command('/reps/dev-sales-rep/training', { course: 'FW-100 certified seller', passedAt: s.clock.now(), certifies: ['FW-100'], expiresAt: `${dueIn(365)}T00:00:00Z` }, 'sales_manager');

  s.say('三家客户与七个商机', 'Three customers and seven deals');
  const bank = await s.command('/customers', { name: '华东银行', industry: 'finance', region: 'east' });
  const energy = await s.command('/customers', { name: '西部能源集团', industry: 'energy', region: 'west' });
  const grid = await s.command('/customers', { name: '南方电网科技', industry: 'utilities', region: 'south' });
  const customers = [bank, energy, grid];
  const deals: Answer[] = [];
  for (const [index, deal] of DEALS.entries()) {
    later(2);
    const role = deal.ownerId === 'dev-sales-rep' ? 'sales_rep' : 'sales_manager';
    const opened = await s.command('/opportunities', { customerId: customers[index % 3]!.id, title: deal.title, ownerId: deal.ownerId, amount: cny(deal.minor) }, role);
    for (const stage of deal.stages) await s.command(`/opportunities/${opened.id}/stage`, { stage }, role);
    deals.push(opened);
  }
  const won = await s.command('/opportunities', { customerId: energy.id, title: '防火墙续保 / firewall renewal', ownerId: 'rep-li', amount: cny(320_000_00) }, 'sales_manager');
  await s.command(`/opportunities/${won.id}/win`, {}, 'sales_manager');

  s.say('承诺：一个诚实的，三个越界的（其中一个带有标记）', 'Promises: one honest, three that overstep (one carrying markup)');
  const promise = (body: Record<string, unknown>) => s.command('/promises', { customerId: bank.id, sku: 'FW-100', dueDate: dueIn(60), ...body }) as Promise<Answer & { findings: string[] }>;
  later(6);
  await promise({ kind: 'sla', statement: 'We commit to 99.9% availability and a 4-hour response for FW-100.', committed: { availabilityPct: 99.9, responseHours: 4 } });
  later(9);
  const absolute = await promise({ kind: 'capability', statement: '我们的防火墙保证１００％ 防护，绝对安全。', committed: { capability: 'threat inspection' } });
  later(5);
  const beyondSla = await promise({ kind: 'sla', statement: 'FW-100 will be up 99.999% of the time.', committed: { availabilityPct: 99.999 } });
  expect(absolute.findings.length > 0 && beyondSla.findings.length > 0, 'the false promises raised findings');

  s.say('整改与豁免', 'Findings answered, remediated and waived');
  later(1);
  await s.command(`/compliance/findings/${absolute.findings[0]}/acknowledge`, { reason: '已与客户澄清 / clarified with the customer' }, 'sales_rep');
  later(1);
  await s.command(`/compliance/findings/${absolute.findings[0]}/remediate`, { evidence: '书面更正已发送 / written correction sent' }, 'sales_rep');
  await s.command(`/compliance/findings/${beyondSla.findings[0]}/acknowledge`, {}, 'sales_manager');
  later(2);
  await s.command(`/compliance/findings/${beyondSla.findings[0]}/waive`, { reason: '合同已写明 99.9% / the contract states 99.9%' }, 'compliance_officer');

  s.say('投诉：客服受理并答复', 'Complaints filed and answered by the service desk');
  for (const [customer, category, summary] of [
    [energy, 'delivery', '交付延误两天 / delivery two days late'],
    [grid, 'service', '工单响应慢 / slow ticket response'],
  ] as const) {
    later(3);
    const complaint = await s.command('/complaints', { customerId: customer.id, channel: 'phone', category, severity: 'high', summary }, 'support_agent');
    s.clock.advanceMinutes(45);
    await s.command(`/complaints/${complaint.id}/assign`, { assigneeId: 'dev-support-agent' }, 'support_agent');
    await s.command(`/complaints/${complaint.id}/respond`, { note: '已受理，正在处理 / received, on it' }, 'support_agent');
  }

  s.say('最后一个承诺带有标记：它被原样记录，并被 CMP-01 标记', 'The last promise carries markup: recorded as said, and flagged by CMP-01');
  later(4);
  const beforeLastPromise = s.clock.now();
  later(1);
  const markup = await promise({ kind: 'capability', statement: MARKUP_STATEMENT, committed: { capability: 'threat inspection' } });
  expect(markup.findings.length > 0, 'the markup promise raised a finding');
  const head = (await s.system.eventStore.headPosition()) ?? markup.position;
  const markupFinding = await s.view(`/views/compliance/findings/${markup.findings[0]}`, head, 'compliance_officer');
  expect(markupFinding.ruleId === 'CMP-01', 'CMP-01 judged the markup promise');

  const bankDeal = deals.find((_, index) => index % 3 === 0 && DEALS[index]!.stages.length > 0)!;
  return {
    customerId: bank.id,
    beforeLastPromise,
    lastPromiseStream: markup.streamId,
    tamperedStream: bankDeal.streamId,
    markupFindingId: markup.findings[0]!,
    proposalDeals: DEALS.filter((deal) => deal.stages.at(-1) === 'proposal').length,
  };
};
