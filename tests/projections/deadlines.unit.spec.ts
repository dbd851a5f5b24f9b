import { beforeEach, describe, expect, it } from 'vitest';
import { DEADLINE_DOCS, deadlinesProjection } from '../../projections/deadlines/deadlinesProjection.js';
import { projectionSpecification } from '../support/projectionSpecification.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });

const quoteDrafted = (quoteId: string, validUntil: string) => ({
  streamId: `quote-${quoteId}`,
  type: 'QuoteDrafted',
  data: {
    quoteId,
    opportunityId: 'o1',
    customerId: 'c1',
    ownerId: 'rep-1',
    validUntil,
    lines: [],
    subtotal: cny(800_000),
    discountTotal: cny(0),
    total: cny(800_000),
  },
});

const promiseRecorded = (promiseId: string, dueDate: string) => ({
  streamId: `promise-${promiseId}`,
  type: 'PromiseRecorded',
  data: {
    promiseId,
    customerId: 'c1',
    kind: 'delivery',
    statement: 'Delivered by the end of the month',
    committed: { deliveryDate: dueDate },
    dueDate,
    madeBy: 'rep-1',
    recordedAt: '2026-03-02T08:00:00.000Z',
  },
});

const quoteClosers = {
  QuoteAccepted: { quoteId: 'q1', opportunityId: 'o1', customerId: 'c1', total: cny(800_000) },
  QuoteDeclined: { quoteId: 'q1', customerId: 'c1', reason: 'budget frozen' },
  QuoteRejected: { quoteId: 'q1', rejectedBy: 'mgr-1', reason: 'discount too deep' },
  QuoteExpired: { quoteId: 'q1', validUntil: '2026-03-31T16:00:00.000Z' },
};

const promiseClosers = {
  PromiseFulfilled: { promiseId: 'p1', customerId: 'c1', evidence: 'signed delivery note' },
  PromiseBroken: { promiseId: 'p1', customerId: 'c1', reason: 'supplier failed' },
  PromiseWithdrawn: { promiseId: 'p1', customerId: 'c1', reason: 'customer changed the order' },
  PromiseWentOverdue: { promiseId: 'p1', customerId: 'c1', dueDate: '2026-03-31' },
};

let spec: ReturnType<typeof projectionSpecification>;
const deadline = (id: string) => spec.document(DEADLINE_DOCS, id);

beforeEach(() => {
  spec = projectionSpecification(deadlinesProjection);
});

describe('deadlines projection', () => {
  it("follows exactly the events that open, move or close a quote expiry, a promise overdue deadline, a complaint's clocks or a registration expiry", () => {
    expect([...deadlinesProjection.handles].sort()).toEqual(
      [
        'QuoteDrafted',
        'QuoteAccepted',
        'QuoteDeclined',
        'QuoteRejected',
        'QuoteExpired',
        'PromiseRecorded',
        'PromiseFulfilled',
        'PromiseBroken',
        'PromiseWithdrawn',
        'PromiseWentOverdue',
        'ComplaintFiled',
        'ComplaintInfoRequested',
        'ComplaintInfoReceived',
        'ComplaintSeverityChanged',
        'ComplaintReopened',
        'ComplaintResolved',
        'ComplaintResponded',
        'ComplaintResponseOverdue',
        'ComplaintResolutionOverdue',
        'ComplaintClosed',
        'RegistrationSubmitted',
        'RegistrationRejected',
        'RegistrationExpired',
      ].sort(),
    );
  });

  describe('quote expiry', () => {
    it('opens when the quote is drafted, due at its validUntil', () => {
      spec.given(quoteDrafted('q1', '2026-03-31T16:00:00.000Z'));
      expect(deadline('quote-expiry|quote-q1')).toEqual({
        id: 'quote-expiry|quote-q1',
        kind: 'quote-expiry',
        streamId: 'quote-q1',
        dueAt: '2026-03-31T16:00:00.000Z',
        done: false,
        doneAt: null,
      });
    });

    it('spells the due instant with milliseconds and Z, so due times compare as strings', () => {
      spec.given(quoteDrafted('q1', '2026-03-31T16:00:00Z'), quoteDrafted('q2', '2026-03-31T16:00:00.123456Z'));
      expect(deadline('quote-expiry|quote-q1')).toMatchObject({ dueAt: '2026-03-31T16:00:00.000Z' });
      expect(deadline('quote-expiry|quote-q2')).toMatchObject({ dueAt: '2026-03-31T16:00:00.123Z' });
    });

    it('converts a validUntil stated with an offset to the same instant in UTC', () => {
      spec.given(quoteDrafted('q1', '2026-04-01T00:00:00+08:00'));
      expect(deadline('quote-expiry|quote-q1')).toMatchObject({ dueAt: '2026-03-31T16:00:00.000Z' });
    });

    it.each(Object.entries(quoteClosers))('is done once the quote is settled by %s, at the time that happened', (type, data) => {
      spec.given(quoteDrafted('q1', '2026-03-31T16:00:00.000Z'), { streamId: 'quote-q1', type, data });
      expect(deadline('quote-expiry|quote-q1')).toEqual({
        id: 'quote-expiry|quote-q1',
        kind: 'quote-expiry',
        streamId: 'quote-q1',
        dueAt: '2026-03-31T16:00:00.000Z',
        done: true,
        doneAt: '2026-03-02T09:00:02.000Z',
      });
    });

    it('stays open through the steps that do not settle the quote', () => {
      spec.given(
        quoteDrafted('q1', '2026-03-31T16:00:00.000Z'),
        { streamId: 'quote-q1', type: 'QuoteSubmitted', data: { quoteId: 'q1', submittedBy: 'rep-1', approvalRequired: true, reasons: [] } },
        { streamId: 'quote-q1', type: 'QuoteApproved', data: { quoteId: 'q1', approvedBy: 'mgr-1', approverRole: 'sales_manager' } },
        { streamId: 'quote-q1', type: 'QuoteSent', data: { quoteId: 'q1', sentBy: 'rep-1' } },
      );
      expect(deadline('quote-expiry|quote-q1')).toMatchObject({ done: false, doneAt: null });
    });

    it("settling one quote leaves another quote's deadline open", () => {
      spec.given(
        quoteDrafted('q1', '2026-03-31T16:00:00.000Z'),
        quoteDrafted('q2', '2026-04-30T16:00:00.000Z'),
        { streamId: 'quote-q1', type: 'QuoteAccepted', data: quoteClosers.QuoteAccepted },
      );
      expect(spec.documents(DEADLINE_DOCS)).toEqual([
        { id: 'quote-expiry|quote-q1', kind: 'quote-expiry', streamId: 'quote-q1', dueAt: '2026-03-31T16:00:00.000Z', done: true, doneAt: '2026-03-02T09:00:03.000Z' },
        { id: 'quote-expiry|quote-q2', kind: 'quote-expiry', streamId: 'quote-q2', dueAt: '2026-04-30T16:00:00.000Z', done: false, doneAt: null },
      ]);
    });

    it('settling a quote it never saw drafted makes no deadline', () => {
      spec.given({ streamId: 'quote-q9', type: 'QuoteAccepted', data: { ...quoteClosers.QuoteAccepted, quoteId: 'q9' } });
      expect(spec.documents(DEADLINE_DOCS)).toEqual([]);
    });
  });

  describe('promise overdue', () => {
    it('opens when the promise is recorded, due at the first instant of the day after its due date in the company (Beijing midnight)', () => {
      spec.given(promiseRecorded('p1', '2026-03-31'));
      expect(deadline('promise-overdue|promise-p1')).toEqual({
        id: 'promise-overdue|promise-p1',
        kind: 'promise-overdue',
        streamId: 'promise-p1',
        dueAt: '2026-03-31T16:00:00.000Z',
        done: false,
        doneAt: null,
      });
    });

    it('falls due across the turn of a year and on a leap day', () => {
      spec.given(promiseRecorded('p1', '2026-12-31'), promiseRecorded('p2', '2028-02-28'));
      expect(deadline('promise-overdue|promise-p1')).toMatchObject({ dueAt: '2026-12-31T16:00:00.000Z' });
      expect(deadline('promise-overdue|promise-p2')).toMatchObject({ dueAt: '2028-02-28T16:00:00.000Z' });
    });

    it.each(Object.entries(promiseClosers))('is done once the promise is settled by %s, at the time that happened', (type, data) => {
      spec.given(promiseRecorded('p1', '2026-03-31'), { streamId: 'promise-p1', type, data });
      expect(deadline('promise-overdue|promise-p1')).toEqual({
        id: 'promise-overdue|promise-p1',
        kind: 'promise-overdue',
        streamId: 'promise-p1',
        dueAt: '2026-03-31T16:00:00.000Z',
        done: true,
        doneAt: '2026-03-02T09:00:02.000Z',
      });
    });

    it('keeps the first doneAt when a promise that went overdue is later fulfilled', () => {
      spec.given(
        promiseRecorded('p1', '2026-03-31'),
        { streamId: 'promise-p1', type: 'PromiseWentOverdue', data: promiseClosers.PromiseWentOverdue, metadata: { occurredAt: '2026-03-31T16:00:05.000Z' } },
        { streamId: 'promise-p1', type: 'PromiseFulfilled', data: promiseClosers.PromiseFulfilled, metadata: { occurredAt: '2026-04-03T10:00:00.000Z' } },
      );
      expect(deadline('promise-overdue|promise-p1')).toEqual({
        id: 'promise-overdue|promise-p1',
        kind: 'promise-overdue',
        streamId: 'promise-p1',
        dueAt: '2026-03-31T16:00:00.000Z',
        done: true,
        doneAt: '2026-03-31T16:00:05.000Z',
      });
    });

    it('settling a promise it never saw recorded makes no deadline', () => {
      spec.given({ streamId: 'promise-p9', type: 'PromiseBroken', data: { ...promiseClosers.PromiseBroken, promiseId: 'p9' } });
      expect(spec.documents(DEADLINE_DOCS)).toEqual([]);
    });
  });

  describe('registration expiry', () => {
    const submitted = {
      streamId: 'registration-r1',
      type: 'RegistrationSubmitted',
      data: {
        registrationId: 'r1',
        partnerId: 'pa-1',
        customerId: 'c1',
        customerKey: 'customer:c1',
        skus: ['FW-100'],
        expectedAmount: cny(800_000),
        expiresAt: '2026-06-30T16:00:00+00:00',
        submittedBy: 'rep-1',
        submittedAt: '2026-03-02T09:00:00.000Z',
      },
    };

    it('opens when a registration is submitted, due at its expiry, spelled as every due time is', () => {
      spec.given(submitted);
      expect(deadline('registration-expiry|registration-r1')).toEqual({
        id: 'registration-expiry|registration-r1',
        kind: 'registration-expiry',
        streamId: 'registration-r1',
        dueAt: '2026-06-30T16:00:00.000Z',
        done: false,
        doneAt: null,
      });
    });

    it.each([
      ['RegistrationRejected', { registrationId: 'r1', rejectedBy: 'mgr-1' }],
      ['RegistrationExpired', { registrationId: 'r1', expiresAt: '2026-06-30T16:00:00.000Z' }],
    ])('is done once the registration is %s', (type, data) => {
      spec.given(submitted, { streamId: 'registration-r1', type, data });
      expect(deadline('registration-expiry|registration-r1')).toMatchObject({ done: true, doneAt: '2026-03-02T09:00:02.000Z' });
    });

    it('stays open once approved: an approved registration still expires', () => {
      spec.given(submitted, {
        streamId: 'registration-r1',
        type: 'RegistrationApproved',
        data: { registrationId: 'r1', partnerId: 'pa-1', customerKey: 'customer:c1', skus: ['FW-100'], expiresAt: '2026-06-30T16:00:00.000Z', approvedBy: 'mgr-1' },
      });
      expect(deadline('registration-expiry|registration-r1')).toMatchObject({ done: false });
    });
  });

  it('keeps quote and promise deadlines side by side, each under its kind and stream', () => {
    spec.given(quoteDrafted('q1', '2026-03-31T16:00:00.000Z'), promiseRecorded('p1', '2026-03-31'));
    expect(spec.documents(DEADLINE_DOCS).map(({ id, kind, streamId }) => ({ id, kind, streamId }))).toEqual([
      { id: 'promise-overdue|promise-p1', kind: 'promise-overdue', streamId: 'promise-p1' },
      { id: 'quote-expiry|quote-q1', kind: 'quote-expiry', streamId: 'quote-q1' },
    ]);
  });

  it('ignores event types it does not handle', () => {
    spec.given(
      quoteDrafted('q1', '2026-03-31T16:00:00.000Z'),
      { streamId: 'quote-q1', type: 'QuoteRevised', data: { quoteId: 'q1', validUntil: '2026-05-31T16:00:00.000Z' } },
      { streamId: 'promise-p1', type: 'PromiseAmended', data: { promiseId: 'p1', dueDate: '2026-05-31' } },
    );
    expect(spec.documents(DEADLINE_DOCS)).toEqual([
      { id: 'quote-expiry|quote-q1', kind: 'quote-expiry', streamId: 'quote-q1', dueAt: '2026-03-31T16:00:00.000Z', done: false, doneAt: null },
    ]);
  });
});
