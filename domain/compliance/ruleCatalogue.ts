import type { Rule } from '../shared/decider.js';

/**
 * The rules of honest selling (article 4) by id and name. The policy sets each one's action and
 * severity, and the checks in rules.ts judge by them; this list depends on neither, so the
 * policy can name the rules without importing the checks that read the policy.
 */
export const complianceRules = {
  absoluteClaims: { id: 'CMP-01', name: 'No absolute or guaranteeing claims' },
  catalogCapabilities: { id: 'CMP-02', name: 'Claim only the capabilities the catalog lists' },
  slaWithinProduct: { id: 'CMP-03', name: 'No SLA beyond what the product offers' },
  floorPrice: { id: 'CMP-04', name: 'No price below the floor without approval' },
  discountAuthority: { id: 'CMP-05', name: "No discount beyond the seller's authority without approval" },
  leadTime: { id: 'CMP-06', name: 'No delivery date the lead time cannot meet' },
  certification: { id: 'CMP-07', name: 'Commit only on products you are certified for' },
  promotionTerms: { id: 'CMP-08', name: 'Promotions only inside their window and eligibility' },
  promisesKept: { id: 'CMP-09', name: 'Promises are kept by their due date' },
  promisesNotComplainedOf: { id: 'CMP-10', name: 'No customer complains of a false or unkept promise' },
} as const satisfies Record<string, Rule>;

export const COMPLIANCE_RULE_IDS: readonly string[] = Object.values(complianceRules).map((rule) => rule.id);
