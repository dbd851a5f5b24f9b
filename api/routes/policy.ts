import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFound, RuleRefused } from '../../application/errors.js';
import { policyRevisions } from '../../application/policy/policyInForce.js';
import { PERMISSIONS } from '../../application/roles.js';
import { PATTERN_MAX_CHARS, PATTERN_MAX_INSTRUCTIONS } from '../../domain/compliance/claims.js';
import { policyInForce, policyRules, policyEventSchemas, PublishPolicyRevisionInput, SUPERSEDES_MAX, supersessions } from '../../domain/policy/policy.js';
import { CommandResponse, commandEnvelope, sendCommandResult } from '../commands.js';
import { HttpProblem } from '../problems.js';
import type { ApiServices } from '../services.js';

const PolicyRevisionItem = policyEventSchemas.PolicyRevisionPublished.extend({
  supersedes: z.array(z.number().int().positive()),
  supersededBy: z.number().int().positive().nullable(),
  inForce: z.boolean(),
});

export const policyRoutes =
  ({ commands: { policy }, eventStore, clock }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    /** Every revision, each marked with whether it judges what happens now and which revisions it superseded or was superseded by. */
    const revisionsNow = async () => {
      const revisions = await policyRevisions(eventStore);
      const current = policyInForce(revisions, clock.now())?.revision;
      const superseded = supersessions(revisions);
      return {
        items: revisions.map((revision) => ({
          ...revision,
          supersedes: revision.supersedes ?? [],
          supersededBy: superseded.get(revision.revision) ?? null,
          inForce: revision.revision === current,
        })),
        inForce: current ?? null,
      };
    };

    app.post(
      '/policy/revisions',
      {
        config: { allow: PERMISSIONS.publishPolicy },
        schema: {
          tags: ['policy'],
          summary: 'Publish a new revision of the company policy, in force from its effective date',
          description:
            `Revisions are numbered 1, 2, 3... A revision takes effect from \`effectiveFrom\` (any offset, kept as UTC): not in the past (a 400, POL-02), nor beyond the planning horizon, POLICY_HORIZON_DAYS after now (366 days unless configured; 422, POL-08, naming the latest date allowed), nor before a revision still scheduled (422, POL-03) unless it supersedes it: \`supersedes\` names up to ${SUPERSEDES_MAX} revisions not yet in force and not already superseded (else 422, POL-09), which then never take effect. A revision states every compliance rule (CMP-01..CMP-10) with its action (block refuses the command with 422, flag records it and raises a finding) and severity; banned claims as phrases and patterns, matched against the statement in normal form (NFKC, lower case, no white space); discount authority per role in percent (null is unlimited); whether certification is required; stage probabilities; the complaint service levels (complaintService: targets per severity, business calendars by region with a default, the reopen window, the escalation ladder, the remedy authority per role; POL-10). Patterns are RE2 syntax and run in time linear in the statement: one RE2 does not compile (lookaround, back-references, atomic groups, possessive quantifiers), one over ${PATTERN_MAX_CHARS} characters or ${PATTERN_MAX_INSTRUCTIONS} compiled instructions, or one that matches empty text, is a 400 and nothing is appended.`,
          body: PublishPolicyRevisionInput,
          response: { 201: CommandResponse.extend({ policyRevision: z.number().int().positive() }) },
        },
      },
      async (request, reply) => {
        const { result, policyRevision } = await policy.publish(request.body, commandEnvelope(request)).catch((error: unknown) => {
          // The date is judged against the clock when deciding, so that nothing is appended; it is still bad input, not a business refusal.
          if (error instanceof RuleRefused && error.refusal.refused.id === policyRules.effectiveNotPast.id) {
            throw new HttpProblem(400, 'invalid-input', 'The request is not valid', `body.effectiveFrom: ${error.refusal.detail}`, {
              errors: [{ in: 'body', field: 'effectiveFrom', message: error.refusal.detail, code: policyRules.effectiveNotPast.id }],
            });
          }
          throw error;
        });
        return sendCommandResult(reply, String(policyRevision), result, 201, { policyRevision });
      },
    );

    app.get(
      '/policy/revisions',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['policy'],
          summary: 'Every revision of the company policy, oldest first, and which is in force now',
          description:
            'Read from the policy stream itself, so a revision just published is listed at once. Each names the revisions it superseded (`supersedes`) and the one that superseded it (`supersededBy`, else null); a superseded revision is never in force.',
          response: { 200: z.object({ items: z.array(PolicyRevisionItem), inForce: z.number().int().positive().nullable() }) },
        },
      },
      async () => revisionsNow(),
    );

    app.get(
      '/policy/revisions/:n',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['policy'],
          summary: 'One revision of the company policy, by its number',
          params: z.object({ n: z.coerce.number().int().positive().max(1_000_000) }).strict(),
          response: { 200: PolicyRevisionItem },
        },
      },
      async (request) => {
        const found = (await revisionsNow()).items.find((revision) => revision.revision === request.params.n);
        if (!found) throw new NotFound('Policy revision', String(request.params.n));
        return found;
      },
    );
  };
