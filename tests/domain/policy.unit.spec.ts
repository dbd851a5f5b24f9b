import { describe, expect, it } from 'vitest';
import { PATTERN_MAX_CHARS, PATTERN_MAX_INSTRUCTIONS } from '../../domain/compliance/claims.js';
import { COMPLIANCE_RULE_IDS } from '../../domain/compliance/ruleCatalogue.js';
import { DEFAULT_CLAIM_LEXICON } from '../../domain/compliance/claimLexicon.js';
import {
  claimLexiconOf,
  contentProblems,
  DEFAULT_POLICY,
  policyDecider,
  policyEventSchemas,
  policyInForce,
  policyRules,
  PublishPolicyRevisionInput,
  SUPERSEDES_MAX,
  supersessions,
  type PolicyEvent,
  type PolicyRevision,
  type PublishPolicyRevision,
} from '../../domain/policy/policy.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const compliance = { actor: { id: 'co-1', role: 'compliance_officer' } };
const now = defaultContext.now; // 2026-11-27T09:00Z
/** 366 days from now, as the command service counts it by default. */
const planningHorizon = { days: 366, endsAt: '2027-11-28T09:00:00.000Z' };
const spec = deciderSpecification(policyDecider, { ...defaultContext, ...compliance, planningHorizon });
const nextYear = '2027-01-01T00:00:00.000Z';
const farFuture = '9999-12-31T23:59:59.999Z';

const publish = (changes: Partial<PublishPolicyRevision> = {}): PublishPolicyRevision => ({
  type: 'PublishPolicyRevision',
  effectiveFrom: now,
  ...DEFAULT_POLICY,
  ...changes,
});
const published = (revision: number, effectiveFrom: string, changes: Partial<PolicyRevision> = {}): PolicyEvent => ({
  type: 'PolicyRevisionPublished',
  data: { revision, effectiveFrom, ...DEFAULT_POLICY, publishedBy: 'co-1', ...changes },
});
const revisionOne = published(1, now);
const withPattern = (pattern: string) => publish({ bannedClaims: { phrases: [], patterns: [{ pattern }] } });

describe('Policy', () => {
  describe('publishing a revision', () => {
    it('publishes the embedded default as revision 1, effective at once', () => spec.given([]).when(publish()).then([revisionOne]));

    it('numbers each revision after the one before, whatever the caller thinks it is', () =>
      spec
        .given([revisionOne])
        .when(publish({ effectiveFrom: nextYear, changeNote: 'Managers may grant 20%', discountAuthority: { ...DEFAULT_POLICY.discountAuthority, sales_manager: 20 } }))
        .then([published(2, nextYear, { changeNote: 'Managers may grant 20%', discountAuthority: { ...DEFAULT_POLICY.discountAuthority, sales_manager: 20 } })]));

    it('is published by an admin too', () =>
      spec.given([]).when(publish(), { actor: { id: 'adm-1', role: 'admin' } }).then([published(1, now, { publishedBy: 'adm-1' })]));

    it(`refuses a publication by anyone else (${policyRules.publishedByCompliance.id})`, () =>
      spec.given([]).when(publish(), { actor: { id: 'mgr-1', role: 'sales_manager' } }).thenRefuses(policyRules.publishedByCompliance));

    it(`refuses an effective date in the past (${policyRules.effectiveNotPast.id})`, () =>
      spec.given([]).when(publish({ effectiveFrom: '2026-11-27T08:59:59.999Z' })).thenRefuses(policyRules.effectiveNotPast, /before now/));

    it(`refuses a revision that would take effect before the one already scheduled (${policyRules.effectiveInOrder.id})`, () =>
      spec
        .given([published(1, nextYear)])
        .when(publish({ effectiveFrom: '2026-12-01T00:00:00.000Z' }))
        .thenRefuses(policyRules.effectiveInOrder, /before revision 1 takes effect/));

    it('accepts a correction that takes effect at the same instant as the revision it supersedes', () =>
      spec.given([published(1, nextYear)]).when(publish({ effectiveFrom: nextYear })).then([published(2, nextYear)]));

    it(`refuses a revision that does not say what changed (${policyRules.changeExplained.id})`, () =>
      spec.given([]).when(publish({ changeNote: '  ' })).thenRefuses(policyRules.changeExplained));

    it(`refuses a pattern that does not compile (${policyRules.claimsUsable.id})`, () =>
      spec.given([]).when(withPattern('(100%')).thenRefuses(policyRules.claimsUsable, /does not compile/));

    it.each(['(a+)+$', '(a|aa)*b', '(.*a){5}'])(
      `accepts a pattern a backtracking engine would stall on, since RE2 runs it in time linear in the statement: %s (${policyRules.claimsUsable.id})`,
      (pattern) => spec.given([]).when(withPattern(pattern)).then([published(1, now, { bannedClaims: { phrases: [], patterns: [{ pattern }] } })]),
    );

    it.each([
      ['(?=绝对)绝对安全', /lookahead, \(\?= or \(\?!, which is not supported/],
      ['(?<!不)安全', /lookbehind, \(\?<= or \(\?<!, which is not supported/],
      ['(保证)\\1', /a back-reference, \\1 or \\k<name>, which is not supported/],
    ])(`refuses a pattern RE2 cannot run, saying what is not supported: %s (${policyRules.claimsUsable.id})`, (pattern, detail) =>
      spec.given([]).when(withPattern(pattern)).thenRefuses(policyRules.claimsUsable, detail),
    );

    it(`refuses a pattern over ${PATTERN_MAX_CHARS} characters, saying the bound (${policyRules.claimsUsable.id})`, () =>
      spec
        .given([])
        .when(withPattern('安'.repeat(PATTERN_MAX_CHARS + 1)))
        .thenRefuses(policyRules.claimsUsable, new RegExp(`at most ${PATTERN_MAX_CHARS} are allowed`)));

    it(`refuses a pattern that compiles to over ${PATTERN_MAX_INSTRUCTIONS} instructions, saying the bound (${policyRules.claimsUsable.id})`, () =>
      spec
        .given([])
        .when(withPattern('保证.{0,500}不被入侵'))
        .thenRefuses(policyRules.claimsUsable, new RegExp(`instructions; at most ${PATTERN_MAX_INSTRUCTIONS} are allowed`)));

    it(`refuses a pattern that matches empty text, which would flag every statement (${policyRules.claimsUsable.id})`, () =>
      spec.given([]).when(withPattern('(?:安全)?')).thenRefuses(policyRules.claimsUsable, /matches empty text/));

    it(`refuses a phrase of nothing but white space (${policyRules.claimsUsable.id})`, () =>
      spec
        .given([])
        .when(publish({ bannedClaims: { phrases: ['\u3000'], patterns: [] } }))
        .thenRefuses(policyRules.claimsUsable, /flag every statement/));

    it(`refuses a claim lexicon entry with no words in it, which would match nothing (${policyRules.claimsUsable.id})`, () =>
      spec
        .given([])
        .when(publish({ claims: { ...DEFAULT_CLAIM_LEXICON, terms: { ...DEFAULT_CLAIM_LEXICON.terms, guarantees: ['保证', ' ！ '] } } }))
        .thenRefuses(policyRules.claimsUsable, /The guarantees term " ！ " has no letters, digits or characters once normalised/));

    it(`refuses a claim structure named twice (${policyRules.claimsUsable.id})`, () =>
      spec
        .given([])
        .when(publish({ claims: { ...DEFAULT_CLAIM_LEXICON, structures: [...DEFAULT_CLAIM_LEXICON.structures, DEFAULT_CLAIM_LEXICON.structures[0]!] } }))
        .thenRefuses(policyRules.claimsUsable, /Structure SUP-1 is named twice/));

    it(`accepts a claim lexicon the compliance office extended, and publishes it as given (${policyRules.claimsUsable.id})`, () => {
      const claims = { ...DEFAULT_CLAIM_LEXICON, phrases: [...DEFAULT_CLAIM_LEXICON.phrases, { phrase: '军工级', category: 'superlative' as const }] };
      return spec.given([]).when(publish({ claims })).then([published(1, now, { claims })]);
    });

    it('keeps the claim lexicon of the revision before when a publication names none', () => {
      const claims = { ...DEFAULT_CLAIM_LEXICON, phrases: [{ phrase: '军工级', category: 'superlative' as const }] };
      const { claims: _none, ...withoutClaims } = publish({ effectiveFrom: nextYear, changeNote: 'Discount authority only' });
      return spec
        .given([published(1, now, { claims })])
        .when(withoutClaims)
        .then([published(2, nextYear, { changeNote: 'Discount authority only', claims })]);
    });

    it('gives the default claim lexicon to a first publication that names none', () => {
      const { claims: _none, ...withoutClaims } = publish();
      return spec.given([]).when(withoutClaims).then([revisionOne]);
    });

    it(`refuses a discount authority above 100% (${policyRules.percentages.id})`, () =>
      spec
        .given([])
        .when(publish({ discountAuthority: { sales_rep: 120 } }))
        .thenRefuses(policyRules.percentages, /sales_rep authority of 120%/));

    it(`refuses a negative stage probability (${policyRules.percentages.id})`, () =>
      spec
        .given([])
        .when(publish({ stageProbabilities: { ...DEFAULT_POLICY.stageProbabilities, discovery: -5 } }))
        .thenRefuses(policyRules.percentages));

    it(`refuses a revision that leaves a compliance rule unset (${policyRules.everyRuleSet.id})`, () => {
      const { 'CMP-03': _, ...rules } = DEFAULT_POLICY.rules;
      return spec.given([]).when(publish({ rules })).thenRefuses(policyRules.everyRuleSet, /CMP-03/);
    });

    it(`refuses a setting for a rule that does not exist (${policyRules.everyRuleSet.id})`, () =>
      spec
        .given([])
        .when(publish({ rules: { ...DEFAULT_POLICY.rules, 'CMP-99': { action: 'flag', severity: 'low' } } }))
        .thenRefuses(policyRules.everyRuleSet, /CMP-99/));

    it('writes events its own schema accepts', () => expect(policyEventSchemas.PolicyRevisionPublished.safeParse(revisionOne.data).success).toBe(true));
  });

  describe('the planning horizon', () => {
    it('accepts a revision taking effect at the last instant of the horizon', () =>
      spec.given([revisionOne]).when(publish({ effectiveFrom: planningHorizon.endsAt })).then([published(2, planningHorizon.endsAt)]));

    it(`refuses a revision taking effect after the horizon, naming the latest date allowed (${policyRules.withinHorizon.id})`, () =>
      spec
        .given([revisionOne])
        .when(publish({ effectiveFrom: '2027-11-28T09:00:00.001Z' }))
        .thenRefuses(policyRules.withinHorizon, /after 2027-11-28T09:00:00\.000Z, the latest allowed: revisions take effect within 366 days/));

    it(`refuses a revision dated in year 9999, which would hold every later revision behind it (${policyRules.withinHorizon.id})`, () =>
      spec.given([revisionOne]).when(publish({ effectiveFrom: farFuture })).thenRefuses(policyRules.withinHorizon));

    it('counts the horizon it is given: a shorter one refuses what the default allows', () =>
      spec
        .given([revisionOne])
        .when(publish({ effectiveFrom: nextYear }), { planningHorizon: { days: 7, endsAt: '2026-12-04T09:00:00.000Z' } })
        .thenRefuses(policyRules.withinHorizon, /within 7 days/));
  });

  describe('superseding a scheduled revision', () => {
    const scheduled = published(2, farFuture);
    const correction = { effectiveFrom: now, changeNote: 'Correction: revision 2 was dated in error' };

    it(`refuses a correction taking effect before a revision still scheduled, saying to supersede it (${policyRules.effectiveInOrder.id})`, () =>
      spec
        .given([revisionOne, scheduled])
        .when(publish(correction))
        .thenRefuses(policyRules.effectiveInOrder, /before revision 2 takes effect \(9999-12-31T23:59:59\.999Z\); supersede revision 2 to take effect sooner/));

    it('accepts a correction taking effect at once that supersedes it, recording which it supersedes', () =>
      spec
        .given([revisionOne, scheduled])
        .when(publish({ ...correction, supersedes: [2] }))
        .then([published(3, now, { changeNote: correction.changeNote, supersedes: [2] })]));

    it('accepts a revision that supersedes a scheduled one and takes effect later than it would have', () =>
      spec
        .given([revisionOne, published(2, nextYear)])
        .when(publish({ effectiveFrom: '2027-02-01T00:00:00.000Z', supersedes: [2] }))
        .then([published(3, '2027-02-01T00:00:00.000Z', { supersedes: [2] })]));

    it('accepts superseding several scheduled revisions at once', () =>
      spec
        .given([revisionOne, published(2, nextYear), published(3, '2027-02-01T00:00:00.000Z')])
        .when(publish({ ...correction, supersedes: [2, 3] }))
        .then([published(4, now, { changeNote: correction.changeNote, supersedes: [2, 3] })]));

    it(`still refuses a date before a scheduled revision it does not supersede (${policyRules.effectiveInOrder.id})`, () =>
      spec
        .given([revisionOne, published(2, nextYear), published(3, '2027-02-01T00:00:00.000Z')])
        .when(publish({ ...correction, supersedes: [2] }))
        .thenRefuses(policyRules.effectiveInOrder, /before revision 3 takes effect/));

    it('no longer holds a later revision behind one already superseded', () =>
      spec
        .given([revisionOne, published(2, '2027-06-01T00:00:00.000Z'), published(3, nextYear, { supersedes: [2] })])
        .when(publish({ effectiveFrom: '2027-02-01T00:00:00.000Z' }))
        .then([published(4, '2027-02-01T00:00:00.000Z')]));

    it(`refuses to supersede the revision in force: what it judged stays judged by it (${policyRules.supersedesScheduled.id})`, () =>
      spec
        .given([revisionOne])
        .when(publish({ ...correction, supersedes: [1] }))
        .thenRefuses(policyRules.supersedesScheduled, /Revision 1 took effect at 2026-11-27T09:00:00\.000Z; only a revision not yet in force can be superseded/));

    it(`refuses to supersede a revision whose time has passed, in force or not (${policyRules.supersedesScheduled.id})`, () =>
      spec
        .given([published(1, '2026-01-01T00:00:00.000Z'), published(2, '2026-06-01T00:00:00.000Z')])
        .when(publish({ ...correction, supersedes: [1] }))
        .thenRefuses(policyRules.supersedesScheduled, /Revision 1 took effect/));

    it(`refuses to supersede a revision never published, this one's own number included (${policyRules.supersedesScheduled.id})`, () => {
      spec.given([revisionOne, scheduled]).when(publish({ ...correction, supersedes: [7] })).thenRefuses(policyRules.supersedesScheduled, /There is no revision 7 to supersede/);
      spec.given([revisionOne, scheduled]).when(publish({ ...correction, supersedes: [3] })).thenRefuses(policyRules.supersedesScheduled, /There is no revision 3 to supersede/);
    });

    it(`refuses to supersede a revision already superseded, naming the one that did (${policyRules.supersedesScheduled.id})`, () =>
      spec
        .given([revisionOne, scheduled, published(3, nextYear, { supersedes: [2] })])
        .when(publish({ effectiveFrom: nextYear, supersedes: [2] }))
        .thenRefuses(policyRules.supersedesScheduled, /Revision 2 was already superseded by revision 3/));

    it(`refuses a revision named twice (${policyRules.supersedesScheduled.id})`, () =>
      spec.given([revisionOne, scheduled]).when(publish({ ...correction, supersedes: [2, 2] })).thenRefuses(policyRules.supersedesScheduled, /named more than once/));

    it(`judges the horizon before supersession: a far-future correction is refused even when it supersedes (${policyRules.withinHorizon.id})`, () =>
      spec.given([revisionOne, scheduled]).when(publish({ effectiveFrom: farFuture, supersedes: [2] })).thenRefuses(policyRules.withinHorizon));

    it('replays a revision stored before supersession existed, without the field, as before', () => {
      const stored = { revision: 2, effectiveFrom: nextYear, ...DEFAULT_POLICY, publishedBy: 'co-1' };
      expect(policyEventSchemas.PolicyRevisionPublished.parse(stored)).toEqual(stored);
      spec.given([revisionOne, { type: 'PolicyRevisionPublished', data: stored }]).when(publish(correction)).thenRefuses(policyRules.effectiveInOrder);
    });

    it('replays a revision stored before revisions carried a claim lexicon, and reads it with the default lexicon', () => {
      const { claims: _none, ...content } = DEFAULT_POLICY;
      const stored = { revision: 1, effectiveFrom: now, ...content, publishedBy: 'system' };
      const replayed = policyEventSchemas.PolicyRevisionPublished.parse(stored);
      expect(replayed).toEqual(stored);
      expect(claimLexiconOf(replayed)).toBe(DEFAULT_CLAIM_LEXICON);
      expect(claimLexiconOf(published(2, now, { claims: { ...DEFAULT_CLAIM_LEXICON, phrases: [] } }).data).phrases).toEqual([]);
      spec.given([{ type: 'PolicyRevisionPublished', data: stored }]).when(publish({ effectiveFrom: nextYear })).then([published(2, nextYear)]);
    });
  });

  describe('the embedded default', () => {
    it('is a usable revision: every compliance rule set, every pattern one RE2 compiles within bounds', () => {
      expect(contentProblems(DEFAULT_POLICY)).toEqual([]);
      expect(DEFAULT_POLICY.claims).toBe(DEFAULT_CLAIM_LEXICON);
      expect(Object.keys(DEFAULT_POLICY.rules).sort()).toEqual([...COMPLIANCE_RULE_IDS].sort());
    });

    it('bans absolute claims in Chinese and English', () =>
      expect(DEFAULT_POLICY.bannedClaims.phrases).toEqual(
        expect.arrayContaining(['100%防护', '绝对安全', '永不被攻破', '零风险', '保证不被入侵', 'unhackable', '100% secure', 'guaranteed protection', 'zero risk']),
      ));

    it('gives reps 10%, managers 25%, finance 40% and admins unlimited authority, and requires certification', () => {
      expect(DEFAULT_POLICY.discountAuthority).toEqual({ sales_rep: 10, sales_manager: 25, finance: 40, admin: null });
      expect(DEFAULT_POLICY.certificationRequired).toBe(true);
      expect(DEFAULT_POLICY.stageProbabilities).toEqual({ qualification: 10, discovery: 25, proposal: 50, negotiation: 75 });
    });
  });

  describe('the revision in force', () => {
    const one = published(1, '2026-01-01T00:00:00.000Z').data;
    const two = published(2, '2026-06-01T00:00:00.000Z').data;
    const twoCorrected = published(3, '2026-06-01T00:00:00.000Z').data;
    const scheduled = published(4, nextYear).data;
    const revisions = [one, two, twoCorrected, scheduled];

    it('is none before the first takes effect', () => expect(policyInForce(revisions, '2025-12-31T23:59:59.999Z')).toBeUndefined());
    it('is the first from the instant it takes effect', () => expect(policyInForce(revisions, '2026-01-01T00:00:00.000Z')?.revision).toBe(1));
    it('is the later of two taking effect at the same instant', () => expect(policyInForce(revisions, '2026-07-01T00:00:00.000Z')?.revision).toBe(3));
    it('is not a revision scheduled for later', () => expect(policyInForce(revisions, now)?.revision).toBe(3));
    it('is the scheduled one once its time comes', () => expect(policyInForce(revisions, nextYear)?.revision).toBe(4));

    describe('when a scheduled revision was superseded before it took effect', () => {
      // 2 was scheduled for next year; 3, published before then, superseded it from a month later; 4 superseded 3 in turn.
      const base = published(1, '2026-01-01T00:00:00.000Z').data;
      const mistaken = published(2, nextYear).data;
      const replacement = published(3, '2027-02-01T00:00:00.000Z', { supersedes: [2] }).data;
      const history = [base, mistaken, replacement];

      it('is never the superseded one, at its date or after', () => {
        expect(policyInForce(history, nextYear)?.revision).toBe(1);
        expect(policyInForce(history, '2027-01-31T23:59:59.999Z')?.revision).toBe(1);
        expect(policyInForce(history, '2027-02-01T00:00:00.000Z')?.revision).toBe(3);
      });

      it('is, for any instant before the superseded date, what it was before the supersession', () => {
        for (const at of ['2026-01-01T00:00:00.000Z', now, '2026-12-31T23:59:59.999Z']) expect(policyInForce(history, at)).toEqual(policyInForce([base, mistaken], at));
      });

      it('does not bring a superseded revision back when the one that superseded it is superseded in turn', () => {
        const chain = [...history, published(4, '2027-03-01T00:00:00.000Z', { supersedes: [3] }).data];
        expect(policyInForce(chain, '2027-02-15T00:00:00.000Z')?.revision).toBe(1);
        expect(policyInForce(chain, '2027-03-01T00:00:00.000Z')?.revision).toBe(4);
        expect(supersessions(chain)).toEqual(new Map([[2, 3], [3, 4]]));
      });
    });
  });

  describe('the body of a publication', () => {
    const body = { effectiveFrom: nextYear, ...DEFAULT_POLICY };

    it('accepts the default content', () => expect(PublishPolicyRevisionInput.safeParse(body).success).toBe(true));

    it('rejects a pattern RE2 does not support, naming the rule, the field and the construct', () => {
      const result = PublishPolicyRevisionInput.safeParse({ ...body, bannedClaims: { phrases: [], patterns: [{ pattern: '(?=绝对)绝对安全' }] } });
      expect(result.success).toBe(false);
      expect(result.error?.issues).toEqual([
        expect.objectContaining({ path: ['bannedClaims', 'patterns', 0, 'pattern'], message: expect.stringMatching(/^POL-05: Pattern \(\?=绝对\)绝对安全: the pattern uses lookahead/) }),
      ]);
    });

    it('refuses a claim lexicon naming a part the detector does not know, or a window beyond the bound, field by field', () => {
      const [structure] = DEFAULT_CLAIM_LEXICON.structures;
      const result = PublishPolicyRevisionInput.safeParse({
        ...body,
        claims: { ...DEFAULT_CLAIM_LEXICON, structures: [{ ...structure, triggers: ['boasts'], window: 31 }] },
      });
      expect(result.error?.issues.map((issue) => issue.path)).toEqual([
        ['claims', 'structures', 0, 'triggers', 0],
        ['claims', 'structures', 0, 'window'],
      ]);
    });

    it('accepts a pattern with nested quantifiers, which RE2 runs in linear time', () =>
      expect(PublishPolicyRevisionInput.safeParse({ ...body, bannedClaims: { phrases: [], patterns: [{ pattern: '(a+)+$' }] } }).success).toBe(true));

    it('keeps an effective date given with an offset, or beyond the millisecond, as UTC to the millisecond', () => {
      expect(PublishPolicyRevisionInput.parse({ ...body, effectiveFrom: '2027-01-01T08:00:00+08:00' }).effectiveFrom).toBe(nextYear);
      expect(PublishPolicyRevisionInput.parse({ ...body, effectiveFrom: '2027-01-01T00:00:00.000999999Z' }).effectiveFrom).toBe(nextYear);
    });

    it(`rejects a supersedes list that is not of revision numbers, or longer than ${SUPERSEDES_MAX}`, () => {
      for (const supersedes of [[0], [-1], [1.5], ['2'], [2, null], 2, Array.from({ length: SUPERSEDES_MAX + 1 }, (_, i) => i + 1)]) {
        expect(PublishPolicyRevisionInput.safeParse({ ...body, supersedes }).success, JSON.stringify(supersedes)).toBe(false);
      }
      expect(PublishPolicyRevisionInput.safeParse({ ...body, supersedes: [2, 3] }).success).toBe(true);
    });

    it('rejects what does not parse: a missing stage, an unknown field, a date that is not ISO', () => {
      const { negotiation: _, ...stages } = DEFAULT_POLICY.stageProbabilities;
      expect(PublishPolicyRevisionInput.safeParse({ ...body, stageProbabilities: stages }).success).toBe(false);
      expect(PublishPolicyRevisionInput.safeParse({ ...body, revision: 7 }).success).toBe(false);
      expect(PublishPolicyRevisionInput.safeParse({ ...body, effectiveFrom: 'next monday' }).success).toBe(false);
      expect(PublishPolicyRevisionInput.safeParse({ ...body, bannedClaims: { phrases: [], patterns: [{ pattern: 'x', flags: 'g' }] } }).success).toBe(false);
    });
  });
});
