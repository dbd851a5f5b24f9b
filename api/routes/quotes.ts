import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandEnvelope } from '../../application/commandPipeline.js';
import { blockedByPolicy, ComplianceChecks, judgeQuote } from '../../application/compliance/complianceChecks.js';
import { NotFound } from '../../application/errors.js';
import { loadAggregate } from '../../application/loadAggregate.js';
import { requirePolicyInForce } from '../../application/policy/policyInForce.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import { PERMISSIONS } from '../../application/roles.js';
import { productDecider, productFacts, productStreamId, type ProductFacts } from '../../domain/catalog/product.js';
import { promotionDecider, promotionFacts, promotionStreamId, type PromotionFacts } from '../../domain/catalog/promotion.js';
import { customerDecider, customerStreamId } from '../../domain/customer/customer.js';
import { opportunityDecider, opportunityStreamId } from '../../domain/opportunity/opportunity.js';
import { DEFAULT_BELOW_FLOOR_APPROVERS, quoteDecider, quoteStreamId, type QuoteCommand, type QuoteContext } from '../../domain/quote/quote.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { Instant, MoneyInput, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const QuoteLineInput = z
  .object({
    sku: ShortText(100),
    qty: z.number().int().min(1).max(1_000_000_000),
    unitPrice: MoneyInput,
    // Out of range is bad input; more than two decimals is the quote's rule QUO-05, answered by name.
    discountPct: z.number().min(0).max(100),
    promotionId: Uuid.optional(),
  })
  .strict();

/** Action routes without a body still accept `{}` (or nothing at all). */
const NoBody = z.object({}).strict().default({});

/** Commands the policy judges: the discount authority (submit, approve, reject) or the compliance checks (send). */
const JUDGED_BY_POLICY: ReadonlySet<QuoteCommand['type']> = new Set(['SubmitQuote', 'ApproveQuote', 'RejectQuote', 'SendQuote']);

/** Sending is checked against the policy before the quote goes out: a `block` refuses it, a `flag` raises a finding once sent. */
const quoteCommandDecider = blockedByPolicy(quoteDecider);

const customerOf = async (eventStore: EventStore, customerId: string): Promise<QuoteContext['customer']> => {
  const customer = await loadAggregate(eventStore, customerDecider, customerStreamId(customerId));
  if (!customer || customer.state.status !== 'registered') throw new NotFound('Customer', customerId);
  return { tier: customer.state.tier, region: customer.state.region };
};

/** The catalog facts of each distinct key, or 404 for the first one the catalog does not know. */
const factsOf = async <T>(keys: string[], load: (key: string) => Promise<T | undefined>, what: string): Promise<Record<string, T>> => {
  const facts: Record<string, T> = {};
  for (const key of new Set(keys)) {
    const found = await load(key);
    if (!found) throw new NotFound(what, key);
    facts[key] = found;
  }
  return facts;
};

export const quoteRoutes =
  ({ pipeline, eventStore }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const checks = new ComplianceChecks({ eventStore, pipeline });
    const product = async (sku: string): Promise<ProductFacts | undefined> => {
      const loaded = await loadAggregate(eventStore, productDecider, productStreamId(sku));
      return loaded ? productFacts(loaded.state) : undefined;
    };
    const promotion = async (promotionId: string): Promise<PromotionFacts | undefined> => {
      const loaded = await loadAggregate(eventStore, promotionDecider, promotionStreamId(promotionId));
      return loaded ? promotionFacts(loaded.state) : undefined;
    };

    const act = async (id: string, command: QuoteCommand, envelope: CommandEnvelope) => {
      const sending = command.type === 'SendQuote';
      const result = await pipeline.handle({
        streamId: quoteStreamId(id),
        aggregate: 'Quote',
        aggregateId: id,
        decider: quoteCommandDecider,
        command,
        expects: 'existing',
        envelope,
        context: async (state, base) => {
          if (state.status === 'none') throw new NotFound('Quote', id);
          // Once drafted, the lines hold the catalog facts they were priced against; only the policy is read afresh.
          const policy = await requirePolicyInForce(eventStore, base.now);
          const violations = sending ? (await judgeQuote(eventStore, await eventStore.readStream(quoteStreamId(id)), policy, base.now)).violations : [];
          return {
            ...base,
            products: {},
            promotions: {},
            customer: await customerOf(eventStore, state.customerId),
            discountAuthority: policy.discountAuthority,
            belowFloorApprovers: DEFAULT_BELOW_FLOOR_APPROVERS,
            policyVersion: policy.revision,
            violations,
          };
        },
        metadata: (state, _events, context) =>
          state.status === 'none'
            ? {}
            : { customerId: state.customerId, ...(JUDGED_BY_POLICY.has(command.type) ? { policyVersion: context.policyVersion } : {}) },
      });
      // A retry of the send replays its findings rather than raising them again.
      if (sending) await checks.afterCommand(result);
      return result;
    };

    app.post(
      '/quotes',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['quotes'],
          summary: 'Draft a quote for an opportunity, priced from the catalog',
          description:
            'Money in integer minor units. Totals are computed: subtotal at list price, discountTotal, total. The customer and owner come from the opportunity; every sku and promotion must be in the catalog (404 otherwise).',
          body: z
            .object({
              id: Uuid.optional(),
              opportunityId: Uuid,
              lines: z.array(QuoteLineInput).max(200),
              validUntil: Instant,
            })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const quoteId = newStreamId(request, request.body.id);
        const { opportunityId, lines, validUntil } = request.body;
        const opportunity = await loadAggregate(eventStore, opportunityDecider, opportunityStreamId(opportunityId));
        if (!opportunity || opportunity.state.status === 'none') throw new NotFound('Opportunity', opportunityId);
        const { customerId, ownerId, status } = opportunity.state;
        const result = await pipeline.handle({
          streamId: quoteStreamId(quoteId),
          aggregate: 'Quote',
          aggregateId: quoteId,
          decider: quoteDecider,
          command: { type: 'DraftQuote', quoteId, opportunityId, customerId, ownerId, lines, validUntil },
          expects: 'new',
          envelope: commandEnvelope(request),
          context: async (_state, base) => ({
            ...base,
            products: await factsOf(lines.map((l) => l.sku), product, 'Product'),
            promotions: await factsOf(lines.flatMap((l) => (l.promotionId ? [l.promotionId] : [])), promotion, 'Promotion'),
            customer: await customerOf(eventStore, customerId),
            opportunity: { status },
            // Drafting prices the lines; the authority only judges them from submission on.
            discountAuthority: (await requirePolicyInForce(eventStore, base.now)).discountAuthority,
            belowFloorApprovers: DEFAULT_BELOW_FLOOR_APPROVERS,
          }),
          metadata: () => ({ customerId }),
        });
        return sendCommandResult(reply, quoteId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['quotes'], act });

    action('/quotes/:id/submit', {
      config: { allow: PERMISSIONS.sell },
      summary: "Submit a draft; a discount above the submitter's authority, or a price below floor, then awaits approval",
      body: NoBody,
      command: () => ({ type: 'SubmitQuote' }),
    });

    action('/quotes/:id/approve', {
      config: { allow: PERMISSIONS.decideDiscounts },
      summary:
        'Approve a quote awaiting approval: someone other than the submitter, whose authority covers its discount and, for a price below the floor, a sales manager, finance or admin',
      body: z.object({ reason: Reason.optional() }).strict().default({}),
      command: ({ reason }) => ({ type: 'ApproveQuote', ...(reason ? { reason } : {}) }),
    });

    action('/quotes/:id/reject', {
      config: { allow: PERMISSIONS.decideDiscounts },
      summary: 'Reject a quote awaiting approval, with the reason',
      body: z.object({ reason: Reason }).strict(),
      command: ({ reason }) => ({ type: 'RejectQuote', reason }),
    });

    action('/quotes/:id/send', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Send a submitted (and, where needed, approved) quote to the customer, checked against the policy in force',
      description:
        "A rule whose policy action is block (a price below floor or a discount beyond the submitter's authority with no approval on record, an uncertified seller, a misused promotion) refuses the send with 422, naming the rule and the policy version; one whose action is flag lets it go and raises a finding on the QuoteSent.",
      body: NoBody,
      command: () => ({ type: 'SendQuote' }),
    });

    action('/quotes/:id/accept', {
      config: { allow: PERMISSIONS.sell },
      summary: "Record the customer's acceptance of a sent quote",
      body: NoBody,
      command: () => ({ type: 'AcceptQuote' }),
    });

    action('/quotes/:id/decline', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Record that the customer declined a sent quote, and why',
      body: z.object({ reason: Reason }).strict(),
      command: ({ reason }) => ({ type: 'DeclineQuote', reason }),
    });
  };
