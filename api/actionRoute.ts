import type { FastifyContextConfig, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { CommandEnvelope, CommandResult } from '../application/commandPipeline.js';
import { commandEnvelope, commandResponses, sendCommandResult } from './commands.js';
import { IdParams } from './schemas.js';

type ZodApp = Parameters<FastifyPluginAsyncZod>[0];

/** One command on an existing aggregate, named by the `:id` in its url. */
export type ActionRoute<Body extends z.ZodType, Command> = {
  config: FastifyContextConfig;
  summary: string;
  description?: string;
  body: Body;
  /** 201 where the command adds something inside the aggregate (a contact, a training). */
  status?: 200 | 201;
  /** Built before the envelope, as the routes always did: both may refuse a bad Idempotency-Key. */
  command: (body: z.output<Body>, request: FastifyRequest) => Command;
};

/**
 * Registers a file's action routes (POST /<aggregate>/:id/<verb>): each hands the command its
 * body builds to `act` and answers the result like every other command.
 */
export const actionRoutes =
  <Command>(
    app: ZodApp,
    {
      tags,
      act,
      params = IdParams,
    }: {
      tags: string[];
      act: (id: string, command: Command, envelope: CommandEnvelope) => Promise<CommandResult>;
      params?: z.ZodType<{ id: string }>;
    },
  ) =>
  <Body extends z.ZodType>(url: string, { config, summary, description, body, status = 200, command }: ActionRoute<Body, Command>): void => {
    app.post(
      url,
      {
        config,
        schema: { tags, summary, ...(description !== undefined ? { description } : {}), params, body, response: { [status]: commandResponses[status] } },
      },
      async (request, reply) => {
        // The validator has parsed the body with `body`; fastify just cannot name that type while `Body` is generic.
        const result = await act(request.params.id, command(request.body as z.output<Body>, request), commandEnvelope(request));
        return sendCommandResult(reply, request.params.id, result, status);
      },
    );
  };
