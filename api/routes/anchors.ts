import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { latestAnchor } from '../../application/anchors/anchorLog.js';
import { verifyLatestAnchor, verifySuppliedAnchor } from '../../application/anchors/anchorVerification.js';
import { PERMISSIONS } from '../../application/roles.js';
import { AnchorStatement, ExportedAnchor, Sha256Hex } from '../../domain/anchor/anchor.js';
import { CommandResponse, commandEnvelope, sendCommandResult } from '../commands.js';
import { ChainBreakOut } from '../schemas.js';
import type { ApiServices } from '../services.js';

/** An exported anchor holds every stream's head, so it outgrows the usual body limit on a long log. */
const ANCHOR_BODY_LIMIT = 64 * 1024 * 1024;

const Link = z.object({ revision: z.number().int(), hash: z.string() });
const VerificationOut = z.object({
  intact: z.boolean(),
  source: z.enum(['log', 'supplied']),
  anchor: AnchorStatement.extend({ hash: Sha256Hex }),
  signature: z.enum(['valid', 'invalid', 'unknown_key']),
  sealConsistent: z.boolean(),
  inAnchorLog: z.enum(['recorded', 'missing', 'different']),
  logHead: z.number().nullable(),
  compared: z.boolean(),
  truncated: z.array(z.object({ streamId: z.string(), anchored: Link, found: Link.nullable() })),
  rewritten: z.array(z.object({ streamId: z.string(), anchored: Link, found: Link.nullable() })),
  missing: z.array(z.object({ streamId: z.string(), anchored: Link })),
  added: z.array(z.object({ streamId: z.string(), found: Link })),
  broken: z.array(z.object({ streamId: z.string(), breaksAt: ChainBreakOut })),
});

const VERIFICATION_NOTE = [
  '`signature` is `valid` only for this system\'s key (`unknown_key` for another key id or algorithm); `sealConsistent` says the hash and the Merkle root recomputed from the statement and the heads are the ones stated. Unless both hold, the log is not compared (`compared: false`): unsigned heads prove nothing.',
  'Then each stream is compared with its sealed head: `truncated`, the stream now ends below the sealed revision (its newest events were removed); `rewritten`, the sealed revision holds another event or none (an edit, a chain recomputed by hand, or a removed end written over at the same revisions), or events were slipped in before the anchor\'s position; `missing`, no event of a sealed stream is left; `added`, a stream the anchor does not know has events before its position; `broken`, a hash chain that breaks anywhere in the log. `inAnchorLog` says whether the anchor stream still holds this anchor, and `logHead` below `anchor.position` means the log lost its end.',
  '`intact` is true only when all of that holds. The whole log is read, so this takes a while on a long one.',
].join('\n\n');

export const anchorRoutes =
  ({ commands: { anchors }, eventStore, anchorVerifier }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/audit/anchors',
      {
        config: { allow: PERMISSIONS.audit },
        schema: {
          tags: ['audit'],
          summary: 'Take an anchor now: seal every stream head of the log under the anchor key',
          description: [
            'Appends an anchor to the `anchor-log` stream holding the log\'s head position (`anchor.position`), the Merkle root (RFC 6962, sha256) over every stream\'s head (stream id, revision, hash) as of that position, the hash of the anchor before it, and an Ed25519 signature with the anchor key, which is kept outside the data directory. Anchors are also taken on a schedule (`ANCHOR_INTERVAL_MS`).',
            'The answer\'s own `position` is where the anchor event itself landed. A log that no longer continues what the last anchor sealed (its end removed, a sealed event replaced) is refused with 422 naming the streams (ANC-02, ANC-03), and nothing is appended.',
          ].join('\n\n'),
          body: z.object({}).strict().default({}),
          response: {
            201: CommandResponse.extend({
              anchor: AnchorStatement.extend({ hash: Sha256Hex, changed: z.number().int().describe('How many stream heads moved since the anchor before') }),
            }),
          },
        },
      },
      async (request, reply) => {
        const { result, anchor } = await anchors.record({ trigger: 'request' }, commandEnvelope(request));
        const { changed, signature: _signature, ...sealed } = anchor;
        return sendCommandResult(reply, String(anchor.sequence), result, 201, { anchor: { ...sealed, changed: changed.length } });
      },
    );

    app.get(
      '/audit/anchors/latest',
      {
        config: { allow: PERMISSIONS.audit, problems: [404] },
        schema: {
          tags: ['audit'],
          summary: 'Export the newest anchor, self-contained, to keep it somewhere the log cannot reach',
          description:
            'Everything needed to check the log against it later: the signed statement (`sequence`, `position`, `createdAt`, `previous`, `root`, `streamCount`, `keyId`, `algorithm`), its `hash` (sha256 of the statement\'s RFC 8785 canonical JSON), its `signature` (Ed25519 over those same bytes, base64) and every stream\'s head, sorted by stream id, from which the root is recomputed. Keep it with a notary, in a WORM bucket or on a ticket, and hand it back to `POST /audit/anchors/verify`. 404 before the first anchor.',
          response: { 200: ExportedAnchor },
        },
      },
      async () => latestAnchor(eventStore),
    );

    app.get(
      '/audit/anchors/verify',
      {
        config: { allow: PERMISSIONS.audit, problems: [404] },
        schema: {
          tags: ['audit'],
          summary: 'Check the log against the newest anchor it holds',
          description: `404 before the first anchor. Someone who can edit the files can also cut the newest anchors: to rule that out, verify an anchor kept elsewhere with POST.\n\n${VERIFICATION_NOTE}`,
          response: { 200: VerificationOut },
        },
      },
      async () => verifyLatestAnchor(eventStore, anchorVerifier),
    );

    app.post(
      '/audit/anchors/verify',
      {
        config: { allow: PERMISSIONS.audit },
        bodyLimit: ANCHOR_BODY_LIMIT,
        schema: {
          tags: ['audit'],
          summary: 'Check the log against an anchor kept elsewhere, as GET /audit/anchors/latest exported it',
          description: `The body is the exported anchor, unchanged; one that is not of that shape is a 400. A forged or altered anchor answers 200 with \`intact: false\` and says why (\`signature\`, \`sealConsistent\`).\n\n${VERIFICATION_NOTE}`,
          body: ExportedAnchor,
          response: { 200: VerificationOut },
        },
      },
      async (request) => verifySuppliedAnchor(eventStore, anchorVerifier, request.body),
    );
  };
