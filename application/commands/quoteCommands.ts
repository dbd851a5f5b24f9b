import { productAggregate, productFacts, type ProductFacts } from '../../domain/catalog/product.js';
import { promotionAggregate, promotionFacts, type PromotionFacts } from '../../domain/catalog/promotion.js';
import { customerAggregate } from '../../domain/customer/customer.js';
import { opportunityAggregate } from '../../domain/opportunity/opportunity.js';
import {
  DEFAULT_BELOW_FLOOR_APPROVERS,
  quoteAggregate,
  type ApprovalFacts,
  type ApproveQuote,
  type AuthorityFacts,
  type DeclineQuote,
  type DraftingFacts,
  type DraftQuote,
  type Quote,
  type RejectQuote,
  type DealOwnerFacts,
} from '../../domain/quote/quote.js';
import type { DecisionContext } from '../../domain/shared/decider.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { judgeQuote, type ComplianceChecks } from '../compliance/complianceChecks.js';
import { NotFound } from '../errors.js';
import { stateOf } from '../loadAggregate.js';
import { requirePolicyInForce } from '../policy/policyInForce.js';
import type { EventStore } from '../ports/eventStore.js';
import { rosterEntry } from '../roster.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

export type QuoteDraft = Pick<DraftQuote, 'quoteId' | 'opportunityId' | 'lines' | 'validUntil'>;

/** Quotes (articles 4, 16): priced from the catalog, approved where the discount needs it, sent under the policy's checks. */
export const quoteCommands = (pipeline: CommandPipeline, eventStore: EventStore, checks: ComplianceChecks) => {
  const quotes = new AggregateCommands(pipeline, quoteAggregate);

  /** The catalog facts of each distinct key, or NotFound for the first one the catalog does not know. */
  const catalogFacts = async <T>(keys: string[], what: string, facts: (key: string) => Promise<T | undefined>): Promise<Record<string, T>> => {
    const found: Record<string, T> = {};
    for (const key of new Set(keys)) {
      const fact = await facts(key);
      if (!fact) throw new NotFound(what, key);
      found[key] = fact;
    }
    return found;
  };

  const draftingFacts = async ({ lines }: QuoteDraft, customerId: string, opportunity: DraftingFacts['opportunity']): Promise<DraftingFacts> => {
    const products = await catalogFacts(lines.map((l) => l.sku), productAggregate.name, async (sku): Promise<ProductFacts | undefined> => {
      const product = await stateOf(eventStore, productAggregate, sku);
      return product && productFacts(product);
    });
    const promotions = await catalogFacts(lines.flatMap((l) => (l.promotionId ? [l.promotionId] : [])), promotionAggregate.name, async (id): Promise<PromotionFacts | undefined> => {
      const promotion = await stateOf(eventStore, promotionAggregate, id);
      return promotion && promotionFacts(promotion);
    });
    const customer = await stateOf(eventStore, customerAggregate, customerId);
    if (customer?.status !== 'registered') throw new NotFound(customerAggregate.name, customerId);
    return { products, promotions, customer: { tier: customer.tier, region: customer.region }, opportunity };
  };

  /** Who owns the quote's deal now (a reassignment moves it), and their roster entry: the seller side of a quote acts for them. */
  const ownerOfDeal = async (quote: Quote): Promise<DealOwnerFacts> => {
    if (quote.status === 'none') return { owner: undefined, dealOwnerId: '' };
    const opportunity = await stateOf(eventStore, opportunityAggregate, quote.opportunityId);
    const dealOwnerId = opportunity && opportunity.status !== 'none' ? opportunity.ownerId : quote.ownerId;
    return { owner: await rosterEntry(eventStore, dealOwnerId), dealOwnerId };
  };

  /** The discount authority of the policy in force when the command is decided. */
  const authority = async (_quote: unknown, { now }: DecisionContext): Promise<AuthorityFacts> => {
    const policy = await requirePolicyInForce(eventStore, now);
    return { discountAuthority: policy.discountAuthority, policyVersion: policy.revision };
  };

  const approverFacts = async (quote: Quote, base: DecisionContext): Promise<ApprovalFacts> => ({
    ...(await authority(quote, base)),
    belowFloorApprovers: DEFAULT_BELOW_FLOOR_APPROVERS,
    dealOwnerId: (await ownerOfDeal(quote)).dealOwnerId,
  });

  return {
    /** Priced against the catalog as it stands; the customer and the owner are the opportunity's. NotFound for an unknown opportunity, sku or promotion. */
    async draft(draft: QuoteDraft, envelope: CommandEnvelope) {
      const opportunity = await stateOf(eventStore, opportunityAggregate, draft.opportunityId);
      if (!opportunity || opportunity.status === 'none') throw new NotFound(opportunityAggregate.name, draft.opportunityId);
      const { customerId, ownerId, status } = opportunity;
      return quotes.create(draft.quoteId, { type: 'DraftQuote', ...draft, customerId, ownerId }, envelope, {
        facts: async () => ({ ...(await draftingFacts(draft, customerId, { status })), owner: await rosterEntry(eventStore, ownerId) }),
      });
    },
    submit: (quoteId: string, envelope: CommandEnvelope) =>
      quotes.act(quoteId, { type: 'SubmitQuote' }, envelope, { facts: async (quote, base) => ({ ...(await authority(quote, base)), ...(await ownerOfDeal(quote)) }) }),
    approve: (quoteId: string, approval: Payload<ApproveQuote>, envelope: CommandEnvelope) =>
      quotes.act(quoteId, { type: 'ApproveQuote', ...approval }, envelope, { facts: approverFacts }),
    reject: (quoteId: string, rejection: Payload<RejectQuote>, envelope: CommandEnvelope) =>
      quotes.act(quoteId, { type: 'RejectQuote', ...rejection }, envelope, { facts: approverFacts }),

    /** Judged by the compliance rules of the policy in force first; a finding is raised for each flag on what went out. */
    async send(quoteId: string, envelope: CommandEnvelope) {
      const result = await quotes.act(quoteId, { type: 'SendQuote' }, envelope, {
        facts: async (quote, { now }) => {
          const policy = await requirePolicyInForce(eventStore, now);
          const { violations } = await judgeQuote(eventStore, await eventStore.readStream(quoteAggregate.streamId(quoteId)), policy, now);
          return { violations, policyVersion: policy.revision, ...(await ownerOfDeal(quote)) };
        },
      });
      // A retry of the send replays its findings rather than raising them again; the answer's position is past them.
      return (await checks.withFindings(result)).result;
    },
    accept: (quoteId: string, envelope: CommandEnvelope) => quotes.act(quoteId, { type: 'AcceptQuote' }, envelope, { facts: ownerOfDeal }),
    decline: (quoteId: string, decline: Payload<DeclineQuote>, envelope: CommandEnvelope) =>
      quotes.act(quoteId, { type: 'DeclineQuote', ...decline }, envelope, { facts: ownerOfDeal }),
    /** Issued by the deadline watcher once the quote's validity has run out. */
    expire: (quoteId: string, envelope: CommandEnvelope) => quotes.act(quoteId, { type: 'ExpireQuote' }, envelope),
  };
};

export type QuoteCommands = ReturnType<typeof quoteCommands>;
