import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerHistory, customerHistoryPage, CustomerHistoryWalk } from '../../application/audit/customerHistory.js';
import { verifyCustomer } from '../../application/audit/customerVerification.js';
import { recheckPromise } from '../../application/audit/promiseRecheck.js';
import { ClaimExplanation } from '../../domain/compliance/claimDetector.js';
import { PERMISSIONS } from '../../application/roles.js';
import { CUSTOMER_STREAMS, tiedStreamsOf } from '../../projections/customerStreams/customerStreamsProjection.js';
import { awaitPosition } from '../readYourWrites.js';
import { AfterPosition, ChainBreakOut, IdParams, Instant, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const HistoryEntryOut = z.object({
  position: z.number(),
  streamId: z.string(),
  revision: z.number(),
  eventId: z.string(),
  type: z.string(),
  occurredAt: z.string(),
  actor: z.object({ id: z.string(), role: z.string() }).nullable(),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  state: z.unknown(),
});

const HistoryOut = z.object({
  customerId: z.string(),
  asOf: z.string(),
  streams: z.array(z.string()).describe('The streams with an event in `events`, the customer\'s own first: for the whole history, every stream with an event by `asOf`'),
  events: z.array(HistoryEntryOut),
  aggregates: z.record(z.string(), z.unknown()).describe('Each of those streams\' aggregate after its last event in `events`: for the whole history, as it stood at `asOf`'),
  nextCursor: z.string().nullable().describe('Pass it back as `cursor` (with the same `asOf`, or none) for the next page; null on the last page and for the whole history'),
});

/** The events a page holds when `cursor` comes without `limit`. */
const HISTORY_PAGE = 100;
const JSON_LINES = 'application/x-ndjson';
/** How much of a JSON Lines answer is written at once. */
const JSON_LINES_CHUNK_CHARS = 64 * 1024;

/** Whether the Accept header ranks JSON Lines at least as high as JSON (by q, exact media types only). */
const prefersJsonLines = (accept: string | undefined): boolean => {
  const quality = (type: string) =>
    Math.max(
      0,
      ...(accept ?? '').split(',').flatMap((range) => {
        const [media, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
        if (media !== type) return [];
        const q = parameters.find((parameter) => parameter.startsWith('q='));
        return [q === undefined ? 1 : Number(q.slice(2)) || 0];
      }),
    );
  const jsonLines = quality(JSON_LINES);
  return jsonLines > 0 && jsonLines >= quality('application/json');
};

/** One event a line, written a chunk at a time as the walk reads it, never the whole history at once. */
async function* jsonLines(walk: CustomerHistoryWalk): AsyncGenerator<string> {
  let chunk = '';
  for await (const entry of walk.entries()) {
    chunk += `${JSON.stringify(entry)}\n`;
    if (chunk.length >= JSON_LINES_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

const TIED_STREAMS_NOTE =
  'The streams tied to a customer are found through the customer_streams view, which follows the log: after a write, pass its position as `after` (or `X-After-Position`) to wait until the view has it.';

export const auditRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const { eventStore, views, clock } = services;

    app.get(
      '/audit/customers/:id/history',
      {
        config: { allow: PERMISSIONS.audit },
        schema: {
          tags: ['audit'],
          summary: "Replay a customer's dealings as they stood at a moment",
          description: [
            'Every event of every stream tied to the customer (its own, and each opportunity, lead, quote, promise or order that named it), in log order, up to `asOf` (an ISO-8601 time; omitted means now).',
            'Each event comes with the state its aggregate had right after it. Personal data (contact names, phone numbers, e-mail addresses) stays sealed, exactly as stored: auditors do not read personal data, and the stored bytes let their own tools recompute every hash.',
            'Three answers, by what the request asks:',
            `- With \`limit\` (1 to 1000) or \`cursor\`: a page of up to \`limit\` events (${HISTORY_PAGE} when only \`cursor\` is given) in log order, \`streams\` and \`aggregates\` covering the streams on the page. Pass \`nextCursor\` back as \`cursor\`, with the same \`asOf\` (or none), for the next page; it is null on the last. A cursor is opaque and signed: one edited, or sent with another customer or \`asOf\`, is a 400. Each page folds the streams from their first event, so a page deep in a long history takes longer than the first: to read everything, ask for JSON Lines.`,
            `- Otherwise, with \`Accept: ${JSON_LINES}\` (ranked at least as high as \`application/json\`): the whole history as JSON Lines, one event a line as in \`events\`, written as it is read, in memory that does not grow with the history; the \`X-As-Of\` header gives the moment replayed.`,
            '- Otherwise the whole history in one answer, as before pages (with `nextCursor` null): `streams` lists every stream with an event by `asOf`, `aggregates` every aggregate as it stood then. For a long history prefer pages or JSON Lines.',
            TIED_STREAMS_NOTE,
          ].join('\n\n'),
          params: IdParams,
          querystring: z
            .object({
              asOf: Instant.optional(),
              after: AfterPosition,
              limit: z.coerce.number().int().min(1).max(1000).optional(),
              cursor: z.string().max(200).optional(),
            })
            .strict(),
          response: {
            200: {
              description: 'The history, whole or a page (JSON), or whole as JSON Lines',
              content: {
                'application/json': { schema: HistoryOut },
                [JSON_LINES]: { schema: HistoryEntryOut.describe('One line of the JSON Lines answer: one event') },
              },
            },
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { asOf, after, limit, cursor } = request.query;
        // Bound to the customer and the asOf asked for, so a cursor serves only the history it came from.
        const bound = JSON.stringify(['audit-history', id, asOf ?? null]);
        const from = cursor === undefined ? -1 : Number(views.cursors.open(cursor, bound));
        await awaitPosition(services, request, [CUSTOMER_STREAMS], after);
        const tiedStreams = await tiedStreamsOf(views, id);
        const at = asOf ?? clock.now();
        if (limit !== undefined || cursor !== undefined) {
          const page = await customerHistoryPage(eventStore, id, tiedStreams, at, { after: from, limit: limit ?? HISTORY_PAGE });
          const { nextAfter, ...answer } = page;
          return { ...answer, nextCursor: nextAfter === null ? null : views.cursors.sign(String(nextAfter), bound) };
        }
        if (prefersJsonLines(request.headers.accept)) {
          const walk = await CustomerHistoryWalk.open(eventStore, id, tiedStreams, at);
          const lines = Readable.from(jsonLines(walk), { objectMode: false });
          // Fastify writes a stream as it comes, unserialized; the reply's type knows only the schemas' shapes.
          return reply.type(`${JSON_LINES}; charset=utf-8`).header('x-as-of', walk.asOf).send(lines as never);
        }
        return { ...(await customerHistory(eventStore, id, tiedStreams, at)), nextCursor: null };
      },
    );

    app.get(
      '/audit/customers/:id/verify',
      {
        config: { allow: PERMISSIONS.audit },
        schema: {
          tags: ['audit'],
          summary: 'Recompute the hash chain of every stream tied to a customer',
          description: [
            'Answers `intact: true` with the number of streams and events checked, or `intact: false` with the first broken stream and where its chain breaks (`hash_mismatch`: the event was altered; `prev_hash_mismatch`: an event before it was removed or replaced; `revision_gap`: revisions are missing).',
            TIED_STREAMS_NOTE,
          ].join('\n\n'),
          params: IdParams,
          querystring: z.object({ after: AfterPosition }).strict(),
          response: {
            200: z.object({
              customerId: z.string(),
              intact: z.boolean(),
              streams: z.number(),
              events: z.number(),
              brokenStream: z.string().optional(),
              breaksAt: ChainBreakOut.optional(),
              broken: z.array(z.object({ streamId: z.string(), breaksAt: ChainBreakOut })).optional(),
            }),
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        await awaitPosition(services, request, [CUSTOMER_STREAMS], request.query.after);
        return verifyCustomer(eventStore, id, await tiedStreamsOf(views, id));
      },
    );

    app.post(
      '/audit/recheck',
      {
        config: { allow: PERMISSIONS.audit, problems: [404] },
        schema: {
          tags: ['audit'],
          summary: 'Judge a past promise again under any policy revision (what-if); appends nothing',
          description:
            "Runs the compliance rules of `policyRevision` over the promise as it was recorded, against the product and the seller's certifications as they stood at that moment, so only the policy differs. `recordedUnder` is the revision the promise was recorded under, when known. 404 for an unknown promise or revision.",
          body: z.object({ promiseId: Uuid, policyRevision: z.number().int().positive() }).strict(),
          response: {
            200: z.object({
              promiseId: z.string(),
              policyRevision: z.number(),
              recordedUnder: z.number().nullable(),
              factsAsOf: z.string(),
              violations: z.array(
                z.object({
                  rule: z.object({ id: z.string(), name: z.string() }),
                  severity: z.string(),
                  action: z.string(),
                  detail: z.string(),
                  policyRevision: z.number(),
                  claims: z.array(ClaimExplanation).optional(),
                }),
              ),
            }),
          },
        },
      },
      async (request) => recheckPromise(eventStore, request.body.promiseId, request.body.policyRevision),
    );
  };
