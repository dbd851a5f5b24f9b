import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { Money } from '../../domain/shared/money.js';
import { Period } from '../../domain/shared/period.js';
import { TargetMetric, TargetSubjectKind } from '../../domain/target/target.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, sendCommandResult } from '../commands.js';
import { Reason, ShortText } from '../schemas.js';
import type { ApiServices } from '../services.js';

/** Whether the figure fits the measure and is above zero is the target's rule (TGT-03, TGT-04), answered by name. */
const Figure = { amount: Money.optional(), count: z.number().int().optional() };

export const targetRoutes =
  ({ commands: { targets } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/targets',
      {
        config: { allow: PERMISSIONS.setTargets },
        schema: {
          tags: ['incentives'],
          summary: 'Set a target for a rep, a team or a region, for a month, quarter or year, on one measure',
          description:
            'period is a month (2026-11), a quarter (2026-Q4) or a year (2026) of the company calendar (Asia/Shanghai). bookings, gross_margin and collected take an amount; new_customers a count (TGT-03). A rep must be on the roster and a team have someone on it (TGT-02). A sales manager sets the targets of their own reps and their own team, an admin any, no one their own (TGT-05). One target per subject, period and measure: a second is 409, a change is a revision. A team\'s target is its own figure: it need not equal the sum of its reps\'.',
          body: z.object({ subject: z.object({ kind: TargetSubjectKind, id: ShortText(200) }).strict(), period: Period, metric: TargetMetric, ...Figure }).strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { targetId, result } = await targets.set(request.body, commandEnvelope(request));
        return sendCommandResult(reply, targetId, result, 201);
      },
    );

    actionRoutes(app, { tags: ['incentives'] })('/targets/:id/revise', {
      config: { allow: PERMISSIONS.setTargets },
      summary: 'Revise a target, saying why (TGT-06); the statements already closed keep the figure they read',
      body: z.object({ ...Figure, reason: Reason }).strict(),
      handle: (id, revision, envelope) => targets.revise(id, revision, envelope),
    });
  };
