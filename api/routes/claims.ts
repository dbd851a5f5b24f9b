import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkClaims } from '../../application/compliance/claimCheck.js';
import { ROLES } from '../../application/roles.js';
import { ClaimExplanation, ClearedClaim } from '../../domain/compliance/claimDetector.js';
import { RuleSetting } from '../../domain/policy/policy.js';
import { STATEMENT_MAX_CHARS } from '../../domain/promise/promise.js';
import { ShortText } from '../schemas.js';
import type { ApiServices } from '../services.js';

/** As a promise's statement: at most STATEMENT_MAX_CHARS characters as a reader counts them (PRM-02). */
const Statement = z
  .string()
  .min(1)
  .max(2 * STATEMENT_MAX_CHARS)
  .refine((statement) => [...statement].length <= STATEMENT_MAX_CHARS, `at most ${STATEMENT_MAX_CHARS} characters`);

export const claimRoutes =
  ({ eventStore, clock }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/compliance/claims/check',
      {
        config: { allow: ROLES, problems: [404] },
        schema: {
          tags: ['compliance'],
          summary: 'Check a draft statement for false claims (CMP-01) before it is said; records nothing',
          description:
            'Judges the statement as CMP-01 would judge a promise saying it: under the policy revision in force, or `asOfRevision`, with the current catalog entry of `sku` (which backs a service level within its maximum). `verdict` is flag or clear; each of `claims` names its category (superlative, absolute, guarantee), where it stands in the statement (`start`/`end`, UTF-16 offsets as String.slice counts them, and `text`), and the lexicon phrase, banned phrase or pattern, or structure with its words, that matched. `cleared` lists what looked like a claim and is not, with the reason: negated, hedged, quoted (someone else\'s words, refuted) or backed. Any role; the rate limit per key applies. 404 for an unknown revision or sku.',
          body: z.object({ statement: Statement, sku: ShortText(100).optional(), asOfRevision: z.number().int().positive().max(1_000_000).optional() }).strict(),
          response: {
            200: z.object({
              verdict: z.enum(['flag', 'clear']),
              rule: z.object({ id: z.string(), name: z.string() }),
              setting: RuleSetting.nullable(),
              policyRevision: z.number().int().positive(),
              sku: z.string().nullable(),
              claims: z.array(ClaimExplanation),
              cleared: z.array(ClearedClaim),
            }),
          },
        },
      },
      async (request) => checkClaims(eventStore, clock.now(), request.body),
    );
  };
