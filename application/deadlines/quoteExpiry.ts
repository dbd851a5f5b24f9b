import type { QuoteCommands } from '../commands/quoteCommands.js';
import { aggregateIdOf, type DeadlineKind } from './deadlineWatcher.js';

export const QUOTE_EXPIRY = 'quote-expiry';

/** Once a quote's validUntil has come, expire it; the quote's own rules refuse it if the quote is already final. */
export const quoteExpiry = (quotes: QuoteCommands): DeadlineKind => ({
  kind: QUOTE_EXPIRY,
  issue: (deadline, envelope) => quotes.expire(aggregateIdOf(deadline), envelope),
});
