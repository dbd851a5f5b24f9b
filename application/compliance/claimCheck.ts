import { productDecider, productFacts, productStreamId } from '../../domain/catalog/product.js';
import type { ClaimExplanation, ClearedClaim } from '../../domain/compliance/claimDetector.js';
import { complianceRules } from '../../domain/compliance/ruleCatalogue.js';
import { judgeStatement } from '../../domain/compliance/rules.js';
import type { RuleSetting } from '../../domain/policy/policy.js';
import type { Rule } from '../../domain/shared/decider.js';
import { NotFound } from '../errors.js';
import { loadAggregate } from '../loadAggregate.js';
import { policyRevision, requirePolicyInForce } from '../policy/policyInForce.js';
import type { EventStore } from '../ports/eventStore.js';

export type ClaimCheckRequest = { statement: string; sku?: string | undefined; asOfRevision?: number | undefined };

export type ClaimCheck = {
  /** flag: CMP-01 would raise a finding on a promise saying this; clear: it would not. */
  verdict: 'flag' | 'clear';
  rule: Rule;
  /** What the revision does with CMP-01 (on a recorded promise it is always a flag: the words were said). */
  setting: RuleSetting | null;
  policyRevision: number;
  sku: string | null;
  claims: ClaimExplanation[];
  /** What looked like a claim and is not one, and why: denied, hedged, someone else's words refuted, or a service level the catalog backs. */
  cleared: ClearedClaim[];
};

/**
 * A draft statement judged as CMP-01 would judge a promise saying it, under the revision in force
 * now or any revision named, with the product's current catalog entry. Reads only; records nothing,
 * so a seller's tool can check words before they are said.
 */
export const checkClaims = async (eventStore: EventStore, now: string, { statement, sku, asOfRevision }: ClaimCheckRequest): Promise<ClaimCheck> => {
  const policy = asOfRevision === undefined ? await requirePolicyInForce(eventStore, now) : await policyRevision(eventStore, asOfRevision);
  if (!policy) throw new NotFound('Policy revision', String(asOfRevision));
  const product = sku ? productFacts((await loadAggregate(eventStore, productDecider, productStreamId(sku)))?.state ?? productDecider.initialState()) : undefined;
  if (sku && !product) throw new NotFound('Product', sku);
  const { flagged, cleared } = judgeStatement(statement, policy, product);
  return {
    verdict: flagged.length > 0 ? 'flag' : 'clear',
    rule: complianceRules.absoluteClaims,
    setting: policy.rules[complianceRules.absoluteClaims.id] ?? null,
    policyRevision: policy.revision,
    sku: sku ?? null,
    claims: flagged,
    cleared,
  };
};
