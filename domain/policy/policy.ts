import { z } from 'zod';
import { patternProblem, phraseProblem } from '../compliance/claims.js';
import { complianceRules, COMPLIANCE_RULE_IDS } from '../compliance/ruleCatalogue.js';
import { Stage } from '../opportunity/opportunity.js';
import type { Aggregate } from '../shared/aggregate.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { hasAtMostTwoDecimals } from '../shared/percent.js';

/**
 * The company's sales policy as data (articles 41-44): each revision is an event, numbered 1, 2, 3...,
 * in force from its effective instant until a later one takes over. Every check records the
 * revision that judged it, so an auditor can judge again by the same rules.
 */
export const POLICY_CATEGORY = 'policy';
const policyStreamId = (id: string) => `${POLICY_CATEGORY}-${id}`;
/** One company, one policy, one stream. */
export const POLICY_ID = 'company';
export const POLICY_STREAM_ID = policyStreamId(POLICY_ID);

const instant = (iso: string) => Date.parse(iso);

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

/** `block` refuses the command (422); `flag` lets it through and raises a finding. */
export const RuleAction = z.enum(['block', 'flag']);
export type RuleAction = z.infer<typeof RuleAction>;
export const Severity = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const RuleSetting = z.object({ action: RuleAction, severity: Severity }).strict();
export type RuleSetting = z.infer<typeof RuleSetting>;

/** RE2 syntax, matched against the statement in normal form: NFKC, lower case, no white space. */
export const BannedPattern = z
  .object({
    pattern: z.string(),
    flags: z.enum(['i', '']).optional(),
    note: z.string().optional(),
  })
  .strict();

export const BannedClaims = z.object({ phrases: z.array(z.string()), patterns: z.array(BannedPattern) }).strict();

const contentShape = {
  changeNote: z.string(),
  bannedClaims: BannedClaims,
  /** The largest discount each role may grant, in percent; null is unlimited, a role not listed may grant none. */
  discountAuthority: z.record(z.string(), z.number().nullable()),
  /** Whether a seller needs a valid certification for a product to commit on it (CMP-07). */
  certificationRequired: z.boolean(),
  /** The chance, in percent, that a deal in each stage is won; forecasts weigh the pipeline by it. */
  stageProbabilities: z.record(Stage, z.number()),
  /** Each compliance rule's action and severity, by rule id. */
  rules: z.record(z.string(), RuleSetting),
};

export const policyEventSchemas = {
  PolicyRevisionPublished: z.object({
    revision: z.number().int().positive(),
    effectiveFrom: z.iso.datetime(),
    ...contentShape,
    publishedBy: z.string(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type PolicyEvent = EventOf<typeof policyEventSchemas>;

export type PolicyRevision = z.infer<typeof policyEventSchemas.PolicyRevisionPublished>;
/** What a publisher states; the revision number, the publisher and the instant are the system's. */
export type PolicyContent = Omit<PolicyRevision, 'revision' | 'effectiveFrom' | 'publishedBy'>;

// State

export type Policy = { revisions: PolicyRevision[] };

export const initialState = (): Policy => ({ revisions: [] });

export const evolve = (state: Policy, event: PolicyEvent): Policy => ({ revisions: [...state.revisions, event.data] });

/**
 * The revision that judges what happens at `at`: the latest whose effectiveFrom is not after it.
 * Undefined before the first takes effect; the application publishes DEFAULT_POLICY first.
 */
export const policyInForce = (revisions: readonly PolicyRevision[], at: string): PolicyRevision | undefined =>
  revisions
    .filter((revision) => instant(revision.effectiveFrom) <= instant(at))
    .reduce<PolicyRevision | undefined>((latest, revision) => (!latest || revision.revision > latest.revision ? revision : latest), undefined);

// Commands

export type PublishPolicyRevision = { type: 'PublishPolicyRevision'; effectiveFrom: string } & PolicyContent;

export type PolicyCommand = PublishPolicyRevision;

export const policyRules = {
  publishedByCompliance: { id: 'POL-01', name: 'Only a compliance officer or an admin publishes the policy' },
  effectiveNotPast: { id: 'POL-02', name: 'A revision takes effect now or later, never in the past' },
  effectiveInOrder: { id: 'POL-03', name: 'A revision takes effect no earlier than the revision before it' },
  changeExplained: { id: 'POL-04', name: 'A revision says what changed' },
  claimsUsable: { id: 'POL-05', name: 'Banned claims are phrases with words in them and patterns RE2 compiles, within bounds, that do not match empty text' },
  percentages: { id: 'POL-06', name: 'Discount authority and stage probabilities are percentages from 0 to 100, to at most two decimals' },
  everyRuleSet: { id: 'POL-07', name: 'A revision sets the action and severity of every compliance rule, and of no other' },
} as const satisfies Record<string, Rule>;

const PUBLISHING_ROLES: readonly string[] = ['compliance_officer', 'admin'];

export type ContentProblem = { readonly rule: Rule; readonly detail: string; readonly path: (string | number)[] };

const isPercentage = (pct: number) => hasAtMostTwoDecimals(pct) && pct >= 0 && pct <= 100;

/** Everything wrong with a revision's content, each named by its rule and located by its path in the body. */
export const contentProblems = (content: PolicyContent): ContentProblem[] => {
  const { changeNote, bannedClaims, discountAuthority, stageProbabilities, rules } = content;
  const ruleIds = Object.keys(rules);
  return [
    ...(changeNote.trim() ? [] : [{ rule: policyRules.changeExplained, detail: 'Say what this revision changes', path: ['changeNote'] }]),
    ...bannedClaims.phrases.flatMap((phrase, index) => {
      const problem = phraseProblem(phrase);
      return problem ? [{ rule: policyRules.claimsUsable, detail: `Phrase ${index + 1}: ${problem}`, path: ['bannedClaims', 'phrases', index] }] : [];
    }),
    ...bannedClaims.patterns.flatMap(({ pattern, flags }, index) => {
      const problem = patternProblem(pattern, flags);
      return problem ? [{ rule: policyRules.claimsUsable, detail: `Pattern ${pattern}: ${problem}`, path: ['bannedClaims', 'patterns', index, 'pattern'] }] : [];
    }),
    ...Object.entries(discountAuthority).flatMap(([role, pct]) =>
      pct === null || isPercentage(pct) ? [] : [{ rule: policyRules.percentages, detail: `The ${role} authority of ${pct}% is not a percentage`, path: ['discountAuthority', role] }],
    ),
    ...Object.entries(stageProbabilities).flatMap(([stage, pct]) =>
      isPercentage(pct) ? [] : [{ rule: policyRules.percentages, detail: `The ${stage} probability of ${pct}% is not a percentage`, path: ['stageProbabilities', stage] }],
    ),
    ...COMPLIANCE_RULE_IDS.filter((id) => !ruleIds.includes(id)).map((id) => ({
      rule: policyRules.everyRuleSet,
      detail: `Rule ${id} has no action and severity`,
      path: ['rules', id],
    })),
    ...ruleIds
      .filter((id) => !COMPLIANCE_RULE_IDS.includes(id))
      .map((id) => ({ rule: policyRules.everyRuleSet, detail: `There is no compliance rule ${id}`, path: ['rules', id] })),
  ];
};

/**
 * The body of a publication, for the route: a revision that does not parse or whose content is
 * unusable (a pattern RE2 does not compile, such as a lookahead, or one beyond the bounds) fails here, a 400.
 * The effective date is judged against the clock by decide (POL-02), which the route must also treat as bad input.
 */
export const PublishPolicyRevisionInput = z
  .object({ effectiveFrom: z.iso.datetime(), ...contentShape })
  .strict()
  .superRefine((input, ctx) => {
    for (const { rule, detail, path } of contentProblems(input)) ctx.addIssue({ code: 'custom', message: `${rule.id}: ${detail}`, path });
  });

export const decide = (command: PolicyCommand, state: Policy, context: DecisionContext): PolicyEvent[] | Refusal => {
  if (!PUBLISHING_ROLES.includes(context.actor.role)) {
    return refuse(policyRules.publishedByCompliance, `A ${context.actor.role} cannot publish the policy`);
  }
  const { type: _type, effectiveFrom, ...content } = command;
  if (!(instant(effectiveFrom) >= instant(context.now))) {
    return refuse(policyRules.effectiveNotPast, `Effective from ${effectiveFrom}, before now (${context.now})`);
  }
  const previous = state.revisions.at(-1);
  // Out-of-order dates would leave a revision that is never in force; a correction takes effect at the same instant instead.
  if (previous && instant(effectiveFrom) < instant(previous.effectiveFrom)) {
    return refuse(
      policyRules.effectiveInOrder,
      `Effective from ${effectiveFrom}, before revision ${previous.revision} takes effect (${previous.effectiveFrom})`,
    );
  }
  const [problem] = contentProblems(content);
  if (problem) return refuse(problem.rule, problem.detail);
  return [
    {
      type: 'PolicyRevisionPublished',
      data: { revision: (previous?.revision ?? 0) + 1, effectiveFrom, ...content, publishedBy: context.actor.id },
    },
  ];
};

export const policyDecider: Decider<Policy, PolicyCommand, PolicyEvent> = { initialState, evolve, decide };

export const policyAggregate: Aggregate<Policy, PolicyCommand, PolicyEvent> = {
  category: POLICY_CATEGORY,
  name: 'Policy',
  streamId: policyStreamId,
  decider: policyDecider,
  events: policyEventSchemas,
};

// The embedded default

const cmp = complianceRules;

/**
 * Revision 1, which the application publishes (effective at once) when the policy stream is empty.
 * Patterns are written against the normal form of a statement: lower case, no spaces.
 */
export const DEFAULT_POLICY: PolicyContent = {
  changeNote: 'First revision: absolute claims banned, discount authority by role, certification required, stage probabilities',
  bannedClaims: {
    phrases: [
      '100%防护',
      '100%安全',
      '百分之百安全',
      '绝对安全',
      '绝对不会',
      '永不被攻破',
      '永远不会被攻破',
      '永不宕机',
      '零风险',
      '无风险',
      '无漏洞',
      '零漏洞',
      '保证不被入侵',
      '万无一失',
      '杜绝一切攻击',
      'unhackable',
      '100% secure',
      '100% protection',
      '100% safe',
      'guaranteed protection',
      'guaranteed security',
      'zero risk',
      'never be breached',
      'never be hacked',
      'bulletproof',
      'impossible to hack',
      'zero downtime guaranteed',
      'guaranteed zero downtime',
    ],
    patterns: [
      { pattern: '(?:100|百分之?百)%?(?:防护|安全|防御|拦截|阻断)', note: 'a hundred per cent protection, security or blocking' },
      { pattern: '保证(?:不会|绝不|永不|不)被?(?:入侵|攻破|攻击|黑)', note: 'guaranteeing that no intrusion will happen' },
      { pattern: '(?:永不|永远不会?|绝不会?)被?(?:攻破|入侵|黑|宕机|中断)', note: 'never breached, never down' },
      { pattern: '(?:can[\'’]?t|cannot|never|won[\'’]?t)(?:ever)?be(?:hacked|breached|compromised|penetrated)', note: 'cannot be hacked' },
      { pattern: 'guarantee[ds]?(?:100%)?(?:protection|security|secure|uptime|safety)', note: 'guaranteed protection or uptime' },
      { pattern: '100%(?:secure|safe|protect|uptime|availability|detection)', note: 'a hundred per cent claims in English' },
      { pattern: '(?:hack|breach|bullet)-?proof|risk-?free|un-?hackable', note: 'with or without the hyphen' },
    ],
  },
  discountAuthority: { sales_rep: 10, sales_manager: 25, finance: 40, admin: null },
  certificationRequired: true,
  stageProbabilities: { qualification: 10, discovery: 25, proposal: 50, negotiation: 75 },
  rules: {
    [cmp.absoluteClaims.id]: { action: 'block', severity: 'critical' },
    [cmp.catalogCapabilities.id]: { action: 'block', severity: 'high' },
    [cmp.slaWithinProduct.id]: { action: 'block', severity: 'high' },
    [cmp.floorPrice.id]: { action: 'block', severity: 'high' },
    [cmp.discountAuthority.id]: { action: 'block', severity: 'high' },
    [cmp.leadTime.id]: { action: 'flag', severity: 'medium' },
    [cmp.certification.id]: { action: 'block', severity: 'medium' },
    [cmp.promotionTerms.id]: { action: 'block', severity: 'medium' },
    [cmp.promisesKept.id]: { action: 'flag', severity: 'medium' },
  },
};
