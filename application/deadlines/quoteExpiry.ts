import { customerDecider, customerStreamId } from '../../domain/customer/customer.js';
import { DEFAULT_BELOW_FLOOR_APPROVERS, QUOTE_CATEGORY, quoteDecider, type Quote, type QuoteCommand, type QuoteContext, type QuoteEvent } from '../../domain/quote/quote.js';
import { NotFound } from '../errors.js';
import { loadAggregate } from '../loadAggregate.js';
import { requirePolicyInForce } from '../policy/policyInForce.js';
import type { EventStore } from '../ports/eventStore.js';
import { deadlineKind } from './deadlineWatcher.js';

export const QUOTE_EXPIRY = 'quote-expiry';

/** `quote-<id>` back to the id. */
const quoteIdOf = (streamId: string) => streamId.slice(QUOTE_CATEGORY.length + 1);

/** Once a quote's validUntil has come, ExpireQuote; the quote's own rules refuse it if the quote is already final. */
export const quoteExpiry = (eventStore: EventStore) =>
  deadlineKind<Quote, QuoteCommand, QuoteEvent, QuoteContext>(QUOTE_EXPIRY, (deadline) => ({
    streamId: deadline.streamId,
    aggregate: 'Quote',
    aggregateId: quoteIdOf(deadline.streamId),
    decider: quoteDecider,
    command: { type: 'ExpireQuote' },
    expects: 'existing',
    context: async (state, base) => {
      if (state.status === 'none') throw new NotFound('Quote', quoteIdOf(deadline.streamId));
      const customer = await loadAggregate(eventStore, customerDecider, customerStreamId(state.customerId));
      if (!customer || customer.state.status !== 'registered') throw new NotFound('Customer', state.customerId);
      // Expiry reads only the clock; the lines already hold the catalog facts they were priced against.
      const { discountAuthority } = await requirePolicyInForce(eventStore, base.now);
      return {
        ...base,
        products: {},
        promotions: {},
        customer: { tier: customer.state.tier, region: customer.state.region },
        discountAuthority,
        belowFloorApprovers: DEFAULT_BELOW_FLOOR_APPROVERS,
      };
    },
    metadata: (state) => (state.status === 'none' ? {} : { customerId: state.customerId }),
  }));
