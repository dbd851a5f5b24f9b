import { beforeEach, describe, expect, it } from 'vitest';
import { quoteStreamId, type QuoteEvent } from '../../domain/quote/quote.js';
import { QUOTE_DOCS, quotesProjection, type QuoteView } from '../../projections/quotes/quotesProjection.js';
import { projectionSpecification, type GivenEvent } from '../support/projectionSpecification.js';

type DataOf<Type extends QuoteEvent['type']> = Extract<QuoteEvent, { type: Type }>['data'];

/** A quote event on the quote's own stream, its data checked against the domain's event shapes. */
const quoteEvent = <Type extends QuoteEvent['type']>(type: Type, data: DataOf<Type>): GivenEvent => ({
  streamId: quoteStreamId(data.quoteId),
  type,
  data,
});

const cny = (minor: number) => ({ minor, currency: 'CNY' });
/** The occurredAt the specification gives the nth event it records. */
const second = (n: number) => `2026-03-02T09:00:${String(n).padStart(2, '0')}.000Z`;

const seats = {
  sku: 'CRM-SEAT',
  qty: 10,
  listPrice: cny(120_000),
  floorPrice: cny(90_000),
  unitPrice: cny(120_000),
  discountPct: 15,
  listTotal: cny(1_200_000),
  discountAmount: cny(180_000),
  netTotal: cny(1_020_000),
};
// Priced under list and under a promotion: 5,000.00 less 10% of 4,500.00.
const onboarding = {
  sku: 'ONBOARD',
  qty: 1,
  listPrice: cny(500_000),
  floorPrice: cny(400_000),
  unitPrice: cny(450_000),
  discountPct: 10,
  promotionId: 'spring-10',
  promotionDiscountPct: 10,
  listTotal: cny(500_000),
  discountAmount: cny(95_000),
  netTotal: cny(405_000),
};

const drafted = (quoteId = 'q1') =>
  quoteEvent('QuoteDrafted', {
    quoteId,
    opportunityId: 'o1',
    customerId: 'c1',
    ownerId: 'rep-1',
    validUntil: '2026-04-01T00:00:00.000Z',
    lines: [seats, onboarding],
    subtotal: cny(1_700_000),
    discountTotal: cny(275_000),
    total: cny(1_425_000),
  });
const aboveAuthority = 'QUO-13: line 1 (CRM-SEAT) takes 15% off list, above the sales_rep authority of 10%';
const submittedForApproval = quoteEvent('QuoteSubmitted', { quoteId: 'q1', submittedBy: 'rep-1', approvalRequired: true, reasons: [aboveAuthority] });
const submittedWithinAuthority = quoteEvent('QuoteSubmitted', { quoteId: 'q1', submittedBy: 'rep-1', approvalRequired: false, reasons: [] });
const approved = quoteEvent('QuoteApproved', { quoteId: 'q1', approvedBy: 'mgr-1', approverRole: 'sales_manager', reason: 'strategic account' });
const rejected = quoteEvent('QuoteRejected', { quoteId: 'q1', rejectedBy: 'mgr-1', reason: 'margin too thin' });
const sent = quoteEvent('QuoteSent', { quoteId: 'q1', sentBy: 'rep-1' });
const accepted = quoteEvent('QuoteAccepted', { quoteId: 'q1', opportunityId: 'o1', customerId: 'c1', total: cny(1_425_000) });
const declined = quoteEvent('QuoteDeclined', { quoteId: 'q1', customerId: 'c1', reason: 'went with a competitor' });
const expired = quoteEvent('QuoteExpired', { quoteId: 'q1', validUntil: '2026-04-01T00:00:00.000Z' });

/** The quote as drafted by the first event of a spec. */
const draftedView: QuoteView = {
  id: 'q1',
  opportunityId: 'o1',
  customerId: 'c1',
  ownerId: 'rep-1',
  status: 'draft',
  validUntil: '2026-04-01T00:00:00.000Z',
  lines: [
    {
      sku: 'CRM-SEAT',
      qty: 10,
      listPrice: cny(120_000),
      unitPrice: cny(120_000),
      discountPct: 15,
      promotionId: null,
      discountAmount: cny(180_000),
      netTotal: cny(1_020_000),
    },
    {
      sku: 'ONBOARD',
      qty: 1,
      listPrice: cny(500_000),
      unitPrice: cny(450_000),
      discountPct: 10,
      promotionId: 'spring-10',
      discountAmount: cny(95_000),
      netTotal: cny(405_000),
    },
  ],
  subtotal: cny(1_700_000),
  discountTotal: cny(275_000),
  total: cny(1_425_000),
  totalMinor: 1_425_000,
  currency: 'CNY',
  approvalRequired: null,
  approvalReasons: [],
  submittedBy: null,
  decidedBy: null,
  reason: null,
  draftedAt: second(1),
  updatedAt: second(1),
};
const pendingView: QuoteView = { ...draftedView, status: 'pending_approval', approvalRequired: true, approvalReasons: [aboveAuthority], submittedBy: 'rep-1' };

let spec: ReturnType<typeof projectionSpecification>;
const quote = (id = 'q1') => spec.document(QUOTE_DOCS, id);

beforeEach(() => {
  spec = projectionSpecification(quotesProjection);
});

describe('quotes projection', () => {
  describe('each quote event', () => {
    it('records a drafted quote with its priced lines, totals, owner and validity, awaiting submission', () => {
      spec.given(drafted());
      expect(quote()).toEqual(draftedView);
    });

    it('keeps of each line what the quote shows the customer, not the floor price or list total it was judged on', () => {
      spec.given(drafted());
      expect((quote() as QuoteView).lines[1]).toEqual({
        sku: 'ONBOARD',
        qty: 1,
        listPrice: cny(500_000),
        unitPrice: cny(450_000),
        discountPct: 10,
        promotionId: 'spring-10',
        discountAmount: cny(95_000),
        netTotal: cny(405_000),
      });
    });

    it('takes the drafting time from when the event occurred, not from when it is projected', () => {
      spec.given({ ...drafted(), metadata: { occurredAt: '2026-02-27T16:30:00.000Z' } });
      expect(quote()).toEqual({ ...draftedView, draftedAt: '2026-02-27T16:30:00.000Z', updatedAt: '2026-02-27T16:30:00.000Z' });
    });

    it('puts a quote submitted beyond the seller\'s authority in line for approval, with the reasons and who submitted it', () => {
      spec.given(drafted(), submittedForApproval);
      expect(quote()).toEqual({ ...pendingView, updatedAt: second(2) });
    });

    it('counts a quote submitted within the seller\'s authority as approved at once, with no one named as deciding', () => {
      spec.given(drafted(), submittedWithinAuthority);
      expect(quote()).toEqual({
        ...draftedView,
        status: 'approved',
        approvalRequired: false,
        approvalReasons: [],
        submittedBy: 'rep-1',
        decidedBy: null,
        reason: null,
        updatedAt: second(2),
      });
    });

    it('names the approver and the reason given for an approval', () => {
      spec.given(drafted(), submittedForApproval, approved);
      expect(quote()).toEqual({ ...pendingView, status: 'approved', decidedBy: 'mgr-1', reason: 'strategic account', updatedAt: second(3) });
    });

    it('leaves the reason empty when an approval gives none', () => {
      spec.given(drafted(), submittedForApproval, quoteEvent('QuoteApproved', { quoteId: 'q1', approvedBy: 'mgr-1', approverRole: 'sales_manager' }));
      expect(quote()).toEqual({ ...pendingView, status: 'approved', decidedBy: 'mgr-1', reason: null, updatedAt: second(3) });
    });

    it('names who rejected a quote and why', () => {
      spec.given(drafted(), submittedForApproval, rejected);
      expect(quote()).toEqual({ ...pendingView, status: 'rejected', decidedBy: 'mgr-1', reason: 'margin too thin', updatedAt: second(3) });
    });

    it('marks a quote sent, keeping who approved it', () => {
      spec.given(drafted(), submittedForApproval, approved, sent);
      expect(quote()).toEqual({ ...pendingView, status: 'sent', decidedBy: 'mgr-1', reason: 'strategic account', updatedAt: second(4) });
    });

    it('marks a quote accepted by the customer', () => {
      spec.given(drafted(), submittedWithinAuthority, sent, accepted);
      expect(quote()).toEqual({ ...draftedView, status: 'accepted', approvalRequired: false, submittedBy: 'rep-1', updatedAt: second(4) });
    });

    it('records the customer\'s reason for declining in place of the approval reason', () => {
      spec.given(drafted(), submittedForApproval, approved, sent, declined);
      expect(quote()).toEqual({ ...pendingView, status: 'declined', decidedBy: 'mgr-1', reason: 'went with a competitor', updatedAt: second(5) });
    });

    it('marks a quote expired once its validity ran out', () => {
      spec.given(drafted(), submittedWithinAuthority, sent, expired);
      expect(quote()).toEqual({
        ...draftedView,
        status: 'expired',
        approvalRequired: false,
        submittedBy: 'rep-1',
        updatedAt: second(4),
      });
    });
  });

  describe('whole lifecycles', () => {
    it('follows a quote from drafting through approval and sending to the customer\'s acceptance', () => {
      spec.given(drafted(), submittedForApproval);
      expect(quote()).toEqual({ ...pendingView, updatedAt: second(2) });
      spec.given(approved);
      expect(quote()).toEqual({ ...pendingView, status: 'approved', decidedBy: 'mgr-1', reason: 'strategic account', updatedAt: second(3) });
      spec.given(sent, accepted);
      expect(quote()).toEqual({
        ...draftedView,
        status: 'accepted',
        approvalRequired: true,
        approvalReasons: [aboveAuthority],
        submittedBy: 'rep-1',
        decidedBy: 'mgr-1',
        reason: 'strategic account',
        updatedAt: second(5),
      });
    });

    it('ends a quote the approver rejected as rejected, never sent', () => {
      spec.given(drafted(), submittedForApproval, rejected);
      expect(quote()).toEqual({
        ...draftedView,
        status: 'rejected',
        approvalRequired: true,
        approvalReasons: [aboveAuthority],
        submittedBy: 'rep-1',
        decidedBy: 'mgr-1',
        reason: 'margin too thin',
        updatedAt: second(3),
      });
    });

    it('ends a quote the customer declined as declined, with the customer\'s reason', () => {
      spec.given(drafted(), submittedWithinAuthority, sent, declined);
      expect(quote()).toEqual({
        ...draftedView,
        status: 'declined',
        approvalRequired: false,
        submittedBy: 'rep-1',
        reason: 'went with a competitor',
        updatedAt: second(4),
      });
    });

    it('ends a quote left unanswered past its validity as expired', () => {
      spec.given(drafted(), submittedForApproval, approved, sent, expired);
      expect(quote()).toEqual({ ...pendingView, status: 'expired', decidedBy: 'mgr-1', reason: 'strategic account', updatedAt: second(5) });
    });

    it('keeps each quote to its own document', () => {
      spec.given(drafted('q1'), drafted('q2'), quoteEvent('QuoteSubmitted', { quoteId: 'q2', submittedBy: 'rep-1', approvalRequired: false, reasons: [] }));
      expect(spec.documents(QUOTE_DOCS)).toEqual([
        draftedView,
        { ...draftedView, id: 'q2', status: 'approved', approvalRequired: false, submittedBy: 'rep-1', draftedAt: second(2), updatedAt: second(3) },
      ]);
    });
  });

  describe('what it ignores', () => {
    it('creates nothing for a quote it never saw drafted', () => {
      spec.given(
        quoteEvent('QuoteSubmitted', { quoteId: 'q9', submittedBy: 'rep-1', approvalRequired: true, reasons: [aboveAuthority] }),
        quoteEvent('QuoteApproved', { quoteId: 'q9', approvedBy: 'mgr-1', approverRole: 'sales_manager' }),
        quoteEvent('QuoteRejected', { quoteId: 'q9', rejectedBy: 'mgr-1', reason: 'no' }),
        quoteEvent('QuoteSent', { quoteId: 'q9', sentBy: 'rep-1' }),
        quoteEvent('QuoteAccepted', { quoteId: 'q9', opportunityId: 'o1', customerId: 'c1', total: cny(1) }),
        quoteEvent('QuoteDeclined', { quoteId: 'q9', customerId: 'c1', reason: 'no' }),
        quoteEvent('QuoteExpired', { quoteId: 'q9', validUntil: '2026-04-01T00:00:00.000Z' }),
      );
      expect(spec.documents(QUOTE_DOCS)).toEqual([]);
    });

    it('leaves the quotes it knows untouched by events for an unknown quote', () => {
      spec.given(drafted(), quoteEvent('QuoteSent', { quoteId: 'q9', sentBy: 'rep-1' }), quoteEvent('QuoteExpired', { quoteId: 'q9', validUntil: '2026-04-01T00:00:00.000Z' }));
      expect(spec.documents(QUOTE_DOCS)).toEqual([draftedView]);
    });

    it('listens to the eight quote events only, each naming just its own quote\'s document', () => {
      expect(quotesProjection.handles).toEqual([
        'QuoteDrafted',
        'QuoteSubmitted',
        'QuoteApproved',
        'QuoteRejected',
        'QuoteSent',
        'QuoteAccepted',
        'QuoteDeclined',
        'QuoteExpired',
      ]);
      const [recorded] = spec.given(sent);
      expect(quotesProjection.documentsFor(recorded as never)).toEqual([{ collection: QUOTE_DOCS, id: 'q1' }]);
    });

    it('is not changed by events of other kinds that mention the quote', () => {
      spec.given(
        drafted(),
        { streamId: 'order-r1', type: 'OrderPlaced', data: { orderId: 'r1', quoteId: 'q1', customerId: 'c1', total: cny(1_425_000) } },
        { streamId: 'opportunity-o1', type: 'OpportunityWon', data: { opportunityId: 'o1', quoteId: 'q1' } },
      );
      expect(spec.documents(QUOTE_DOCS)).toEqual([draftedView]);
    });
  });
});
