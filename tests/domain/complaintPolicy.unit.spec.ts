import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPLAINT_SERVICE_LEVELS, serviceLevelProblems, type ComplaintServiceLevels } from '../../domain/complaint/serviceLevels.js';
import { complaintAboutPromise, type ComplaintFiledData } from '../../domain/compliance/rules.js';
import { complianceRules } from '../../domain/compliance/ruleCatalogue.js';
import {
  contentProblems,
  DEFAULT_POLICY,
  policyDecider,
  policyEventSchemas,
  policyInForce,
  policyRules,
  PublishPolicyRevisionInput,
  type PolicyEvent,
  type PolicyRevision,
  type PublishPolicyRevision,
} from '../../domain/policy/policy.js';
import { promiseDecider, promiseRules, type PromiseEvent } from '../../domain/promise/promise.js';
import { repDecider, repRules } from '../../domain/team/rep.js';
import { deciderSpecification, defaultContext } from '../support/deciderSpecification.js';

const now = defaultContext.now;
const nextYear = '2027-01-01T00:00:00.000Z';
const compliance = { actor: { id: 'co-1', role: 'compliance_officer' } };
const planningHorizon = { days: 366, endsAt: '2027-11-28T09:00:00.000Z' };
const policySpec = deciderSpecification(policyDecider, { ...defaultContext, ...compliance, planningHorizon });

const publish = (changes: Partial<PublishPolicyRevision> = {}): PublishPolicyRevision => ({ type: 'PublishPolicyRevision', effectiveFrom: nextYear, ...DEFAULT_POLICY, ...changes });
const withService = (changes: Partial<ComplaintServiceLevels>) => publish({ complaintService: { ...DEFAULT_COMPLAINT_SERVICE_LEVELS, ...changes } });

/** Revision 1 as stores written before complaints hold it: no complaint service levels, no CMP-10. */
const { complaintService: _none, rules: { [complianceRules.promisesNotComplainedOf.id]: _cmp10, ...rulesBefore }, ...contentBefore } = DEFAULT_POLICY;
const storedBefore: PolicyRevision = { revision: 1, effectiveFrom: now, ...contentBefore, rules: rulesBefore, publishedBy: 'system' };

describe('the complaint service levels in the policy', () => {
  it('are part of the embedded default, with CMP-10 flagged as high', () => {
    expect(contentProblems(DEFAULT_POLICY)).toEqual([]);
    expect(DEFAULT_POLICY.complaintService).toEqual(DEFAULT_COMPLAINT_SERVICE_LEVELS);
    expect(DEFAULT_POLICY.rules['CMP-10']).toEqual({ action: 'flag', severity: 'high' });
    expect(DEFAULT_COMPLAINT_SERVICE_LEVELS.targets.critical).toEqual({ firstResponseMinutes: 30, resolutionMinutes: 480, businessHours: false });
  });

  it('publishes a revision that sets them', () =>
    policySpec
      .given([])
      .when(withService({ reopenWindowDays: 30 }))
      .then([{ type: 'PolicyRevisionPublished', data: { revision: 1, effectiveFrom: nextYear, ...DEFAULT_POLICY, complaintService: { ...DEFAULT_COMPLAINT_SERVICE_LEVELS, reopenWindowDays: 30 }, publishedBy: 'co-1' } }]));

  it('keeps those of the revision before when a publication leaves them out', () => {
    const reopenIn30 = { ...DEFAULT_COMPLAINT_SERVICE_LEVELS, reopenWindowDays: 30 };
    const before: PolicyEvent = { type: 'PolicyRevisionPublished', data: { revision: 1, effectiveFrom: now, ...DEFAULT_POLICY, complaintService: reopenIn30, publishedBy: 'co-1' } };
    const { complaintService: _dropped, ...withoutService } = publish();
    policySpec
      .given([before])
      .when(withoutService)
      .then([{ type: 'PolicyRevisionPublished', data: { revision: 2, effectiveFrom: nextYear, ...DEFAULT_POLICY, complaintService: reopenIn30, publishedBy: 'co-1' } }]);
  });

  it(`refuses a revision without them when none before has them to keep, or with a first response due after the resolution (${policyRules.complaintServiceSet.id})`, () => {
    const { complaintService: _dropped, ...withoutService } = publish();
    policySpec.given([]).when(withoutService).thenRefuses(policyRules.complaintServiceSet, /Set the complaint service levels/);
    policySpec.given([{ type: 'PolicyRevisionPublished', data: storedBefore }]).when(withoutService).thenRefuses(policyRules.complaintServiceSet, /no revision before this one has them/);
    const targets = { ...DEFAULT_COMPLAINT_SERVICE_LEVELS.targets, low: { firstResponseMinutes: 600, resolutionMinutes: 60, businessHours: true } };
    policySpec.given([]).when(withService({ targets })).thenRefuses(policyRules.complaintServiceSet, /low complaint's first response is due after its resolution/);
  });

  it(`refuses calendars without a default, without working time, with hours out of order or a day both holiday and working (${policyRules.complaintServiceSet.id})`, () => {
    const desk = DEFAULT_COMPLAINT_SERVICE_LEVELS.calendars.default!;
    const problems = (calendars: ComplaintServiceLevels['calendars']) => serviceLevelProblems({ ...DEFAULT_COMPLAINT_SERVICE_LEVELS, calendars }).map((p) => p.detail);
    expect(problems({ east: desk })).toEqual(expect.arrayContaining([expect.stringMatching(/Give a default calendar/)]));
    expect(problems({ default: { ...desk, weekdays: [] } })).toEqual([expect.stringMatching(/no working time/)]);
    expect(problems({ default: { ...desk, weekdays: [1, 1, 2] } })).toEqual([expect.stringMatching(/names a weekday twice/)]);
    expect(problems({ default: { ...desk, hours: [{ from: '13:00', to: '12:00' }] } })).toEqual([expect.stringMatching(/end before they begin/)]);
    expect(problems({ default: { ...desk, hours: [{ from: '13:00', to: '18:00' }, { from: '09:00', to: '12:00' }] } })).toEqual([expect.stringMatching(/overlap or precede/)]);
    expect(problems({ default: { ...desk, holidays: ['2026-10-10'], workingDays: ['2026-10-10'] } })).toEqual([expect.stringMatching(/both as a holiday and as a working day/)]);
    policySpec.given([]).when(withService({ calendars: { default: { ...desk, weekdays: [] } } })).thenRefuses(policyRules.complaintServiceSet, /no working time/);
  });

  it(`refuses a ladder that skips a level or takes over twice on one clock, and a negative remedy authority (${policyRules.complaintServiceSet.id})`, () => {
    policySpec.given([]).when(withService({ escalation: [{ level: 2, role: 'admin' }] })).thenRefuses(policyRules.complaintServiceSet, /climbs 1, 2, 3/);
    policySpec
      .given([])
      .when(withService({ escalation: [{ level: 1, role: 'sales_manager', onBreachOf: 'resolution' }, { level: 2, role: 'admin', onBreachOf: 'resolution' }] }))
      .thenRefuses(policyRules.complaintServiceSet, /Both level 1 and level 2/);
    policySpec
      .given([])
      .when(withService({ remedyAuthority: { support_agent: { minor: -1, currency: 'CNY' } } }))
      .thenRefuses(policyRules.complaintServiceSet, /negative/);
  });

  it('takes them in the body of a publication, if given, checked field by field', () => {
    const body = { effectiveFrom: nextYear, ...DEFAULT_POLICY };
    expect(PublishPolicyRevisionInput.safeParse(body).success).toBe(true);
    const { complaintService: _dropped, ...without } = body;
    expect(PublishPolicyRevisionInput.safeParse(without).success).toBe(true);
    const badHours = { ...DEFAULT_COMPLAINT_SERVICE_LEVELS, calendars: { default: { ...DEFAULT_COMPLAINT_SERVICE_LEVELS.calendars.default!, hours: [{ from: '9am', to: '18:00' }] } } };
    expect(PublishPolicyRevisionInput.safeParse({ ...body, complaintService: badHours }).error?.issues[0]?.path).toEqual(['complaintService', 'calendars', 'default', 'hours', 0, 'from']);
    const missingSeverity = { ...DEFAULT_COMPLAINT_SERVICE_LEVELS, targets: { high: DEFAULT_COMPLAINT_SERVICE_LEVELS.targets.high } };
    expect(PublishPolicyRevisionInput.safeParse({ ...body, complaintService: missingSeverity }).success).toBe(false);
  });

  it('replays a revision stored before complaints, without the section or CMP-10, as before', () => {
    expect(policyEventSchemas.PolicyRevisionPublished.parse(storedBefore)).toEqual(storedBefore);
    const stored: PolicyEvent = { type: 'PolicyRevisionPublished', data: storedBefore };
    const state = [stored].reduce(policyDecider.evolve, policyDecider.initialState());
    expect(policyInForce(state.revisions, nextYear)?.complaintService).toBeUndefined();
    policySpec.given([stored]).when(publish()).then([{ type: 'PolicyRevisionPublished', data: { revision: 2, effectiveFrom: nextYear, ...DEFAULT_POLICY, publishedBy: 'co-1' } }]);
  });
});

describe('CMP-10: a customer complains of a promise', () => {
  const policy: PolicyRevision = { revision: 3, effectiveFrom: now, publishedBy: 'co-1', ...DEFAULT_POLICY };
  const complaint = {
    complaintId: 'k1',
    customerId: 'c1',
    category: 'delivery',
    summary: 'the firewalls came late',
    sellerId: 'rep-1',
  } as ComplaintFiledData;

  it('flags a complaint about a recorded promise, or of a false promise, against its seller, under the revision it runs under', () => {
    expect(complaintAboutPromise({ ...complaint, promiseId: 'p1' }, { policy })).toEqual({
      rule: complianceRules.promisesNotComplainedOf,
      severity: 'high',
      action: 'flag',
      detail: 'The customer complains (delivery) about promise p1 made by rep-1: the firewalls came late',
      policyRevision: 3,
    });
    expect(complaintAboutPromise({ ...complaint, category: 'false_promise', opportunityId: 'o1' }, { policy })?.detail).toMatch(/about a promise made by rep-1/);
  });

  it('flags nothing for a complaint about no promise, nor under a revision that does not set CMP-10', () => {
    expect(complaintAboutPromise(complaint, { policy })).toBeUndefined();
    expect(complaintAboutPromise({ ...complaint, promiseId: 'p1' }, { policy: { ...storedBefore, revision: 1 } })).toBeUndefined();
  });
});

describe('PRM-14: a promise broken by an upheld complaint', () => {
  const spec = deciderSpecification(promiseDecider, { ...defaultContext, actor: { id: 'complaint-follow-ups', role: 'system' }, owner: undefined, seller: undefined });
  const recorded: PromiseEvent = {
    type: 'PromiseRecorded',
    data: { promiseId: 'p1', customerId: 'c1', kind: 'delivery', statement: 'Delivered by the 15th', committed: { deliveryDate: '2026-12-15' }, dueDate: '2026-12-15', madeBy: 'rep-1', recordedAt: now },
  };
  const breakIt = { type: 'BreakPromiseOnComplaint' as const, complaintId: 'k1', reason: 'Complaint k1 was upheld: delivered three weeks late' };

  it('is marked broken when a complaint about it was upheld, naming the complaint, whoever runs the follow-up', () =>
    spec
      .given([recorded])
      .when(breakIt, { complaint: { promiseId: 'p1', upheld: true } })
      .then([{ type: 'PromiseBroken', data: { promiseId: 'p1', customerId: 'c1', reason: breakIt.reason, complaintId: 'k1' } }]));

  it(`is not marked broken by a complaint about another promise, or not upheld, or never filed (${promiseRules.brokenByUpheldComplaint.id})`, () => {
    spec.given([recorded]).when(breakIt, { complaint: { promiseId: 'p2', upheld: true } }).thenRefuses(promiseRules.brokenByUpheldComplaint, /not about promise p1/);
    spec.given([recorded]).when(breakIt, { complaint: { promiseId: 'p1', upheld: false } }).thenRefuses(promiseRules.brokenByUpheldComplaint, /not upheld/);
    spec.given([recorded]).when(breakIt).thenRefuses(promiseRules.brokenByUpheldComplaint);
  });

  it(`keeps a promise's one outcome: one already fulfilled stays fulfilled (${promiseRules.oneOutcome.id})`, () =>
    spec
      .given([recorded, { type: 'PromiseFulfilled', data: { promiseId: 'p1', customerId: 'c1', evidence: 'delivery note' } }])
      .when(breakIt, { complaint: { promiseId: 'p1', upheld: true } })
      .thenRefuses(promiseRules.oneOutcome));
});

describe('support agents on the roster', () => {
  const spec = deciderSpecification(repDecider);
  const hire = { type: 'HireRep' as const, actorId: 'agent-1', name: '客服 小陈', team: 'service desk', role: 'support_agent' };
  const admin = { actor: { id: 'dev-admin', role: 'admin' } };

  it('are hired by an admin, so complaints can be assigned to them', () =>
    spec.given([]).when(hire, admin).then([{ type: 'RepHired', data: { actorId: 'agent-1', name: '客服 小陈', team: 'service desk', role: 'support_agent' } }]));

  it(`are not hired by a sales manager, who stands above sales reps only (${repRules.bySomeoneAbove.id})`, () =>
    spec.given([]).when(hire, { actor: { id: 'mgr-1', role: 'sales_manager' } }).thenRefuses(repRules.bySomeoneAbove, /cannot hire a support_agent/));

  it(`still leave the roster to the roles it holds (${repRules.salesRolesOnly.id})`, () =>
    spec.given([]).when({ ...hire, role: 'finance' }, admin).thenRefuses(repRules.salesRolesOnly, /roster holds sales_rep, sales_manager, support_agent/));
});
