import { beforeEach, describe, expect, it } from 'vitest';
import type { Money } from '../../domain/shared/money.js';
import { customerStreamsProjection, TIED_STREAMS } from '../../projections/customerStreams/customerStreamsProjection.js';
import { projectionSpecification, type GivenEvent } from '../support/projectionSpecification.js';

const cny = (minor: number): Money => ({ minor, currency: 'CNY' });

const tied = (customerId: string, streamId: string, category: string, firstPosition: number) => ({
  id: `${customerId}|${streamId}`,
  customerId,
  streamId,
  category,
  firstPosition,
});

const quoteDrafted = (quoteId: string, customerId: string, metadataCustomerId: string | undefined = customerId): GivenEvent => ({
  streamId: `quote-${quoteId}`,
  type: 'QuoteDrafted',
  data: {
    quoteId,
    opportunityId: 'o1',
    customerId,
    ownerId: 'rep-1',
    validUntil: '2026-04-01T00:00:00.000Z',
    lines: [],
    subtotal: cny(800_000),
    discountTotal: cny(0),
    total: cny(800_000),
  },
  ...(metadataCustomerId !== undefined ? { metadata: { customerId: metadataCustomerId } } : {}),
});
const quoteSubmitted = (quoteId: string, metadata?: Record<string, unknown>): GivenEvent => ({
  streamId: `quote-${quoteId}`,
  type: 'QuoteSubmitted',
  data: { quoteId, submittedBy: 'rep-1', approvalRequired: false, reasons: [] },
  ...(metadata ? { metadata } : {}),
});

let spec: ReturnType<typeof projectionSpecification>;

beforeEach(() => {
  spec = projectionSpecification(customerStreamsProjection);
});

describe('customer streams projection', () => {
  it('ties a stream to the customer its command named in metadata, when the data names none', () => {
    spec.given(quoteSubmitted('q1', { customerId: 'c1' }));
    expect(spec.documents(TIED_STREAMS)).toEqual([tied('c1', 'quote-q1', 'quote', 1)]);
  });

  it('ties a stream to the customer its data names, when the metadata names none', () => {
    spec.given({ streamId: 'customer-c1', type: 'CustomerRegistered', data: { customerId: 'c1', name: 'Acme Bank', industry: 'finance', region: 'east' } });
    expect(spec.documents(TIED_STREAMS)).toEqual([tied('c1', 'customer-c1', 'customer', 1)]);
  });

  it('ties a stream once when metadata and data name the same customer', () => {
    spec.given(quoteDrafted('q1', 'c1'));
    expect(spec.documents(TIED_STREAMS)).toEqual([tied('c1', 'quote-q1', 'quote', 1)]);
  });

  it('ties a stream to both customers when metadata and data name different ones', () => {
    spec.given(quoteDrafted('q1', 'c2', 'c1'));
    expect(spec.documents(TIED_STREAMS)).toEqual([tied('c1', 'quote-q1', 'quote', 1), tied('c2', 'quote-q1', 'quote', 1)]);
  });

  it('keeps the position of the first event that tied the stream to the customer', () => {
    spec.given(
      { streamId: 'lead-l1', type: 'LeadQualified', data: { leadId: 'l1', note: 'budget confirmed' } },
      quoteDrafted('q1', 'c1'),
      quoteSubmitted('q1', { customerId: 'c1' }),
      {
        streamId: 'quote-q1',
        type: 'QuoteAccepted',
        data: { quoteId: 'q1', opportunityId: 'o1', customerId: 'c1', total: cny(800_000) },
        metadata: { customerId: 'c1' },
      },
    );
    expect(spec.documents(TIED_STREAMS)).toEqual([tied('c1', 'quote-q1', 'quote', 2)]);
  });

  it('ties a stream already tied to one customer to another from the first event naming that one', () => {
    spec.given(quoteDrafted('q1', 'c1'), quoteSubmitted('q1', { customerId: 'c1' }), quoteSubmitted('q1', { customerId: 'c2' }), quoteDrafted('q1', 'c2'));
    expect(spec.documents(TIED_STREAMS)).toEqual([tied('c1', 'quote-q1', 'quote', 1), tied('c2', 'quote-q1', 'quote', 3)]);
  });

  it("lists every stream of a customer's dealings, each with the category its stream id begins with", () => {
    spec.given(
      { streamId: 'customer-c1', type: 'CustomerRegistered', data: { customerId: 'c1', name: 'Acme Bank', industry: 'finance', region: 'east' } },
      {
        streamId: 'opportunity-o-2026-7',
        type: 'OpportunityWon',
        data: { opportunityId: 'o-2026-7', customerId: 'c1', amount: cny(800_000) },
        metadata: { customerId: 'c1' },
      },
      {
        streamId: 'promise-p1',
        type: 'PromiseFulfilled',
        data: { promiseId: 'p1', customerId: 'c1', evidence: 'signed delivery report' },
        metadata: { customerId: 'c1' },
      },
    );
    expect(spec.documents(TIED_STREAMS)).toEqual([
      tied('c1', 'customer-c1', 'customer', 1),
      // Only up to the first dash: the id after it may hold dashes of its own.
      tied('c1', 'opportunity-o-2026-7', 'opportunity', 2),
      tied('c1', 'promise-p1', 'promise', 3),
    ]);
  });

  it('ties nothing for events naming no customer, in metadata or data', () => {
    spec.given(
      { streamId: 'product-sku-core', type: 'ProductRetired', data: { sku: 'sku-core', reason: 'end of life' } },
      {
        streamId: 'rep-rep-1',
        type: 'RepHired',
        data: { actorId: 'rep-1', name: 'Li Wei', team: 'east', role: 'sales_rep' },
        metadata: { actorId: 'admin-1' },
      },
      quoteSubmitted('q1'),
    );
    expect(spec.documents(TIED_STREAMS)).toEqual([]);
  });

  it('ties nothing for an empty or non-text customer id', () => {
    spec.given(
      quoteSubmitted('q1', { customerId: '' }),
      quoteSubmitted('q2', { customerId: 42 }),
      { streamId: 'customer-c1', type: 'RiskFlagRaised', data: { customerId: '', reason: 'overdue invoices' }, metadata: { customerId: null } },
    );
    expect(spec.documents(TIED_STREAMS)).toEqual([]);
  });

  it('ties nothing for events of types outside the event catalog, even naming a customer', () => {
    spec.given({ streamId: 'legacy-x1', type: 'LegacyContractImported', data: { customerId: 'c1' }, metadata: { customerId: 'c1' } });
    expect(spec.documents(TIED_STREAMS)).toEqual([]);
  });
});
