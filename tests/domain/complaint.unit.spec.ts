import { describe, expect, it } from 'vitest';
import {
  complaintAggregate,
  complaintDecider,
  complaintRules,
  type ComplaintEvent,
  type FileComplaint,
} from '../../domain/complaint/complaint.js';
import { DEFAULT_COMPLAINT_SERVICE_LEVELS, type ComplaintServiceLevels } from '../../domain/complaint/serviceLevels.js';
import { deciderSpecification } from '../support/deciderSpecification.js';

/** Beijing wall-clock time (UTC+8) as the UTC instant the decider records. */
const bj = (local: string) => new Date(`${local}+08:00`).toISOString();
const cny = (yuan: number) => ({ minor: yuan * 100, currency: 'CNY' });

/** Monday to Friday, 09:00-12:00 and 13:00-18:00, no holidays in the weeks these specs run. */
const DESK = {
  weekdays: [1, 2, 3, 4, 5],
  hours: [
    { from: '09:00', to: '12:00' },
    { from: '13:00', to: '18:00' },
  ],
  holidays: [],
  workingDays: [],
};
const SERVICE: ComplaintServiceLevels = { ...DEFAULT_COMPLAINT_SERVICE_LEVELS, calendars: { default: DESK } };

/** Filed on Monday 9 March 2026 at 10:00 in Beijing. */
const FILED_AT = bj('2026-03-09T10:00');
const AGENT = { id: 'agent-1', role: 'support_agent' };
const MANAGER = { id: 'mgr-1', role: 'sales_manager' };
const SELLER = { id: 'rep-1', role: 'sales_rep' };

const context = {
  now: FILED_AT,
  actor: AGENT,
  policyVersion: 3,
  service: SERVICE,
  customer: { region: 'east', personalDataErased: false },
  assignee: { actorId: 'agent-2', role: 'support_agent', active: true },
  seller: { actorId: 'rep-1', role: 'sales_rep', managerId: 'mgr-1', active: true },
};
const spec = deciderSpecification(complaintDecider, context);
const at = (local: string, actor = AGENT) => ({ now: bj(local), actor });

const HIGH = { firstResponseMinutes: 120, resolutionMinutes: 960, businessHours: { calendar: 'default', ...DESK } };

const file: FileComplaint = {
  type: 'FileComplaint',
  complaintId: 'k1',
  customerId: 'c1',
  channel: 'phone',
  category: 'delivery',
  severity: 'high',
  summary: '防火墙晚到两周 / the firewalls arrived two weeks late',
};

const filedData: Record<string, unknown> = {
  complaintId: 'k1',
  customerId: 'c1',
  region: 'east',
  channel: 'phone',
  category: 'delivery',
  severity: 'high',
  summary: file.summary,
  filedBy: 'agent-1',
  filedAt: FILED_AT,
  policyVersion: 3,
  calendar: 'default',
  serviceLevel: HIGH,
  // Two business hours: Monday noon. Sixteen: 2 + 5 on Monday, 8 on Tuesday, 1 on Wednesday.
  due: { firstResponse: bj('2026-03-09T12:00'), resolution: bj('2026-03-11T10:00') },
};
const filed = (data: Record<string, unknown> = {}) => ({ type: 'ComplaintFiled', data: { ...filedData, ...data } }) as ComplaintEvent;
const ids = { complaintId: 'k1', customerId: 'c1' };
const event = (type: ComplaintEvent['type'], data: Record<string, unknown>) => ({ type, data: { ...ids, ...data } }) as ComplaintEvent;

const responded = event('ComplaintResponded', { note: '已致电客户 / called the customer', respondedBy: 'agent-1', respondedAt: bj('2026-03-09T11:00'), clockMinutes: 60, withinTarget: true });
const infoRequested = event('ComplaintInfoRequested', { note: 'which site?', requestedBy: 'agent-1', requestedAt: bj('2026-03-09T11:00'), due: { firstResponse: null, resolution: null } });
/** Resolved on Monday at 16:00: five business hours on the resolution clock. */
const resolved = (data: Record<string, unknown> = {}) =>
  event('ComplaintResolved', { resolution: 'expedited the remaining units', resolvedBy: 'agent-1', resolvedAt: bj('2026-03-09T16:00'), clockMinutes: 300, withinTarget: true, ...data });
const closed = event('ComplaintClosed', { closedBy: 'agent-1', closedAt: bj('2026-03-10T10:00') });
const responseOverdue = event('ComplaintResponseOverdue', { dueAt: bj('2026-03-09T12:00'), targetMinutes: 120 });
const escalated = (level: number, role: string) => event('ComplaintEscalated', { level, role, reason: 'customer called the CEO', escalatedBy: 'mgr-1' });

const falsePromise = { ...file, category: 'false_promise' as const, promiseId: 'p1' };
const falsePromiseFiled = filed({ category: 'false_promise', promiseId: 'p1', sellerId: 'rep-1' });
const promiseFacts = { promise: { customerId: 'c1', madeBy: 'rep-1' } };

describe('Complaint', () => {
  describe('filing', () => {
    it('files the complaint under the revision in force, on the calendar of its region, with when each clock runs out', () =>
      spec.given([]).when(file).then([filed()]));

    it('counts a critical complaint round the clock', () =>
      spec
        .given([])
        .when({ ...file, severity: 'critical' })
        .then([filed({ severity: 'critical', serviceLevel: { firstResponseMinutes: 30, resolutionMinutes: 480 }, due: { firstResponse: bj('2026-03-09T10:30'), resolution: bj('2026-03-09T18:00') } })]));

    it("runs on the region's own calendar where it has one", () => {
      const early = { ...DESK, hours: [{ from: '08:00', to: '17:00' }] };
      spec
        .given([])
        .when(file, { service: { ...SERVICE, calendars: { default: DESK, east: early } } })
        .then([
          filed({
            calendar: 'east',
            serviceLevel: { ...HIGH, businessHours: { calendar: 'east', ...early } },
            due: { firstResponse: bj('2026-03-09T12:00'), resolution: bj('2026-03-10T17:00') },
          }),
        ]);
    });

    it('names the seller it is about: who made the promise, owns the deal, or sold the order', () => {
      spec.given([]).when({ ...file, orderId: 'o1' }, { order: { customerId: 'c1', dealOwnerId: 'rep-2' } }).then([filed({ orderId: 'o1', sellerId: 'rep-2' })]);
      spec.given([]).when(falsePromise, promiseFacts).then([falsePromiseFiled]);
      spec
        .given([])
        .when({ ...file, category: 'conduct', opportunityId: 'op1' }, { opportunity: { customerId: 'c1', ownerId: 'rep-3' } })
        .then([filed({ category: 'conduct', opportunityId: 'op1', sellerId: 'rep-3' })]);
    });

    it('keeps the reporter as given: the application seals it', () =>
      spec
        .given([])
        .when({ ...file, reporter: { name: '王经理', phone: '+86 138 0000 0000' } })
        .then([filed({ reporter: { name: '王经理', phone: '+86 138 0000 0000' } })]));

    it(`refuses to file twice (${complaintRules.filedOnce.id})`, () => spec.given([filed()]).when(file).thenRefuses(complaintRules.filedOnce));

    it(`refuses a complaint that does not say what went wrong, or says too much (${complaintRules.saysWhatWentWrong.id})`, () => {
      spec.given([]).when({ ...file, summary: '   ' }).thenRefuses(complaintRules.saysWhatWentWrong);
      spec.given([]).when({ ...file, summary: '晚'.repeat(501) }).thenRefuses(complaintRules.saysWhatWentWrong, /501 characters/);
      spec.given([]).when({ ...file, detail: '晚'.repeat(4001) }).thenRefuses(complaintRules.saysWhatWentWrong, /4001 characters/);
      spec.given([]).when({ ...file, summary: '晚'.repeat(500) }).then([filed({ summary: '晚'.repeat(500) })]);
    });

    it(`refuses an order, promise or deal of another customer (${complaintRules.customersOwn.id})`, () => {
      spec.given([]).when({ ...file, orderId: 'o9' }, { order: { customerId: 'c9' } }).thenRefuses(complaintRules.customersOwn, /Order o9 belongs to customer c9, not c1/);
      spec.given([]).when(falsePromise, { promise: { customerId: 'c9', madeBy: 'rep-1' } }).thenRefuses(complaintRules.customersOwn, /Promise p1/);
      spec.given([]).when({ ...file, opportunityId: 'op9' }, { opportunity: { customerId: 'c9', ownerId: 'rep-1' } }).thenRefuses(complaintRules.customersOwn);
      spec.given([]).when({ ...file, orderId: 'o8' }).thenRefuses(complaintRules.customersOwn, /is not known/);
    });

    it(`refuses a conduct or false-promise complaint that names no promise, deal or order (${complaintRules.conductNamesWhat.id})`, () => {
      spec.given([]).when({ ...file, category: 'conduct' }).thenRefuses(complaintRules.conductNamesWhat);
      spec.given([]).when({ ...file, category: 'false_promise' }).thenRefuses(complaintRules.conductNamesWhat);
    });

    it(`refuses the reporter's details once the customer's personal data was erased, not the complaint (${complaintRules.noReporterAfterErasure.id})`, () => {
      const erased = { customer: { region: 'east', personalDataErased: true } };
      spec.given([]).when({ ...file, reporter: { name: '王经理' } }, erased).thenRefuses(complaintRules.noReporterAfterErasure);
      spec.given([]).when(file, erased).then([filed()]);
    });
  });

  describe('working it', () => {
    it(`refuses any step on a complaint never filed (${complaintRules.mustBeFiled.id})`, () => {
      spec.given([]).when({ type: 'AssignComplaint', assigneeId: 'agent-2' }).thenRefuses(complaintRules.mustBeFiled);
      spec.given([]).when({ type: 'CloseComplaint' }).thenRefuses(complaintRules.mustBeFiled);
    });

    it(`assigns it to someone active on the roster, and to no one else (${complaintRules.assigneeOnRoster.id})`, () => {
      spec.given([filed()]).when({ type: 'AssignComplaint', assigneeId: 'agent-2' }).then([event('ComplaintAssigned', { assigneeId: 'agent-2', assignedBy: 'agent-1' })]);
      spec.given([filed()]).when({ type: 'AssignComplaint', assigneeId: 'ghost' }, { assignee: undefined }).thenRefuses(complaintRules.assigneeOnRoster, /not on the roster/);
      spec
        .given([filed()])
        .when({ type: 'AssignComplaint', assigneeId: 'agent-2' }, { assignee: { ...context.assignee, active: false } })
        .thenRefuses(complaintRules.assigneeOnRoster, /offboarded/);
    });

    it(`records the first response, the minutes it took and whether that was in time; a second is a note (${complaintRules.firstResponseOnce.id})`, () => {
      spec.given([filed()]).when({ type: 'RespondToComplaint', note: '已致电客户 / called the customer' }, at('2026-03-09T11:00')).then([responded]);
      spec
        .given([filed()])
        .when({ type: 'RespondToComplaint', note: 'sorry for the wait' }, at('2026-03-09T13:30'))
        .then([event('ComplaintResponded', { note: 'sorry for the wait', respondedBy: 'agent-1', respondedAt: bj('2026-03-09T13:30'), clockMinutes: 150, withinTarget: false })]);
      spec.given([filed(), responded]).when({ type: 'RespondToComplaint', note: 'again' }).thenRefuses(complaintRules.firstResponseOnce);
    });

    it(`needs the words of each step (${complaintRules.saysWhatWasDone.id})`, () => {
      spec.given([filed()]).when({ type: 'RespondToComplaint', note: ' ' }).thenRefuses(complaintRules.saysWhatWasDone);
      spec.given([filed()]).when({ type: 'AddComplaintNote', note: '', internal: true }).thenRefuses(complaintRules.saysWhatWasDone);
      spec.given([filed()]).when({ type: 'ProposeComplaintResolution', resolution: ' ' }).thenRefuses(complaintRules.saysWhatWasDone);
      spec
        .given([filed()])
        .when({ type: 'AddComplaintNote', note: 'logistics say Thursday', internal: true })
        .then([event('ComplaintNoted', { note: 'logistics say Thursday', internal: true, notedBy: 'agent-1' })]);
    });

    it(`stands the clocks while waiting on the customer and runs them again on the answer, the paused time left out (${complaintRules.pausedOnCustomer.id})`, () => {
      spec.given([filed()]).when({ type: 'RequestComplaintInfo', note: 'which site?' }, at('2026-03-09T11:00')).then([infoRequested]);
      // An hour of each clock was used on Monday; the rest counts from Tuesday 09:00.
      spec
        .given([filed(), infoRequested])
        .when({ type: 'ReceiveComplaintInfo', note: 'the Pudong site' }, at('2026-03-10T09:00'))
        .then([
          event('ComplaintInfoReceived', {
            note: 'the Pudong site',
            recordedBy: 'agent-1',
            receivedAt: bj('2026-03-10T09:00'),
            due: { firstResponse: bj('2026-03-10T10:00'), resolution: bj('2026-03-11T17:00') },
          }),
        ]);
      spec.given([filed(), infoRequested]).when({ type: 'RequestComplaintInfo', note: 'and?' }).thenRefuses(complaintRules.pausedOnCustomer, /already waits/);
      spec.given([filed()]).when({ type: 'ReceiveComplaintInfo', note: 'unasked' }).thenRefuses(complaintRules.pausedOnCustomer, /Nothing was asked/);
    });

    it('records a clock that ran out before the pause as due when it ran out', () =>
      spec
        .given([filed()])
        .when({ type: 'RequestComplaintInfo', note: 'which site?' }, at('2026-03-09T14:00'))
        .then([
          event('ComplaintInfoRequested', { note: 'which site?', requestedBy: 'agent-1', requestedAt: bj('2026-03-09T14:00'), due: { firstResponse: bj('2026-03-09T12:00'), resolution: null } }),
        ]));

    it(`escalates up the ladder by hand, with a reason, to the role the ladder names (${complaintRules.upTheLadder.id})`, () => {
      spec
        .given([filed()])
        .when({ type: 'EscalateComplaint', level: 2, reason: 'customer called the CEO' }, { actor: MANAGER })
        .then([escalated(2, 'admin')]);
      spec.given([filed()]).when({ type: 'EscalateComplaint', level: 3, reason: 'higher' }).thenRefuses(complaintRules.upTheLadder, /no level 3/);
      spec.given([filed(), escalated(2, 'admin')]).when({ type: 'EscalateComplaint', level: 1, reason: 'down' }).thenRefuses(complaintRules.upTheLadder, /already at level 2/);
      spec.given([filed()]).when({ type: 'EscalateComplaint', level: 1, reason: ' ' }).thenRefuses(complaintRules.upTheLadder, /why/);
    });

    it(`escalates on its own to the rung the ladder names for a clock that ran out, and no further (${complaintRules.upTheLadder.id})`, () => {
      const watcher = { actor: { id: 'complaint-follow-ups', role: 'system' } };
      spec
        .given([filed(), responseOverdue])
        .when({ type: 'EscalateComplaintOnBreach', clock: 'firstResponse' }, watcher)
        .then([event('ComplaintEscalated', { level: 1, role: 'sales_manager', reason: 'The first response target was missed', escalatedBy: 'complaint-follow-ups', breachOf: 'firstResponse' })]);
      spec.given([filed()]).when({ type: 'EscalateComplaintOnBreach', clock: 'firstResponse' }, watcher).thenRefuses(complaintRules.upTheLadder, /has not run out/);
      spec.given([filed(), responseOverdue, escalated(2, 'admin')]).when({ type: 'EscalateComplaintOnBreach', clock: 'firstResponse' }, watcher).thenRefuses(complaintRules.upTheLadder, /no higher/);
    });

    it(`changes the severity with a reason: the clocks count again from filing under the new targets (${complaintRules.severityChange.id})`, () => {
      spec
        .given([filed()])
        .when({ type: 'ChangeComplaintSeverity', severity: 'critical', reason: 'production down' }, at('2026-03-09T11:00'))
        .then([
          event('ComplaintSeverityChanged', {
            from: 'high',
            to: 'critical',
            reason: 'production down',
            changedBy: 'agent-1',
            serviceLevel: { firstResponseMinutes: 30, resolutionMinutes: 480 },
            due: { firstResponse: bj('2026-03-09T10:30'), resolution: bj('2026-03-09T18:00') },
          }),
        ]);
      spec.given([filed()]).when({ type: 'ChangeComplaintSeverity', severity: 'high', reason: 'same' }).thenRefuses(complaintRules.severityChange, /already high/);
      spec.given([filed()]).when({ type: 'ChangeComplaintSeverity', severity: 'low', reason: '' }).thenRefuses(complaintRules.severityChange, /why/);
    });

    it(`takes nothing on a resolved complaint but a reopening, a rating or its closing, and nothing on a closed one but a reopening (${complaintRules.inOrder.id})`, () => {
      const done = [filed(), responded, resolved()];
      spec.given(done).when({ type: 'AddComplaintNote', note: 'late note', internal: false }).thenRefuses(complaintRules.inOrder, /reopen it first/);
      spec.given(done).when({ type: 'AssignComplaint', assigneeId: 'agent-2' }).thenRefuses(complaintRules.inOrder);
      spec.given(done).when({ type: 'ChangeComplaintSeverity', severity: 'low', reason: 'minor after all' }).thenRefuses(complaintRules.inOrder);
      spec.given([...done, closed]).when({ type: 'ProposeComplaintResolution', resolution: 'more' }).thenRefuses(complaintRules.inOrder, /closed/);
      spec.given([...done, closed]).when({ type: 'CloseComplaint' }).thenRefuses(complaintRules.inOrder, /already closed/);
    });
  });

  describe('remedies and resolution', () => {
    const propose = (amount?: { minor: number; currency: string }, kind: 'refund' | 'apology' | 'credit_note' = 'refund') => ({
      type: 'ProposeComplaintResolution' as const,
      resolution: 'refund the delay penalty',
      remedy: { kind, ...(amount ? { amount } : {}) },
    });
    const proposed = (amount: { minor: number; currency: string }, by = 'agent-1') =>
      event('ComplaintResolutionProposed', { resolution: 'refund the delay penalty', remedy: { kind: 'refund', amount }, proposedBy: by });
    const order = { orderTotal: cny(10_000) };

    it(`states money exactly where the remedy gives money back (${complaintRules.remedyStated.id})`, () => {
      spec.given([filed()]).when(propose()).thenRefuses(complaintRules.remedyStated, /states its amount/);
      spec.given([filed()]).when(propose(cny(100), 'apology')).thenRefuses(complaintRules.remedyStated, /carries no amount/);
      spec.given([filed()]).when(propose(cny(0))).thenRefuses(complaintRules.remedyStated, /gives nothing back/);
      spec.given([filed()]).when(propose(cny(3_000))).then([proposed(cny(3_000))]);
    });

    it(`keeps a remedy in the order's currency and within its total (${complaintRules.remedyOfOrder.id})`, () => {
      const onOrder = [filed({ orderId: 'o1' })];
      spec.given(onOrder).when(propose({ minor: 300_000, currency: 'USD' }), order).thenRefuses(complaintRules.remedyOfOrder, /in USD; the order is in CNY/);
      spec.given(onOrder).when(propose(cny(12_000)), { ...order, actor: MANAGER }).thenRefuses(complaintRules.remedyOfOrder, /more than the order's total/);
      spec.given(onOrder).when(propose(cny(3_000)), order).then([proposed(cny(3_000))]);
    });

    it(`keeps a remedy within the authority of whoever offers it (${complaintRules.remedyAuthority.id})`, () => {
      spec.given([filed()]).when(propose(cny(8_000))).thenRefuses(complaintRules.remedyAuthority, /CNY 8000.00 is above the support_agent authority of CNY 5000.00/);
      spec.given([filed()]).when(propose(cny(8_000)), { actor: SELLER }).thenRefuses(complaintRules.remedyAuthority, /sales_rep gives no remedy with money/);
      spec.given([filed()]).when(propose({ minor: 80_000, currency: 'USD' })).thenRefuses(complaintRules.remedyAuthority, /set in CNY, not USD/);
      spec.given([filed()]).when(propose(cny(8_000)), { actor: MANAGER }).then([proposed(cny(8_000), 'mgr-1')]);
      spec.given([filed()]).when(propose(cny(900_000)), { actor: { id: 'root', role: 'admin' } }).then([proposed(cny(900_000), 'root')]);
    });

    it(`resolves only after a first response, settling the remedy last proposed, within the resolver's authority (${complaintRules.respondedBeforeResolved.id}, ${complaintRules.remedyAuthority.id})`, () => {
      spec.given([filed()]).when({ type: 'ResolveComplaint', resolution: 'done' }).thenRefuses(complaintRules.respondedBeforeResolved);
      spec
        .given([filed(), responded, proposed(cny(3_000))])
        .when({ type: 'ResolveComplaint', resolution: 'expedited the remaining units', upheld: true }, at('2026-03-09T16:00'))
        .then([resolved({ remedy: { kind: 'refund', amount: cny(3_000) }, upheld: true })]);
      spec
        .given([filed(), responded, proposed(cny(8_000), 'mgr-1')])
        .when({ type: 'ResolveComplaint', resolution: 'refunded' })
        .thenRefuses(complaintRules.remedyAuthority, /above the support_agent authority/);
    });

    it('names the promise a resolution upheld, for the promise to be marked broken', () =>
      spec
        .given([falsePromiseFiled, responded])
        .when({ type: 'ResolveComplaint', resolution: 'expedited the remaining units', upheld: true }, at('2026-03-09T16:00'))
        .then([resolved({ upheld: true, promiseId: 'p1' })]));

    it(`keeps the seller a conduct or false-promise complaint is about from resolving or closing it, and their manager from closing it (${complaintRules.notOwnConduct.id})`, () => {
      spec.given([falsePromiseFiled, responded]).when({ type: 'ResolveComplaint', resolution: 'all fine' }, { actor: SELLER }).thenRefuses(complaintRules.notOwnConduct);
      const resolvedPromise = [falsePromiseFiled, responded, resolved({ promiseId: 'p1' })];
      spec.given(resolvedPromise).when({ type: 'CloseComplaint' }, { actor: SELLER }).thenRefuses(complaintRules.notOwnConduct, /rep-1 is the seller/);
      spec.given(resolvedPromise).when({ type: 'CloseComplaint' }, { actor: MANAGER }).thenRefuses(complaintRules.notOwnConduct, /mgr-1 manages rep-1/);
      spec.given(resolvedPromise).when({ type: 'CloseComplaint' }, at('2026-03-10T10:00')).then([closed]);
      spec
        .given([filed({ sellerId: 'rep-1', orderId: 'o1' }), responded, resolved()])
        .when({ type: 'CloseComplaint' }, at('2026-03-10T10:00', SELLER))
        .then([event('ComplaintClosed', { closedBy: 'rep-1', closedAt: bj('2026-03-10T10:00') })]);
    });

    it(`closes only a resolved complaint (${complaintRules.closedOnceResolved.id})`, () => {
      spec.given([filed(), responded]).when({ type: 'CloseComplaint' }).thenRefuses(complaintRules.closedOnceResolved, /is open/);
      spec.given([filed(), infoRequested]).when({ type: 'CloseComplaint' }).thenRefuses(complaintRules.closedOnceResolved, /awaiting customer/);
    });

    it(`reopens at the customer's request within the window, the resolution clock running again from where it stopped (${complaintRules.reopenWithinWindow.id})`, () => {
      // Five of sixteen business hours used on Monday; eleven more from Thursday 09:00 end at Friday noon.
      const reopened = event('ComplaintReopened', {
        reason: '两台设备仍未到 / two units still missing',
        reopenedBy: 'agent-1',
        reopenedAt: bj('2026-03-12T09:00'),
        due: { resolution: bj('2026-03-13T12:00') },
      });
      const reopen = { type: 'ReopenComplaint' as const, reason: '两台设备仍未到 / two units still missing' };
      spec.given([filed(), responded, resolved()]).when(reopen, at('2026-03-12T09:00')).then([reopened]);
      spec.given([filed(), responded, resolved(), closed]).when(reopen, at('2026-03-12T09:00')).then([reopened]);
      spec.given([filed(), responded, resolved()]).when(reopen, { now: '2026-03-23T08:00:00.001Z' }).thenRefuses(complaintRules.reopenWithinWindow, /14-day reopen window closed/);
      spec.given([filed(), responded]).when(reopen).thenRefuses(complaintRules.reopenWithinWindow, /is open, not resolved/);
      spec.given([filed(), responded, resolved()]).when({ ...reopen, reason: ' ' }).thenRefuses(complaintRules.reopenWithinWindow, /reason/);
    });
  });

  describe('rating', () => {
    const rate = { type: 'RateComplaint' as const, csat: 4, nps: 9, comment: '处理及时 / handled quickly' };
    const rated = event('ComplaintRated', { csat: 4, nps: 9, comment: '处理及时 / handled quickly', recordedBy: 'agent-1' });

    it(`records the customer's rating once, after the resolution, in range (${complaintRules.ratedOnce.id})`, () => {
      spec.given([filed(), responded, resolved()]).when(rate).then([rated]);
      spec.given([filed(), responded, resolved(), closed]).when({ type: 'RateComplaint', csat: 1 }).then([event('ComplaintRated', { csat: 1, recordedBy: 'agent-1' })]);
      spec.given([filed(), responded]).when(rate).thenRefuses(complaintRules.ratedOnce, /not resolved/);
      spec.given([filed(), responded, resolved(), rated]).when(rate).thenRefuses(complaintRules.ratedOnce, /already rated/);
      spec.given([filed(), responded, resolved()]).when({ ...rate, csat: 6 }).thenRefuses(complaintRules.ratedOnce, /not 6/);
      spec.given([filed(), responded, resolved()]).when({ ...rate, csat: 0 }).thenRefuses(complaintRules.ratedOnce, /not 0/);
      spec.given([filed(), responded, resolved()]).when({ ...rate, nps: 11 }).thenRefuses(complaintRules.ratedOnce, /not 11/);
    });
  });

  describe('breaches', () => {
    const markResponse = { type: 'MarkComplaintResponseOverdue' as const };
    const watcher = { id: 'deadline-watcher', role: 'system' };

    it(`records a clock's breach once its time is up, not a moment before, and once only (${complaintRules.breachedOnce.id})`, () => {
      spec.given([filed()]).when(markResponse, at('2026-03-09T11:59', watcher)).thenRefuses(complaintRules.breachedOnce, /runs out at 2026-03-09T04:00:00.000Z/);
      spec.given([filed()]).when(markResponse, at('2026-03-09T12:00', watcher)).then([responseOverdue]);
      spec.given([filed(), responseOverdue]).when(markResponse, at('2026-03-09T15:00', watcher)).thenRefuses(complaintRules.breachedOnce, /already on record/);
      spec.given([filed(), responded]).when(markResponse, at('2026-03-09T15:00', watcher)).thenRefuses(complaintRules.breachedOnce, /stopped/);
      spec
        .given([filed()])
        .when({ type: 'MarkComplaintResolutionOverdue' }, at('2026-03-11T10:00', watcher))
        .then([event('ComplaintResolutionOverdue', { dueAt: bj('2026-03-11T10:00'), targetMinutes: 960 })]);
    });

    it(`counts no time while the desk waits on the customer, unless the time was up before (${complaintRules.breachedOnce.id})`, () => {
      spec.given([filed(), infoRequested]).when(markResponse, at('2026-03-12T09:00', watcher)).thenRefuses(complaintRules.breachedOnce, /stands while the desk waits/);
      const lateRequest = event('ComplaintInfoRequested', { note: 'which site?', requestedBy: 'agent-1', requestedAt: bj('2026-03-09T14:00'), due: { firstResponse: bj('2026-03-09T12:00'), resolution: null } });
      spec.given([filed(), lateRequest]).when(markResponse, at('2026-03-09T14:00', watcher)).then([responseOverdue]);
    });
  });

  it("seals the reporter under the customer's key, so erasing the customer erases it", () => {
    const { personalData } = complaintAggregate;
    const state = complaintDecider.evolve(complaintDecider.initialState(), filed());
    expect(personalData?.subject('k1', state)).toBe('c1');
    expect(personalData?.subject('k1', complaintDecider.initialState())).toBeUndefined();
    expect(personalData?.fields.ComplaintFiled).toEqual(['reporter.name', 'reporter.phone', 'reporter.email']);
  });
});
