import type { Document } from '../../application/ports/readStore.js';
import type { QuoteEvent, QuoteStatus } from '../../domain/quote/quote.js';
import type { Money } from '../../domain/shared/money.js';
import { listIndexes, type ListQuery, type Projection } from '../projection.js';

export const QUOTES = 'quotes';
export const QUOTE_DOCS = 'quotes';

export type QuoteLineView = {
  sku: string;
  qty: number;
  listPrice: Money;
  unitPrice: Money;
  discountPct: number;
  promotionId: string | null;
  discountAmount: Money;
  netTotal: Money;
};

export type QuoteView = Document & {
  opportunityId: string;
  customerId: string;
  ownerId: string;
  status: QuoteStatus;
  validUntil: string;
  lines: QuoteLineView[];
  subtotal: Money;
  discountTotal: Money;
  total: Money;
  totalMinor: number;
  currency: string;
  /** Null until submitted. */
  approvalRequired: boolean | null;
  approvalReasons: string[];
  submittedBy: string | null;
  /** Who approved or rejected it, and why. */
  decidedBy: string | null;
  /** The reason given for an approval, a rejection or a decline. */
  reason: string | null;
  draftedAt: string;
  updatedAt: string;
};

/** The quotes as `GET /views/quotes` filters and sorts them. */
export const QUOTE_LIST: ListQuery<'drafted' | '-drafted' | 'total' | '-total' | 'validUntil' | '-validUntil'> = {
  collection: QUOTE_DOCS,
  filters: {
    opportunityId: { field: 'opportunityId', match: 'equal' },
    customerId: { field: 'customerId', match: 'equal' },
    ownerId: { field: 'ownerId', match: 'equal' },
    status: { field: 'status', match: 'equal' },
    currency: { field: 'currency', match: 'equal' },
  },
  scopedBy: 'ownerId',
  sorts: {
    drafted: { field: 'draftedAt', direction: 'asc' },
    '-drafted': { field: 'draftedAt', direction: 'desc' },
    total: { field: 'totalMinor', direction: 'asc' },
    '-total': { field: 'totalMinor', direction: 'desc' },
    validUntil: { field: 'validUntil', direction: 'asc' },
    '-validUntil': { field: 'validUntil', direction: 'desc' },
  },
};

/** Every quote with its priced lines and where it stands in approval, sending and the customer's answer. */
export const quotesProjection: Projection<QuoteEvent['type']> = {
  name: QUOTES,
  version: 1,
  collections: [
    {
      name: QUOTE_DOCS,
      indexes: {
        status: 'string',
        customerId: 'string',
        opportunityId: 'string',
        ownerId: 'string',
        totalMinor: 'number',
        currency: 'string',
        validUntil: 'string',
        draftedAt: 'string',
      },
      compoundIndexes: listIndexes(QUOTE_LIST),
    },
  ],
  queries: [QUOTE_LIST],
  handles: ['QuoteDrafted', 'QuoteSubmitted', 'QuoteApproved', 'QuoteRejected', 'QuoteSent', 'QuoteAccepted', 'QuoteDeclined', 'QuoteExpired'],
  documentsFor: (event) => [{ collection: QUOTE_DOCS, id: event.data.quoteId }],
  apply(event, view) {
    const at = String(event.metadata.occurredAt);
    if (event.type === 'QuoteDrafted') {
      const { quoteId, opportunityId, customerId, ownerId, validUntil, lines, subtotal, discountTotal, total } = event.data;
      const drafted: QuoteView = {
        id: quoteId,
        opportunityId,
        customerId,
        ownerId,
        status: 'draft',
        validUntil,
        lines: lines.map((l) => ({
          sku: l.sku,
          qty: l.qty,
          listPrice: l.listPrice,
          unitPrice: l.unitPrice,
          discountPct: l.discountPct,
          promotionId: l.promotionId ?? null,
          discountAmount: l.discountAmount,
          netTotal: l.netTotal,
        })),
        subtotal,
        discountTotal,
        total,
        totalMinor: total.minor,
        currency: total.currency,
        approvalRequired: null,
        approvalReasons: [],
        submittedBy: null,
        decidedBy: null,
        reason: null,
        draftedAt: at,
        updatedAt: at,
      };
      view.put(QUOTE_DOCS, drafted);
      return;
    }
    const current = view.get(QUOTE_DOCS, event.data.quoteId) as QuoteView | null;
    if (!current) return;
    const put = (changes: Partial<QuoteView>) => view.put(QUOTE_DOCS, { ...current, ...changes, updatedAt: at });
    switch (event.type) {
      case 'QuoteSubmitted': {
        const { approvalRequired, reasons, submittedBy } = event.data;
        return put({ status: approvalRequired ? 'pending_approval' : 'approved', approvalRequired, approvalReasons: reasons, submittedBy });
      }
      case 'QuoteApproved':
        return put({ status: 'approved', decidedBy: event.data.approvedBy, reason: event.data.reason ?? null });
      case 'QuoteRejected':
        return put({ status: 'rejected', decidedBy: event.data.rejectedBy, reason: event.data.reason });
      case 'QuoteSent':
        return put({ status: 'sent' });
      case 'QuoteAccepted':
        return put({ status: 'accepted' });
      case 'QuoteDeclined':
        return put({ status: 'declined', reason: event.data.reason });
      case 'QuoteExpired':
        return put({ status: 'expired' });
    }
  },
};
