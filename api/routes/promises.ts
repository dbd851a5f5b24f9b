import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandEnvelope } from '../../application/commandPipeline.js';
import { ComplianceChecks } from '../../application/compliance/complianceChecks.js';
import { NotFound } from '../../application/errors.js';
import { loadAggregate } from '../../application/loadAggregate.js';
import { requirePolicyInForce } from '../../application/policy/policyInForce.js';
import { PERMISSIONS } from '../../application/roles.js';
import { productStreamId } from '../../domain/catalog/product.js';
import { customerStreamId } from '../../domain/customer/customer.js';
import { opportunityDecider, opportunityStreamId } from '../../domain/opportunity/opportunity.js';
import { promiseDecider, promiseStreamId, PromiseKind, STATEMENT_MAX_CHARS, type PromiseCommand } from '../../domain/promise/promise.js';
import { Money } from '../../domain/shared/money.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

/**
 * Kept exactly as said, untrimmed. The length rule (PRM-02, in characters as a reader counts
 * them) is the promise's; this bound only stops absurd bodies, and every statement within the
 * rule passes it, since no character takes more than two UTF-16 units.
 */
const Statement = z.string().min(1).max(2 * STATEMENT_MAX_CHARS);

/**
 * Figures are checked for type here; whether they are possible (availability up to 100%, no
 * negative price) is the promise's rule PRM-04, answered by name.
 */
const CommittedInput = z
  .object({
    capability: z.string().min(1).max(1000).optional(),
    availabilityPct: z.number().optional(),
    responseHours: z.number().optional(),
    deliveryDate: z.iso.date().optional(),
    price: Money.optional(),
  })
  .strict();

export const promiseRoutes =
  ({ pipeline, eventStore }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const checks = new ComplianceChecks({ eventStore, pipeline });
    const mustExist = async (what: string, streamId: string, id: string) => {
      const found = await eventStore.readStream(streamId, { maxCount: 1 });
      if (found.length === 0) throw new NotFound(what, id);
    };
    const opportunityOf = async (opportunityId: string) => {
      const loaded = await loadAggregate(eventStore, opportunityDecider, opportunityStreamId(opportunityId));
      if (!loaded || loaded.state.status === 'none') throw new NotFound('Opportunity', opportunityId);
      return { customerId: loaded.state.customerId };
    };

    const act = (id: string, command: PromiseCommand, envelope: CommandEnvelope) =>
      pipeline.handle({
        streamId: promiseStreamId(id),
        aggregate: 'Promise',
        aggregateId: id,
        decider: promiseDecider,
        command,
        expects: 'existing',
        envelope,
        metadata: (state) => (state.status === 'none' ? {} : { customerId: state.customerId }),
      });

    app.post(
      '/promises',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['promises'],
          summary: 'Record what a seller committed to a customer, in the words said',
          description:
            'statement is free text in any language, kept as given. committed holds the figures a compliance check judges: capability (with sku) for capability, availabilityPct or responseHours for sla, deliveryDate for delivery, price for price. madeBy defaults to the caller. The promise is always recorded (the words were said); the checks then run under the policy in force and findings lists the id of each finding raised.',
          body: z
            .object({
              id: Uuid.optional(),
              customerId: Uuid,
              opportunityId: Uuid.optional(),
              kind: PromiseKind,
              statement: Statement,
              sku: ShortText(100).optional(),
              committed: CommittedInput.default({}),
              dueDate: z.iso.date(),
              madeBy: ShortText(200).optional(),
            })
            .strict(),
          response: { 201: commandResponses[201].extend({ findings: z.array(z.string()) }) },
        },
      },
      async (request, reply) => {
        const promiseId = newStreamId(request, request.body.id);
        const { customerId, opportunityId, kind, statement, sku, committed, dueDate, madeBy } = request.body;
        const result = await pipeline.handle({
          streamId: promiseStreamId(promiseId),
          aggregate: 'Promise',
          aggregateId: promiseId,
          decider: promiseDecider,
          command: {
            type: 'RecordPromise',
            promiseId,
            customerId,
            ...(opportunityId !== undefined ? { opportunityId } : {}),
            kind,
            statement,
            ...(sku !== undefined ? { sku } : {}),
            committed,
            dueDate,
            madeBy: madeBy ?? request.actor.id,
          },
          expects: 'new',
          envelope: commandEnvelope(request),
          context: async (_state, base) => {
            await mustExist('Customer', customerStreamId(customerId), customerId);
            const opportunity = opportunityId === undefined ? undefined : await opportunityOf(opportunityId);
            if (sku !== undefined) await mustExist('Product', productStreamId(sku), sku);
            return {
              ...base,
              policyVersion: (await requirePolicyInForce(eventStore, base.now)).revision,
              // Whose deal it is is the promise's rule PRM-11 to judge.
              ...(opportunity ? { opportunity } : {}),
            };
          },
          metadata: (_state, _events, context) => ({ customerId, policyVersion: context.policyVersion }),
        });
        // Recorded first, whatever the checks find: refusing to record it would hide what was said.
        const findings = await checks.afterCommand(result);
        return sendCommandResult(reply, promiseId, result, 201, { findings });
      },
    );

    const action = actionRoutes(app, { tags: ['promises'], act });

    action('/promises/:id/fulfil', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Record that a promise was kept, with the evidence',
      body: z.object({ evidence: z.string().trim().min(1).max(4000) }).strict(),
      command: ({ evidence }) => ({ type: 'FulfilPromise', evidence }),
    });

    action('/promises/:id/break', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Record that a promise was broken, and why',
      body: z.object({ reason: Reason }).strict(),
      command: ({ reason }) => ({ type: 'BreakPromise', reason }),
    });

    action('/promises/:id/withdraw', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Withdraw a promise, with the reason',
      body: z.object({ reason: Reason }).strict(),
      command: ({ reason }) => ({ type: 'WithdrawPromise', reason }),
    });
  };
