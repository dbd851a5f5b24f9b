import { beforeEach, describe, expect, it } from 'vitest';
import { COMPLAINT_DOCS, clockReadings, complaintsProjection, NOTHING_DUE, type ComplaintView } from '../../projections/complaints/complaintsProjection.js';
import { CUSTOMER_DOCS, customer360Projection } from '../../projections/customer360/customer360Projection.js';
import { DEADLINE_DOCS, deadlinesProjection } from '../../projections/deadlines/deadlinesProjection.js';
import { projectionSpecification, type GivenEvent } from '../support/projectionSpecification.js';

const bj = (local: string) => new Date(`${local}+08:00`).toISOString();
const DESK = {
  weekdays: [1, 2, 3, 4, 5],
  hours: [
    { from: '09:00', to: '12:00' },
    { from: '13:00', to: '18:00' },
  ],
  holidays: [],
  workingDays: [],
};
const HIGH = { firstResponseMinutes: 120, resolutionMinutes: 960, businessHours: { calendar: 'default', ...DESK } };
const agent = { actor: { id: 'agent-1', role: 'support_agent' } };
const sealed = 'pii:v1:c2VhbGVk';

const ids = { complaintId: 'k1', customerId: 'c1' };
const step = (type: string, data: Record<string, unknown>, local: string, actor = agent.actor): GivenEvent => ({
  streamId: 'complaint-k1',
  type,
  data: { ...ids, ...data },
  metadata: { occurredAt: bj(local), actor },
});

const filed = step(
  'ComplaintFiled',
  {
    region: 'east',
    channel: 'phone',
    category: 'delivery',
    severity: 'high',
    summary: 'the firewalls came late',
    orderId: 'o1',
    sku: 'FW-100',
    reporter: { name: sealed, phone: sealed },
    sellerId: 'rep-1',
    filedBy: 'agent-1',
    filedAt: bj('2026-03-09T10:00'),
    policyVersion: 3,
    calendar: 'default',
    serviceLevel: HIGH,
    due: { firstResponse: bj('2026-03-09T12:00'), resolution: bj('2026-03-11T10:00') },
  },
  '2026-03-09T10:00',
);
const responded = step('ComplaintResponded', { note: 'called back', respondedBy: 'agent-1', respondedAt: bj('2026-03-09T11:00'), clockMinutes: 60, withinTarget: true }, '2026-03-09T11:00');
const infoRequested = step(
  'ComplaintInfoRequested',
  { note: 'which site?', requestedBy: 'agent-1', requestedAt: bj('2026-03-09T12:00'), due: { resolution: null } },
  '2026-03-09T12:00',
);
const infoReceived = step(
  'ComplaintInfoReceived',
  { note: 'Pudong', recordedBy: 'agent-1', receivedAt: bj('2026-03-10T09:00'), due: { resolution: bj('2026-03-11T11:00') } },
  '2026-03-10T09:00',
);
const resolutionOverdue = step('ComplaintResolutionOverdue', { dueAt: bj('2026-03-11T11:00'), targetMinutes: 960 }, '2026-03-11T11:00', { id: 'deadline-watcher', role: 'system' });
const escalated = step(
  'ComplaintEscalated',
  { level: 2, role: 'admin', reason: 'The resolution target was missed', escalatedBy: 'complaint-follow-ups', breachOf: 'resolution' },
  '2026-03-11T11:00',
  { id: 'complaint-follow-ups', role: 'system' },
);
const resolved = step(
  'ComplaintResolved',
  {
    resolution: 'delivered the rest, refunded the penalty',
    remedy: { kind: 'refund', amount: { minor: 300_000, currency: 'CNY' } },
    upheld: true,
    resolvedBy: 'mgr-1',
    resolvedAt: bj('2026-03-11T14:00'),
    clockMinutes: 1020,
    withinTarget: false,
  },
  '2026-03-11T14:00',
  { id: 'mgr-1', role: 'sales_manager' },
);
const reopened = step('ComplaintReopened', { reason: 'one unit faulty', reopenedBy: 'agent-1', reopenedAt: bj('2026-03-12T09:00'), due: {} }, '2026-03-12T09:00');
const rated = step('ComplaintRated', { csat: 4, nps: 8, comment: 'ok in the end', recordedBy: 'agent-1' }, '2026-03-13T09:00');

describe('complaints projection', () => {
  let spec: ReturnType<typeof projectionSpecification>;
  const complaint = () => spec.document(COMPLAINT_DOCS, 'k1') as ComplaintView;
  beforeEach(() => {
    spec = projectionSpecification(complaintsProjection);
  });

  it('files a complaint with its clocks running, the reporter kept sealed, due first by the first response', () => {
    spec.given(filed);
    expect(complaint()).toMatchObject({
      id: 'k1',
      customerId: 'c1',
      status: 'open',
      reporter: { name: sealed, phone: sealed },
      sellerId: 'rep-1',
      sku: 'FW-100',
      policyVersion: 3,
      clocks: {
        firstResponse: { targetMinutes: 120, runs: [{ from: bj('2026-03-09T10:00') }], dueAt: bj('2026-03-09T12:00'), stoppedAt: null, breached: false },
        resolution: { targetMinutes: 960, dueAt: bj('2026-03-11T10:00'), stoppedAt: null, breached: false },
      },
      nextDueAt: bj('2026-03-09T12:00'),
      dueOrder: bj('2026-03-09T12:00'),
      breached: false,
      timeline: [{ at: bj('2026-03-09T10:00'), event: 'ComplaintFiled', by: 'agent-1', details: expect.objectContaining({ summary: 'the firewalls came late' }) }],
    });
    expect(JSON.stringify(complaint().timeline)).not.toContain(sealed);
  });

  it('stops the response clock with its reading, stands the other while waiting on the customer, and runs it again on the answer', () => {
    spec.given(filed, responded, infoRequested);
    expect(complaint()).toMatchObject({
      status: 'awaiting_customer',
      clocks: {
        firstResponse: { stoppedAt: bj('2026-03-09T11:00'), dueAt: null, clockMinutes: 60, withinTarget: true },
        resolution: { runs: [{ from: bj('2026-03-09T10:00'), to: bj('2026-03-09T12:00') }], dueAt: null },
      },
      nextDueAt: null,
      dueOrder: NOTHING_DUE,
    });
    spec.given(infoReceived);
    expect(complaint()).toMatchObject({ status: 'open', clocks: { resolution: { dueAt: bj('2026-03-11T11:00') } }, nextDueAt: bj('2026-03-11T11:00') });
  });

  it('keeps the breach, the escalation, the outcome, the reopening and the rating, each on the timeline', () => {
    spec.given(filed, responded, infoRequested, infoReceived, resolutionOverdue, escalated, resolved, reopened, rated);
    expect(complaint()).toMatchObject({
      status: 'open',
      breached: true,
      escalationLevel: 2,
      escalatedTo: 'admin',
      outcome: { resolution: 'delivered the rest, refunded the penalty', remedy: { kind: 'refund', amount: { minor: 300_000, currency: 'CNY' } }, upheld: true, resolvedBy: 'mgr-1' },
      resolvedCount: 1,
      reopenCount: 1,
      rating: { csat: 4, nps: 8, comment: 'ok in the end' },
      clocks: { resolution: { breached: true, stoppedAt: null, clockMinutes: null, runs: [expect.anything(), expect.anything(), { from: bj('2026-03-12T09:00') }] } },
    });
    expect(complaint().timeline.map((entry) => [entry.event, entry.by])).toEqual([
      ['ComplaintFiled', 'agent-1'],
      ['ComplaintResponded', 'agent-1'],
      ['ComplaintInfoRequested', 'agent-1'],
      ['ComplaintInfoReceived', 'agent-1'],
      ['ComplaintResolutionOverdue', 'deadline-watcher'],
      ['ComplaintEscalated', 'complaint-follow-ups'],
      ['ComplaintResolved', 'mgr-1'],
      ['ComplaintReopened', 'agent-1'],
      ['ComplaintRated', 'agent-1'],
    ]);
  });

  it('reads the clocks at an instant: elapsed minutes without the pause, paused, overdue', () => {
    spec.given(filed, responded, infoRequested);
    expect(clockReadings(complaint(), bj('2026-03-10T15:00'))).toMatchObject({
      firstResponse: { state: 'stopped', elapsedMinutes: 60, withinTarget: true, overdue: false },
      resolution: { state: 'paused', elapsedMinutes: 120, remainingMinutes: 840, dueAt: null, overdue: false },
    });
    spec.given(infoReceived);
    expect(clockReadings(complaint(), bj('2026-03-11T12:00'))).toMatchObject({
      resolution: { state: 'running', elapsedMinutes: 120 + 480 + 180, dueAt: bj('2026-03-11T11:00'), overdue: true, breached: false },
    });
  });

  it('ignores the steps of a complaint it never saw filed', () => {
    spec.given(responded);
    expect(spec.documents(COMPLAINT_DOCS)).toEqual([]);
  });
});

describe("a complaint's clocks as deadlines", () => {
  let spec: ReturnType<typeof projectionSpecification>;
  const deadline = (kind: string) => spec.document(DEADLINE_DOCS, `${kind}|complaint-k1`);
  beforeEach(() => {
    spec = projectionSpecification(deadlinesProjection);
  });

  it('opens both at filing, each due when its clock runs out', () => {
    spec.given(filed);
    expect(deadline('complaint-first-response')).toMatchObject({ kind: 'complaint-first-response', dueAt: bj('2026-03-09T12:00'), done: false });
    expect(deadline('complaint-resolution')).toMatchObject({ kind: 'complaint-resolution', dueAt: bj('2026-03-11T10:00'), done: false });
  });

  it('closes the response deadline on the first response; stands the resolution one while waiting and moves it on the answer', () => {
    spec.given(filed, responded, infoRequested);
    expect(deadline('complaint-first-response')).toMatchObject({ done: true, doneAt: bj('2026-03-09T11:00') });
    expect(deadline('complaint-resolution')).toMatchObject({ dueAt: null, done: false });
    spec.given(infoReceived);
    expect(deadline('complaint-resolution')).toMatchObject({ dueAt: bj('2026-03-11T11:00'), done: false });
  });

  it('holds the resolution deadline while resolved and leaves it done once its breach is on record, a reopening notwithstanding', () => {
    spec.given(filed, responded, step('ComplaintResolved', { ...(resolved.data as object), clockMinutes: 300, withinTarget: true }, '2026-03-09T16:00'));
    expect(deadline('complaint-resolution')).toMatchObject({ dueAt: null, done: false });
    spec.given(step('ComplaintReopened', { reason: 'faulty', reopenedBy: 'agent-1', reopenedAt: bj('2026-03-12T09:00'), due: { resolution: bj('2026-03-13T12:00') } }, '2026-03-12T09:00'));
    expect(deadline('complaint-resolution')).toMatchObject({ dueAt: bj('2026-03-13T12:00'), done: false });
    spec.given(step('ComplaintResolutionOverdue', { dueAt: bj('2026-03-13T12:00'), targetMinutes: 960 }, '2026-03-13T12:00'));
    expect(deadline('complaint-resolution')).toMatchObject({ done: true });
    spec.given(step('ComplaintReopened', { reason: 'again', reopenedBy: 'agent-1', reopenedAt: bj('2026-03-14T09:00'), due: { resolution: bj('2026-03-14T09:00') } }, '2026-03-14T09:00'));
    expect(deadline('complaint-resolution')).toMatchObject({ done: true, dueAt: bj('2026-03-13T12:00') });
  });

  it('holds the resolution deadline once the complaint is closed, and runs it again when a reopening within the window comes', () => {
    const resolvedInTime = step('ComplaintResolved', { ...(resolved.data as object), clockMinutes: 300, withinTarget: true }, '2026-03-09T16:00');
    spec.given(filed, responded, resolvedInTime, step('ComplaintClosed', { closedBy: 'agent-1', closedAt: bj('2026-03-10T10:00') }, '2026-03-10T10:00'));
    expect(deadline('complaint-first-response')).toMatchObject({ done: true, doneAt: bj('2026-03-09T11:00') });
    expect(deadline('complaint-resolution')).toMatchObject({ dueAt: null, done: false });
    spec.given(step('ComplaintReopened', { reason: 'faulty', reopenedBy: 'agent-1', reopenedAt: bj('2026-03-12T09:00'), due: { resolution: bj('2026-03-13T12:00') } }, '2026-03-12T09:00'));
    expect(deadline('complaint-resolution')).toMatchObject({ dueAt: bj('2026-03-13T12:00'), done: false });
  });
});

describe('complaints in the customer 360', () => {
  it("lists the customer's complaints with their status, severity, breach and rating", () => {
    const spec = projectionSpecification(customer360Projection);
    spec.given({ streamId: 'customer-c1', type: 'CustomerRegistered', data: { customerId: 'c1', name: '华东银行', industry: 'finance', region: 'east' } });
    spec.given(filed, responded, infoRequested);
    expect(spec.document(CUSTOMER_DOCS, 'c1')?.complaints).toEqual([
      { id: 'k1', category: 'delivery', severity: 'high', status: 'awaiting_customer', summary: 'the firewalls came late', filedAt: bj('2026-03-09T10:00'), breached: false, rating: null },
    ]);
    spec.given(infoReceived, resolutionOverdue, resolved, rated);
    expect(spec.document(CUSTOMER_DOCS, 'c1')?.complaints).toMatchObject([{ status: 'resolved', breached: true, rating: 4 }]);
    spec.given(step('ComplaintClosed', { closedBy: 'agent-1', closedAt: bj('2026-03-14T10:00') }, '2026-03-14T10:00'));
    expect(spec.document(CUSTOMER_DOCS, 'c1')?.complaints).toMatchObject([{ status: 'closed' }]);
  });
});
