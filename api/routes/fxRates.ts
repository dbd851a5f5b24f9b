import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { Rate } from '../../domain/fx/fxRate.js';
import { commandEnvelope, commandResponses, sendCommandResult } from '../commands.js';
import { CalendarDay } from '../schemas.js';
import type { ApiServices } from '../services.js';

const Currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code in capitals, such as CNY');

export const fxRateRoutes =
  ({ commands: { fxRates } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/fx-rates',
      {
        config: { allow: PERMISSIONS.recordCash },
        schema: {
          tags: ['incentives'],
          summary: 'Record an exchange rate (finance): units of `to` for one unit of `from`, in use from a company day',
          description:
            'rate is a decimal string (7.1234), never a float, at most 8 decimals. A deal in another currency than its incentive plan is credited at the latest rate valid on or before the day it is credited, and the statement line names the rate and its event. One rate per pair a day (FX-03). The answer\'s id is the pair, FROM-TO.',
          body: z.object({ from: Currency, to: Currency, rate: Rate, validOn: CalendarDay }).strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { pairId, result } = await fxRates.record(request.body, commandEnvelope(request));
        return sendCommandResult(reply, pairId, result, 201);
      },
    );
  };
