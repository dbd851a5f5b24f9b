import { z } from 'zod';
import { ComplaintServiceLevels, DEFAULT_COMPLAINT_SERVICE_LEVELS, serviceLevelProblems } from '../complaint/serviceLevels.js';
import { ClaimLexicon, DEFAULT_CLAIM_LEXICON, lexiconProblems } from '../compliance/claimLexicon.js';
import { patternProblem, phraseProblem } from '../compliance/claims.js';
import { complianceRules, COMPLIANCE_RULE_IDS } from '../compliance/ruleCatalogue.js';
import { Stage } from '../opportunity/opportunity.js';
import type { Aggregate } from '../shared/aggregate.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { hasAtMostTwoDecimals } from '../shared/percent.js';

/**
 * The company's sales policy as data (articles 41-44): each revision is an event, numbered 1, 2, 3...,
 * in force from its effective instant until a later one takes over. A revision still scheduled can be
 * superseded by a later publication and then never takes effect. Every check records the revision
 * that judged it, so an auditor can judge again by the same rules.
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
  /**
   * The false-claim detector's lexicon and structures (CMP-01). A revision stored before revisions
   * carried one is read with the default (claimLexiconOf); a publication without one keeps the
   * lexicon of the revision before it.
   */
  claims: ClaimLexicon.optional(),
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
    /** The complaint service levels; absent from revisions published before complaints were kept. A publication without them keeps those of the revision before it. */
    complaintService: ComplaintServiceLevels.optional(),
    /** The scheduled revisions this one replaces before they took effect; absent when it replaces none, as on every revision stored before supersession. */
    supersedes: z.array(z.number().int().positive()).optional(),
    publishedBy: z.string(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type PolicyEvent = EventOf<typeof policyEventSchemas>;

export type PolicyRevision = z.infer<typeof policyEventSchemas.PolicyRevisionPublished>;
/** What a publisher states; the revision number, the publisher and the instant are the system's. */
export type PolicyContent = Omit<PolicyRevision, 'revision' | 'effectiveFrom' | 'supersedes' | 'publishedBy'>;

// State

export type Policy = { revisions: PolicyRevision[] };

export const initialState = (): Policy => ({ revisions: [] });

export const evolve = (state: Policy, event: PolicyEvent): Policy => ({ revisions: [...state.revisions, event.data] });

/** The lexicon a revision judges claims by: its own, or the default for a revision stored before revisions carried one. */
export const claimLexiconOf = (revision: Pick<PolicyRevision, 'claims'> | undefined): ClaimLexicon => revision?.claims ?? DEFAULT_CLAIM_LEXICON;

/** Which revision superseded each superseded one, by number. */
export const supersessions = (revisions: readonly PolicyRevision[]): ReadonlyMap<number, number> =>
  new Map(revisions.flatMap(({ revision, supersedes = [] }) => supersedes.map((superseded) => [superseded, revision] as const)));

/**
 * The revision that judges what happens at `at`: the latest whose effectiveFrom is not after it,
 * leaving out superseded ones. Only a revision not yet in force is ever superseded, so leaving it
 * out changes the answer for no instant that had already passed: it was never in force.
 * Undefined before the first takes effect; the application publishes DEFAULT_POLICY first.
 */
export const policyInForce = (revisions: readonly PolicyRevision[], at: string): PolicyRevision | undefined => {
  const superseded = supersessions(revisions);
  return revisions
    .filter((revision) => !superseded.has(revision.revision) && instant(revision.effectiveFrom) <= instant(at))
    .reduce<PolicyRevision | undefined>((latest, revision) => (!latest || revision.revision > latest.revision ? revision : latest), undefined);
};

// Commands

export type PublishPolicyRevision = { type: 'PublishPolicyRevision'; effectiveFrom: string; supersedes?: number[] } & PolicyContent;

export type PolicyCommand = PublishPolicyRevision;

/** How far ahead a revision may take effect: the configured number of days, and the last instant they allow, counted from now by the command service. */
export type PlanningHorizon = { readonly days: number; readonly endsAt: string };

export type PolicyFacts = { readonly PublishPolicyRevision: { readonly planningHorizon: PlanningHorizon } };

export const policyRules = {
  publishedByCompliance: { id: 'POL-01', name: 'Only a compliance officer or an admin publishes the policy' },
  effectiveNotPast: { id: 'POL-02', name: 'A revision takes effect now or later, never in the past' },
  effectiveInOrder: { id: 'POL-03', name: 'A revision takes effect no earlier than the revisions before it, unless it supersedes them' },
  changeExplained: { id: 'POL-04', name: 'A revision says what changed' },
  claimsUsable: {
    id: 'POL-05',
    name: 'Banned claims are phrases with words in them and patterns RE2 compiles, within bounds, that do not match empty text; the claim lexicon likewise has words in every entry',
  },
  percentages: { id: 'POL-06', name: 'Discount authority and stage probabilities are percentages from 0 to 100, to at most two decimals' },
  everyRuleSet: { id: 'POL-07', name: 'A revision sets the action and severity of every compliance rule, and of no other' },
  withinHorizon: { id: 'POL-08', name: 'A revision takes effect within the planning horizon' },
  supersedesScheduled: { id: 'POL-09', name: 'Only a revision not yet in force, and not already superseded, can be superseded' },
  complaintServiceSet: {
    id: 'POL-10',
    name: 'A revision has complaint service levels, its own or those of the revision before it: first response before resolution, a default calendar with working hours, a ladder that climbs one level at a time',
  },
} as const satisfies Record<string, Rule>;

/** Far more than anyone supersedes at once: a longer list is malformed input, not a correction. */
export const SUPERSEDES_MAX = 20;

const PUBLISHING_ROLES: readonly string[] = ['compliance_officer', 'admin'];

export type ContentProblem = { readonly rule: Rule; readonly detail: string; readonly path: (string | number)[] };

const isPercentage = (pct: number) => hasAtMostTwoDecimals(pct) && pct >= 0 && pct <= 100;

/** A publication without the section keeps the one before it, so only a section given is judged here. */
const complaintServiceProblems = (section: ComplaintServiceLevels | undefined): ContentProblem[] =>
  (section ? serviceLevelProblems(section) : []).map(({ detail, path }) => ({ rule: policyRules.complaintServiceSet, detail, path: ['complaintService', ...path] }));

/** Everything wrong with a revision's content, each named by its rule and located by its path in the body. */
export const contentProblems = (content: PolicyContent): ContentProblem[] => {
  const { changeNote, bannedClaims, claims, discountAuthority, stageProbabilities, rules } = content;
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
    ...(claims ? lexiconProblems(claims) : []).map(({ detail, path }) => ({ rule: policyRules.claimsUsable, detail, path: ['claims', ...path] })),
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
    ...complaintServiceProblems(content.complaintService),
  ];
};

/**
 * The body of a publication, for the route: a revision that does not parse or whose content is
 * unusable (a pattern RE2 does not compile, such as a lookahead, or one beyond the bounds) fails here, a 400.
 * The effective date may carry any offset and is kept as UTC, the log's one spelling of time; it is
 * judged against the clock by decide (POL-02, POL-08), and a date in the past the route also treats as bad input.
 */
export const PublishPolicyRevisionInput = z
  .object({
    effectiveFrom: z.iso.datetime({ offset: true }).transform((iso) => new Date(iso).toISOString()),
    supersedes: z.array(z.number().int().positive()).max(SUPERSEDES_MAX).optional(),
    ...contentShape,
    complaintService: ComplaintServiceLevels.optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    for (const { rule, detail, path } of contentProblems(input)) ctx.addIssue({ code: 'custom', message: `${rule.id}: ${detail}`, path });
  });

/** Why a revision cannot be superseded now, or undefined when it can. */
const supersessionProblem = (number: number, state: Policy, superseded: ReadonlyMap<number, number>, named: readonly number[], now: string): string | undefined => {
  const target = state.revisions.find((revision) => revision.revision === number);
  if (!target) return `There is no revision ${number} to supersede`;
  if (named.indexOf(number) !== named.lastIndexOf(number)) return `Revision ${number} is named more than once`;
  const by = superseded.get(number);
  if (by !== undefined) return `Revision ${number} was already superseded by revision ${by}`;
  // History is history: whatever a revision in force judged stays judged by it.
  if (instant(target.effectiveFrom) <= instant(now)) return `Revision ${number} took effect at ${target.effectiveFrom}; only a revision not yet in force can be superseded`;
  return undefined;
};

export const decide = (command: PolicyCommand, state: Policy, context: DecisionContext & PolicyFacts['PublishPolicyRevision']): PolicyEvent[] | Refusal => {
  if (!PUBLISHING_ROLES.includes(context.actor.role)) {
    return refuse(policyRules.publishedByCompliance, `A ${context.actor.role} cannot publish the policy`);
  }
  const { type: _type, effectiveFrom, supersedes = [], ...content } = command;
  if (!(instant(effectiveFrom) >= instant(context.now))) {
    return refuse(policyRules.effectiveNotPast, `Effective from ${effectiveFrom}, before now (${context.now})`);
  }
  // A revision dated far ahead would hold every later one behind it (POL-03); the horizon keeps it within planning reach.
  const { days, endsAt } = context.planningHorizon;
  if (!(instant(effectiveFrom) <= instant(endsAt))) {
    return refuse(policyRules.withinHorizon, `Effective from ${effectiveFrom}, after ${endsAt}, the latest allowed: revisions take effect within ${days} days of publication`);
  }
  const superseded = supersessions(state.revisions);
  for (const number of supersedes) {
    const problem = supersessionProblem(number, state, superseded, supersedes, context.now);
    if (problem) return refuse(policyRules.supersedesScheduled, problem);
  }
  // Out-of-order dates would leave a revision that is never in force; a correction takes effect at the same instant, or supersedes the one it replaces.
  const later = state.revisions.find(
    (revision) => !superseded.has(revision.revision) && !supersedes.includes(revision.revision) && instant(effectiveFrom) < instant(revision.effectiveFrom),
  );
  if (later) {
    return refuse(
      policyRules.effectiveInOrder,
      `Effective from ${effectiveFrom}, before revision ${later.revision} takes effect (${later.effectiveFrom}); supersede revision ${later.revision} to take effect sooner`,
    );
  }
  const [problem] = contentProblems(content);
  if (problem) return refuse(problem.rule, problem.detail);
  const complaintService = content.complaintService ?? state.revisions.at(-1)?.complaintService;
  if (!complaintService) return refuse(policyRules.complaintServiceSet, 'Set the complaint service levels: no revision before this one has them to keep');
  return [
    {
      type: 'PolicyRevisionPublished',
      data: {
        revision: (state.revisions.at(-1)?.revision ?? 0) + 1,
        effectiveFrom,
        ...content,
        claims: content.claims ?? claimLexiconOf(state.revisions.at(-1)),
        complaintService,
        ...(supersedes.length > 0 ? { supersedes } : {}),
        publishedBy: context.actor.id,
      },
    },
  ];
};

export const policyDecider: Decider<Policy, PolicyCommand, PolicyEvent, PolicyFacts> = { initialState, evolve, decide };

export const policyAggregate: Aggregate<Policy, PolicyCommand, PolicyEvent, PolicyFacts> = {
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
  claims: DEFAULT_CLAIM_LEXICON,
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
    [cmp.promisesNotComplainedOf.id]: { action: 'flag', severity: 'high' },
  },
  complaintService: DEFAULT_COMPLAINT_SERVICE_LEVELS,
};
