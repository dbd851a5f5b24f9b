import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { PromiseKind, STATEMENT_MAX_CHARS } from '../../domain/promise/promise.js';
import { Money } from '../../domain/shared/money.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { CalendarDay, Reason, ShortText, Uuid } from '../schemas.js';
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
    deliveryDate: CalendarDay.optional(),
    price: Money.optional(),
  })
  .strict();

export const promiseRoutes =
  ({ commands: { promises } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const PromiseBody = z
      .object({
        id: Uuid.optional(),
        customerId: Uuid,
        opportunityId: Uuid.optional(),
        kind: PromiseKind,
        statement: Statement,
        sku: ShortText(100).optional(),
        committed: CommittedInput.default({}),
        dueDate: CalendarDay,
      })
      .strict();
    const answer = commandResponses[201].extend({ findings: z.array(z.string()) });

    app.post(
      '/promises',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['promises'],
          summary: 'Record what a seller committed to a customer, in the words said',
          description:
            'statement is free text in any language, kept as given. committed holds the figures a compliance check judges: capability (with sku) for capability, availabilityPct or responseHours for sla, deliveryDate for delivery, price for price. The seller is the caller: madeBy, when sent, must name the caller (422 PRM-12 otherwise; a manager records a seller\'s promise through /promises/on-behalf). The promise is always recorded (the words were said); the checks then run under the policy in force and findings lists the id of each finding raised; position is that of the last append, the findings included, so ?after= on the findings view sees them.',
          body: PromiseBody.extend({ madeBy: ShortText(200).optional() }).strict(),
          response: { 201: answer },
        },
      },
      async (request, reply) => {
        const promiseId = newStreamId(request, request.body.id);
        const { id: _id, ...promise } = request.body;
        const { result, findings } = await promises.record({ promiseId, ...promise }, commandEnvelope(request));
        return sendCommandResult(reply, promiseId, result, 201, { findings });
      },
    );

    app.post(
      '/promises/on-behalf',
      {
        config: { allow: ['sales_manager', 'admin'] },
        schema: {
          tags: ['promises'],
          summary: "Record a promise one of your sellers made, in the seller's name (their manager or an admin)",
          description:
            'As POST /promises, with madeBy naming the seller who said it. Only the seller\'s manager on the roster, or an admin, may (PRM-12); the event records both the seller (madeBy) and who recorded it (recordedBy), and the findings name the seller.',
          body: PromiseBody.extend({ madeBy: ShortText(200) }).strict(),
          response: { 201: answer },
        },
      },
      async (request, reply) => {
        const promiseId = newStreamId(request, request.body.id);
        const { id: _id, ...promise } = request.body;
        const { result, findings } = await promises.recordOnBehalf({ promiseId, ...promise }, commandEnvelope(request));
        return sendCommandResult(reply, promiseId, result, 201, { findings });
      },
    );

    const action = actionRoutes(app, { tags: ['promises'] });

    action('/promises/:id/fulfil', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Record that a promise was kept, with the evidence',
      body: z.object({ evidence: z.string().trim().min(1).max(4000) }).strict(),
      handle: (id, fulfilment, envelope) => promises.fulfil(id, fulfilment, envelope),
    });

    action('/promises/:id/break', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Record that a promise was broken, and why',
      body: z.object({ reason: Reason }).strict(),
      handle: (id, breach, envelope) => promises.break(id, breach, envelope),
    });

    action('/promises/:id/withdraw', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Withdraw a promise, with the reason',
      body: z.object({ reason: Reason }).strict(),
      handle: (id, withdrawal, envelope) => promises.withdraw(id, withdrawal, envelope),
    });
  };
