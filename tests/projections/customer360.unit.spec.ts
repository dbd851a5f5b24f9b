import { beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../application/ports/eventStore.js';
import type { Document } from '../../application/ports/readStore.js';
import { CUSTOMER_DOCS, customer360Projection, type Customer360View } from '../../projections/customer360/customer360Projection.js';
import type { ProjectionWriter, RecordedEventOf } from '../../projections/projection.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });

let docs: Map<string, Document>;
let position: number;
const writer: ProjectionWriter = {
  get: (_collection, id) => docs.get(id) ?? null,
  put: (_collection, doc) => void docs.set(doc.id, doc),
  delete: (_collection, id) => void docs.delete(id),
};

/** Applies one event as the runner would; `customerId` goes into metadata, as the routes record it. */
const given = (streamId: string, type: string, data: Record<string, unknown>, customerId = 'c1') => {
  const event: RecordedEvent = {
    streamId,
    revision: 0,
    position: ++position,
    eventId: `e${position}`,
    type,
    data,
    metadata: { occurredAt: `2026-03-02T09:00:${String(position).padStart(2, '0')}.000Z`, customerId },
  };
  // The runner hands the projection only the types it handles, their data checked by the schemas when written.
  const handled = event as RecordedEventOf<(typeof customer360Projection.handles)[number]>;
  expect(customer360Projection.documentsFor(handled)).toEqual([{ collection: CUSTOMER_DOCS, id: customerId }]);
  customer360Projection.apply(handled, writer);
};
const customer = () => docs.get('c1') as Customer360View;

beforeEach(() => {
  docs = new Map();
  position = 0;
  given('customer-c1', 'CustomerRegistered', { customerId: 'c1', name: 'Acme Bank', industry: 'finance', region: 'east' });
});

describe('customer 360 projection', () => {
  it('follows quotes through approval, sending and acceptance, by the customer named in metadata', () => {
    given('quote-q1', 'QuoteDrafted', { quoteId: 'q1', opportunityId: 'o1', customerId: 'c1', total: cny(800_000) });
    given('quote-q1', 'QuoteSubmitted', { quoteId: 'q1', submittedBy: 'rep-1', approvalRequired: true, reasons: [] });
    expect(customer().quotes).toEqual([{ id: 'q1', status: 'pending_approval', total: cny(800_000) }]);
    given('quote-q1', 'QuoteApproved', { quoteId: 'q1', approvedBy: 'mgr-1', approverRole: 'sales_manager' });
    given('quote-q1', 'QuoteSent', { quoteId: 'q1', sentBy: 'rep-1' });
    given('quote-q1', 'QuoteAccepted', { quoteId: 'q1', opportunityId: 'o1', customerId: 'c1', total: cny(800_000) });
    given('quote-q2', 'QuoteDrafted', { quoteId: 'q2', opportunityId: 'o1', customerId: 'c1', total: cny(5_000) });
    given('quote-q2', 'QuoteSubmitted', { quoteId: 'q2', submittedBy: 'rep-1', approvalRequired: false, reasons: [] });
    expect(customer().quotes).toEqual([
      { id: 'q1', status: 'accepted', total: cny(800_000) },
      { id: 'q2', status: 'approved', total: cny(5_000) },
    ]);
  });

  it('keeps promises with their kind, due date, status and whether they went overdue', () => {
    given('promise-p1', 'PromiseRecorded', { promiseId: 'p1', customerId: 'c1', kind: 'sla', dueDate: '2026-04-01' });
    given('promise-p1', 'PromiseWentOverdue', { promiseId: 'p1', customerId: 'c1', dueDate: '2026-04-01' });
    given('promise-p1', 'PromiseFulfilled', { promiseId: 'p1', customerId: 'c1', evidence: 'report' });
    given('promise-p2', 'PromiseRecorded', { promiseId: 'p2', customerId: 'c1', kind: 'delivery', dueDate: '2026-05-01' });
    given('promise-p2', 'PromiseBroken', { promiseId: 'p2', customerId: 'c1', reason: 'supplier' });
    expect(customer().promises).toEqual([
      { id: 'p1', kind: 'sla', status: 'fulfilled', dueDate: '2026-04-01', overdue: true },
      { id: 'p2', kind: 'delivery', status: 'broken', dueDate: '2026-05-01', overdue: false },
    ]);
  });

  it('marks an order late once any delivery was late, and follows it to completion', () => {
    given('order-r1', 'OrderPlaced', { orderId: 'r1', customerId: 'c1', total: cny(800_000), promisedDeliveryDate: '2026-03-20' });
    given('order-r1', 'OrderConfirmed', { orderId: 'r1', customerId: 'c1' });
    given('order-r1', 'OrderDelivered', { orderId: 'r1', customerId: 'c1', late: true });
    given('order-r1', 'OrderDelivered', { orderId: 'r1', customerId: 'c1', late: false });
    expect(customer().orders).toEqual([{ id: 'r1', status: 'confirmed', total: cny(800_000), promisedDeliveryDate: '2026-03-20', late: true }]);
    given('order-r1', 'OrderFullyDelivered', { orderId: 'r1', customerId: 'c1', promisedDeliveryDate: '2026-03-20', late: true });
    given('order-r1', 'OrderCompleted', { orderId: 'r1', customerId: 'c1', total: cny(800_000) });
    expect(customer().orders[0]).toMatchObject({ status: 'completed', late: true });
  });

  it('lists findings from the raising on, following each later step by the customer named in metadata', () => {
    const raised = (findingId: string, ruleId: string, ruleName: string, severity: string) => ({
      findingId,
      ruleId,
      ruleName,
      severity,
      policyRevision: 1,
      detail: 'x',
      evidence: [],
      customerId: 'c1',
      sellerId: 'rep-1',
      subject: { kind: 'promise', id: 'p1' },
      raisedAt: '2026-03-02T08:00:00.000Z',
    });
    given('finding-f1', 'FindingRaised', raised('f1', 'CMP-01', 'No absolute claims', 'high'));
    given('finding-f2', 'FindingRaised', raised('f2', 'CMP-05', "No discount beyond the seller's authority without approval", 'medium'));
    // Later steps carry only the finding id in their data.
    given('finding-f1', 'FindingAcknowledged', { findingId: 'f1', acknowledgedBy: 'rep-1' });
    given('finding-f1', 'FindingRemediated', { findingId: 'f1', remediatedBy: 'rep-1', evidence: 'corrected in writing' });
    given('finding-f2', 'FindingWaived', { findingId: 'f2', waivedBy: 'cco-1', reason: 'approved verbally, on record' });
    given('finding-f2', 'FindingClosed', { findingId: 'f2', closedBy: 'cco-1', outcome: 'waived' });
    expect(customer().findings).toEqual([
      { id: 'f1', ruleId: 'CMP-01', ruleName: 'No absolute claims', severity: 'high', status: 'remediated', raisedAt: '2026-03-02T08:00:00.000Z' },
      {
        id: 'f2',
        ruleId: 'CMP-05',
        ruleName: "No discount beyond the seller's authority without approval",
        severity: 'medium',
        status: 'closed',
        raisedAt: '2026-03-02T08:00:00.000Z',
      },
    ]);
  });

  it('ignores what concerns a customer it never saw registered', () => {
    given('quote-q9', 'QuoteDrafted', { quoteId: 'q9', opportunityId: 'o9', customerId: 'c9', total: cny(1) }, 'c9');
    expect(docs.has('c9')).toBe(false);
    expect(customer().quotes).toEqual([]);
  });
});
