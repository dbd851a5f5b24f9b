import type { FastifyContextConfig, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { CommandEnvelope, CommandResult } from '../application/commandPipeline.js';
import { commandEnvelope, commandResponses, sendCommandResult } from './commands.js';
import { IdParams } from './schemas.js';

type ZodApp = Parameters<FastifyPluginAsyncZod>[0];

/** One command on an existing aggregate, named by the `:id` in its url. */
export type ActionRoute<Body extends z.ZodType> = {
  config: FastifyContextConfig;
  summary: string;
  description?: string;
  body: Body;
  /** 201 where the command adds something inside the aggregate (a contact, a training). */
  status?: 200 | 201;
  /** The command service call: the body as parsed, the caller's envelope, and the request for what derives from it. */
  handle: (id: string, body: z.output<Body>, envelope: CommandEnvelope, request: FastifyRequest) => Promise<CommandResult>;
};

/**
 * Registers a file's action routes (POST /<aggregate>/:id/<verb>): parse, call the command
 * service, answer the result like every other command.
 */
export const actionRoutes =
  (app: ZodApp, { tags, params = IdParams }: { tags: string[]; params?: z.ZodType<{ id: string }> }) =>
  <Body extends z.ZodType>(url: string, { config, summary, description, body, status = 200, handle }: ActionRoute<Body>): void => {
    app.post(
      url,
      {
        config,
        schema: { tags, summary, ...(description !== undefined ? { description } : {}), params, body, response: { [status]: commandResponses[status] } },
      },
      async (request, reply) => {
        const envelope = commandEnvelope(request);
        // The validator has parsed the body with `body`; fastify just cannot name that type while `Body` is generic.
        const result = await handle(request.params.id, request.body as z.output<Body>, envelope, request);
        return sendCommandResult(reply, request.params.id, result, status);
      },
    );
  };
