import { DEFAULT_POLICY } from '../domain/policy/policy.js';
import { FIREWALL } from './catalog.js';
import { expect, type Answer, type Scenario } from './harness.js';

const day = (iso: string, plusDays: number) => new Date(Date.parse(iso) + plusDays * 86_400_000).toISOString().slice(0, 10);

/**
 * Issue 4's walkthrough: a policy published, a rep certified, one honest promise and
 * four false ones, the findings and the report, a proper and an improper waiver, a
 * promise gone overdue, the customer replayed as of a moment before the last promise,
 * the chain verified, and a promise re-checked under an older policy revision.
 */
export const complianceTrail = async (s: Scenario) => {
  s.say('Revision 1 of the policy was published at start-up; the compliance officer publishes revision 2, which also bans 军工级 ("military-grade")');
  const revision2 = await s.command(
    '/policy/revisions',
    {
      ...DEFAULT_POLICY,
      effectiveFrom: s.clock.now(),
      changeNote: 'Ban "military-grade" claims after a customer complaint',
      bannedClaims: { ...DEFAULT_POLICY.bannedClaims, phrases: [...DEFAULT_POLICY.bannedClaims.phrases, '军工级'] },
    },
    'compliance_officer',
  );
  expect(revision2.policyRevision === 2, 'the new revision is number 2');

  s.say('The catalog lists what FW-100 does and the SLA it can carry');
  await s.command('/products', FIREWALL, 'sales_manager');

  s.say('An admin puts the manager on the roster; the manager hires the rep and records the training that certifies them on FW-100');
  await s.command('/reps', { actorId: 'dev-sales-manager', name: '李强', team: 'east', role: 'sales_manager' }, 'admin');
  await s.command('/reps', { actorId: 'dev-sales-rep', name: '张伟', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, 'sales_manager');
  await s.command(
    '/reps/dev-sales-rep/training',
    { course: 'FW-100 certified seller', passedAt: s.clock.now(), certifies: ['FW-100'], expiresAt: `${day(s.clock.now(), 365)}T00:00:00Z` },
    'sales_manager',
  );

  const customer = await s.command('/customers', { name: '华东银行', industry: 'finance', region: 'east' });
  const promise = (body: Record<string, unknown>) =>
    s.command('/promises', { customerId: customer.id, sku: 'FW-100', dueDate: day(s.clock.now(), 30), ...body }) as Promise<Answer & { findings: string[] }>;

  s.say('An honest promise, within what the catalog says: no finding');
  const honest = await promise({
    kind: 'sla',
    statement: 'We commit to 99.9% availability and a 4-hour response for FW-100.',
    committed: { availabilityPct: 99.9, responseHours: 4 },
    dueDate: day(s.clock.now(), 7),
  });
  expect(honest.findings.length === 0, 'an honest promise raises nothing');

  s.say('Three false promises of different kinds, each recorded (it was said) and flagged');
  const absolute = await promise({
    kind: 'capability',
    statement: '我们的防火墙保证１００％ 防护，绝对安全。',
    committed: { capability: 'threat inspection' },
  });
  const beyondSla = await promise({ kind: 'sla', statement: 'FW-100 will be up 99.999% of the time.', committed: { availabilityPct: 99.999 } });
  const notInCatalog = await promise({ kind: 'capability', statement: 'FW-100 also does quantum-safe encryption.', committed: { capability: 'quantum-safe encryption' } });
  expect(absolute.findings.length > 0 && beyondSla.findings.length > 0 && notInCatalog.findings.length > 0, 'each false promise raised a finding');

  s.say('Before the last promise: remember this moment for the replay');
  const beforeLastPromise = s.clock.now();
  s.clock.advanceDays(1);
  const militaryGrade = await promise({ kind: 'capability', statement: '军工级防护，适合银行核心网。', committed: { capability: 'threat inspection' } });
  expect(militaryGrade.findings.length === 1, 'revision 2 flags the military-grade claim');

  s.say('The findings and the inspection report');
  const findings = await s.view(`/views/compliance/findings?customerId=${customer.id}`, militaryGrade.position, 'compliance_officer');
  const rules = findings.items.map((f: { ruleId: string }) => f.ruleId).sort();
  expect(['CMP-01', 'CMP-02', 'CMP-03'].every((rule) => rules.includes(rule)), `findings name CMP-01, CMP-02 and CMP-03 (got ${rules.join(', ')})`);
  const to = `${day(s.clock.now(), 1)}T00:00:00Z`;
  const report = await s.view(`/views/compliance/report?from=2000-01-01T00:00:00Z&to=${to}`, militaryGrade.position, 'compliance_officer');
  expect(report.total >= 4, 'the report counts the findings');

  s.say("An improper waiver: the seller's manager tries to waive the SLA finding (refused), then the compliance officer does it properly");
  const slaFinding = beyondSla.findings[0]!;
  await s.command(`/compliance/findings/${slaFinding}/acknowledge`, { reason: 'seen; the customer was told the real SLA' }, 'sales_rep');
  const improper = await s.refused(`/compliance/findings/${slaFinding}/waive`, { reason: 'my team, my call' }, 'sales_manager', 403);
  expect(improper.rule?.id === 'FND-09', 'the refusal names the segregation rule FND-09');
  await s.command(`/compliance/findings/${slaFinding}/waive`, { reason: 'written correction sent to the customer the same day' }, 'compliance_officer');

  s.say('Eight days pass; the honest promise was never fulfilled: the deadline watcher marks it overdue and raises CMP-09');
  s.clock.advanceDays(8);
  await s.system.deadlines.tick();
  const overdue = await s.system.eventStore.readStream(honest.streamId);
  expect(overdue.some((e) => e.type === 'PromiseWentOverdue'), 'the promise went overdue');
  const head = (await s.system.eventStore.headPosition()) ?? 0;
  const overdueFindings = await s.view(`/views/compliance/findings?customerId=${customer.id}&ruleId=CMP-09`, head, 'compliance_officer');
  expect(overdueFindings.items.length === 1, 'one overdue finding, raised once');

  s.say('The auditor replays the customer as of a moment before the last promise, then verifies every chain');
  const replay = await s.request('GET', `/audit/customers/${customer.id}/history?asOf=${beforeLastPromise}&after=${head}`, { role: 'auditor' });
  const promisesThen = new Set(replay.body.events.filter((e: { streamId: string }) => e.streamId.startsWith('promise-')).map((e: { streamId: string }) => e.streamId));
  expect(promisesThen.size === 4 && !promisesThen.has(militaryGrade.streamId), 'four promises then, not the fifth');
  const verify = await s.request('GET', `/audit/customers/${customer.id}/verify?after=${head}`, { role: 'auditor' });
  expect(verify.body.intact === true, 'every stream tied to the customer is intact');

  s.say('What-if: the military-grade promise re-checked under revision 1, which did not ban the phrase');
  const underRevision1 = await s.request('POST', '/audit/recheck', { role: 'auditor', body: { promiseId: militaryGrade.id, policyRevision: 1 } });
  const underRevision2 = await s.request('POST', '/audit/recheck', { role: 'auditor', body: { promiseId: militaryGrade.id, policyRevision: 2 } });
  expect(underRevision1.body.violations.length === 0, 'clean under revision 1');
  expect(underRevision2.body.violations[0]?.rule?.id === 'CMP-01', 'CMP-01 under revision 2');
  return { customerId: customer.id };
};
