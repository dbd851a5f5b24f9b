import { describe, expect, it } from 'vitest';
import { detectClaims } from '../../domain/compliance/claimDetector.js';
import { DEFAULT_CLAIM_LEXICON, LEXICON_TERM_MAX_CHARS, LEXICON_TERMS_MAX, TERM_CLASSES, type ClaimLexicon } from '../../domain/compliance/claimLexicon.js';
import { DEFAULT_POLICY, PublishPolicyRevisionInput } from '../../domain/policy/policy.js';
import { STATEMENT_MAX_CHARS } from '../../domain/promise/promise.js';

/**
 * Hostile statements and lexicons for the claim detector, by class. A statement is whatever a
 * seller types, up to the longest a promise holds; a lexicon is policy data typed in by people,
 * bounded by POL-05 and the revision's schema. Neither may stall the process: the detector finds
 * words through a trie and judges each against its neighbours within a window, so its cost grows
 * with the statement, not with what the statement repeats or how large the lexicon is.
 */
const BUDGET_MS = 500;

const timed = <T>(run: () => T) => {
  const started = performance.now();
  const result = run();
  return { result, ms: performance.now() - started };
};

const repeatedTo = (unit: string, chars: number) => unit.repeat(Math.floor(chars / [...unit].length));
const facts = { lexicon: DEFAULT_CLAIM_LEXICON, bannedClaims: DEFAULT_POLICY.bannedClaims };

describe('statements built to make the detector work hard', () => {
  it.each([
    ['one claim repeated without a comma', '零拦截'],
    ['totality, threats, impossibility and a breach, over and over', '所有攻击都无法绕过'],
    ['denials stacked before every claim', '不没有并非绝对安全'],
    ['quotations, attributions and refutations', '“号称零风险”不科学'],
    ['single characters between commas, which join into one clause', '零，'],
    ['English absolutes and breaches', 'never hacked no attack gets through '],
    ['words of the lexicon with nothing to join', '安全'],
  ])('judges %s, as long as a statement may be, within the budget', (_, unit) => {
    const statement = repeatedTo(unit, STATEMENT_MAX_CHARS);
    detectClaims(statement, facts);
    const { ms } = timed(() => detectClaims(statement, facts));
    expect(ms).toBeLessThan(BUDGET_MS);
  });
});

describe('lexicons at and beyond their bounds', () => {
  /** Every entry of every part starting with the same letter, as long as allowed: the worst a trie walks. */
  const largest: ClaimLexicon = {
    ...DEFAULT_CLAIM_LEXICON,
    terms: Object.fromEntries(
      TERM_CLASSES.map((termClass) => [termClass, Array.from({ length: LEXICON_TERMS_MAX }, (_, index) => `${'a'.repeat(LEXICON_TERM_MAX_CHARS - 6)}${termClass.length}${String(index).padStart(4, '0')}`)]),
    ) as ClaimLexicon['terms'],
  };

  it('judges a statement of the longest length under the largest lexicon allowed within the budget, once it is compiled', () => {
    const statement = 'a'.repeat(STATEMENT_MAX_CHARS);
    detectClaims(statement, { ...facts, lexicon: largest });
    const { ms } = timed(() => detectClaims(statement, { ...facts, lexicon: largest }));
    expect(ms).toBeLessThan(BUDGET_MS);
  });

  it('refuses a lexicon beyond its bounds, naming the field', () => {
    const body = { effectiveFrom: '2027-01-01T00:00:00.000Z', ...DEFAULT_POLICY };
    const tooMany = { ...DEFAULT_CLAIM_LEXICON, terms: { ...DEFAULT_CLAIM_LEXICON.terms, hedges: Array.from({ length: LEXICON_TERMS_MAX + 1 }, (_, index) => `hedge ${index}`) } };
    const tooLong = { ...DEFAULT_CLAIM_LEXICON, phrases: [{ phrase: '零'.repeat(LEXICON_TERM_MAX_CHARS + 1), category: 'absolute' }] };
    expect(PublishPolicyRevisionInput.safeParse({ ...body, claims: tooMany }).error?.issues.map((issue) => issue.path)).toEqual([['claims', 'terms', 'hedges']]);
    expect(PublishPolicyRevisionInput.safeParse({ ...body, claims: tooLong }).error?.issues.map((issue) => issue.path)).toEqual([['claims', 'phrases', 0, 'phrase']]);
  });
});
