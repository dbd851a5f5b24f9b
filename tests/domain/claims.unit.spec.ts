import { RE2JS } from 're2js';
import { describe, expect, it, vi } from 'vitest';
import { findBannedClaims, normaliseStatement, patternProblem, phraseProblem, PATTERN_MAX_CHARS, PATTERN_MAX_INSTRUCTIONS } from '../../domain/compliance/claims.js';
import { DEFAULT_POLICY } from '../../domain/policy/policy.js';

const banned = DEFAULT_POLICY.bannedClaims;
const matchedIn = (statement: string) => findBannedClaims(statement, banned).map((match) => match.matched);

describe('Banned claims', () => {
  describe('normalising a statement', () => {
    it('folds full-width digits, signs and letters (NFKC) and lower-cases', () => expect(normaliseStatement('１００％ ＳＥＣＵＲＥ')).toBe('100%secure'));

    it('removes every kind of white space, the ideographic space included', () =>
      expect(normaliseStatement('永不\u3000被 攻破\t\n ZERO   RISK')).toBe('永不被攻破zerorisk'));

    it('removes invisible format characters that would split a phrase', () => expect(normaliseStatement('零\u200b风\u00ad险')).toBe('零风险'));
  });

  describe('finding banned claims', () => {
    it.each([
      ['我们的产品提供100%防护。', '100%防护'],
      ['１００％ 防护,请放心', '100%防护'],
      ['这套方案绝对安全', '绝对安全'],
      ['系统 永 不 被 攻 破', '永不被攻破'],
      ['部署后即为零风险', '零风险'],
      ['我们保证不被入侵', '保证不被入侵'],
      ['The appliance is Un Hackable', 'unhackable'],
      ['Our cloud is 100% secure.', '100%secure'],
      ['ZERO   RISK for your business', 'zerorisk'],
      ['It will never be breached', 'neverbebreached'],
      ['Ｇｕａｒａｎｔｅｅｄ protection for every endpoint', 'guaranteedprotection'],
    ])('finds the banned phrase in "%s"', (statement, phrase) => expect(matchedIn(statement)).toContain(phrase));

    it('finds claims a pattern describes, in Chinese and English', () => {
      expect(findBannedClaims('百分之百拦截勒索软件', banned)).toContainEqual(expect.objectContaining({ kind: 'pattern', matched: '百分之百拦截' }));
      expect(findBannedClaims('保证不会被黑客攻破', banned)).toContainEqual(expect.objectContaining({ kind: 'pattern', matched: '保证不会被黑' }));
      expect(findBannedClaims("Your network can't be hacked", banned)).toContainEqual(
        expect.objectContaining({ kind: 'pattern', matched: "can'tbehacked" }),
      );
      expect(findBannedClaims('a hack-proof gateway', banned)).toContainEqual(expect.objectContaining({ kind: 'pattern', matched: 'hack-proof' }));
    });

    it('says which phrase or pattern each match comes from', () =>
      expect(findBannedClaims('绝对安全', { phrases: ['绝对 安全'], patterns: [{ pattern: '绝对(?:安全|可靠)', note: 'absolutes' }] })).toEqual([
        { kind: 'phrase', banned: '绝对 安全', matched: '绝对安全', start: 0, end: 4 },
        { kind: 'pattern', banned: '绝对(?:安全|可靠)', matched: '绝对安全', note: 'absolutes', start: 0, end: 4 },
      ]));

    it('honours the i flag of a pattern', () => {
      expect(findBannedClaims('x', { phrases: [], patterns: [{ pattern: 'X' }] })).toEqual([]);
      expect(findBannedClaims('x', { phrases: [], patterns: [{ pattern: 'X', flags: 'i' }] })).toHaveLength(1);
    });

    it.each([
      '我们的防护能力经过第三方测评,可用性承诺 99.9%。',
      'Our EDR detects known ransomware families and we respond within 4 hours.',
      '风险可控,具体以合同约定的服务级别为准',
    ])('finds nothing in the measured statement "%s"', (statement) => expect(findBannedClaims(statement, banned)).toEqual([]));
  });

  describe('running patterns', () => {
    const patternMatch = (statement: string, pattern: string, flags?: 'i' | '') =>
      findBannedClaims(statement, { phrases: [], patterns: [{ pattern, ...(flags !== undefined ? { flags } : {}) }] }).map((match) => match.matched);

    it('folds case beyond ASCII under the i flag, as Unicode does', () => {
      expect(patternMatch('ÉCOLE SÛRE', 'École', 'i')).toEqual(['école']);
      expect(patternMatch('ΑΣΦΑΛΕΣ', 'ΑΣΦΑΛΕΣ', 'i')).toEqual(['ασφαλες']);
      expect(patternMatch('ÉCOLE SÛRE', 'École')).toEqual([]);
    });

    // The default patterns were written for the JavaScript engine; RE2 must read them the same way.
    const DEFAULT_PATTERN_STATEMENTS = [
      '我们的产品提供100%防护。',
      '百分之百拦截勒索软件',
      '百分之百 防御',
      '100安全',
      '保证不会被黑客攻破',
      '保证永不被入侵',
      '系统永远不会被攻破',
      '绝不宕机',
      "Your network can't be hacked",
      'Your network can’t ever be breached',
      'It cannot be compromised',
      'Our SOC won’t be penetrated',
      'We guarantee 100% uptime',
      'guaranteed safety',
      '100% availability and 100% detection',
      'a hack-proof gateway, bullet proof and risk-free',
      'Un-Hackable',
      '我们的防护能力经过第三方测评,可用性承诺 99.9%。',
      'Our EDR detects known ransomware families and we respond within 4 hours.',
      '风险可控,具体以合同约定的服务级别为准',
    ];
    it.each(banned.patterns)('finds on those statements what the JavaScript engine found with the default pattern $pattern', ({ pattern, flags }) => {
      const javaScriptMatches = DEFAULT_PATTERN_STATEMENTS.map((statement) => new RegExp(pattern, flags ?? '').exec(normaliseStatement(statement))?.[0] ?? null);
      expect(DEFAULT_PATTERN_STATEMENTS.map((statement) => patternMatch(statement, pattern, flags)[0] ?? null)).toEqual(javaScriptMatches);
    });

    it('flags each default pattern on at least one of those statements, so the comparison means something', () =>
      expect(banned.patterns.filter(({ pattern, flags }) => !DEFAULT_PATTERN_STATEMENTS.some((statement) => patternMatch(statement, pattern, flags).length))).toEqual([]));

    it('compiles a pattern once per flags, however many statements it judges', () => {
      const compile = vi.spyOn(RE2JS, 'compile');
      try {
        for (const statement of ['first statement', 'second statement', 'third statement']) {
          patternMatch(statement, 'once-only-pattern');
          patternMatch(statement, 'once-only-pattern', 'i');
        }
        expect(compile.mock.calls.map(([source, flags]) => [source, flags])).toEqual([
          ['once-only-pattern', 0],
          ['once-only-pattern', RE2JS.CASE_INSENSITIVE],
        ]);
      } finally {
        compile.mockRestore();
      }
    });

    it('runs no pattern that policy could not put in force, such as one held by a revision published before patterns ran on RE2', () =>
      expect(findBannedClaims('绝对安全', { phrases: [], patterns: [{ pattern: '(?=绝对)绝对安全' }, { pattern: '绝对安全' }] })).toEqual([
        { kind: 'pattern', banned: '绝对安全', matched: '绝对安全', start: 0, end: 4 },
      ]));
  });

  describe('what policy can put in force', () => {
    it.each(['(a+)+$', '(a|aa)*b', '(.*a){5}', '(x+x+)+y', '(?:\\d{1,3})+', '.*a.*b', '\\w+\\d+', 'a.*a.*a.*b'])(
      'accepts a pattern a backtracking engine would stall on, since RE2 runs every pattern in time linear in the statement: %s',
      (pattern) => expect(patternProblem(pattern)).toBeUndefined(),
    );

    it('accepts under the i flag a pattern whose alternatives differ only by non-ASCII case', () => expect(patternProblem('(?:é|É)*z', 'i')).toBeUndefined());

    it.each([
      ['(?=安全)安全', 'lookahead'],
      ['(?!不)安全', 'lookahead'],
      ['(?<=绝对)安全', 'lookbehind'],
      ['(?<!不)安全', 'lookbehind'],
      ['(a)\\1', 'a back-reference'],
      ['(?<w>a)\\k<w>', 'a back-reference'],
      ['(?>a+)b', 'an atomic group'],
      ['a++b', 'a possessive quantifier'],
    ])('refuses %s, naming the construct RE2 does not support (%s)', (pattern, construct) =>
      expect(patternProblem(pattern)).toMatch(new RegExp(`^the pattern uses ${construct}, .* which is not supported: patterns run on RE2, in time linear in the statement`)),
    );

    it.each(['(abc', '[z-a]', 'a{2,1}', '*a', 'a{1001}'])('refuses a pattern that does not compile: %s', (pattern) =>
      expect(patternProblem(pattern)).toMatch(/^the pattern does not compile \(RE2 syntax\): /),
    );

    it('says how RE2 writes a code point when a pattern uses the JavaScript \\u escape', () => {
      expect(patternProblem("can\\u2019t")).toMatch(/\\u escapes are JavaScript syntax; RE2 writes a code point as \\x\{2019\}/);
      expect(patternProblem('can\\x{2019}t')).toBeUndefined();
    });

    it.each(['a?', '(a*)*', '^', '(?:)'])('refuses a pattern that matches empty text, which would flag every statement: %s', (pattern) =>
      expect(patternProblem(pattern)).toMatch(/matches empty text/),
    );

    it('refuses an empty pattern', () => expect(patternProblem('')).toBe('the pattern is empty'));

    it(`refuses a pattern over ${PATTERN_MAX_CHARS} characters, saying the bound`, () => {
      expect(patternProblem('安'.repeat(PATTERN_MAX_CHARS))).toBeUndefined();
      expect(patternProblem('安'.repeat(PATTERN_MAX_CHARS + 1))).toBe(`the pattern has ${PATTERN_MAX_CHARS + 1} characters; at most ${PATTERN_MAX_CHARS} are allowed`);
    });

    it(`refuses a pattern that compiles to over ${PATTERN_MAX_INSTRUCTIONS} instructions, saying the bound`, () => {
      expect(patternProblem('[a-z]{0,500}x')).toMatch(new RegExp(`^the pattern compiles to \\d+ instructions; at most ${PATTERN_MAX_INSTRUCTIONS} are allowed`));
      expect(patternProblem('(?:abc){150}', 'i')).toMatch(/instructions; at most/);
    });

    it('accepts any pattern within the length limit that has no counted repeat, however it is written', () =>
      expect(['a'.repeat(PATTERN_MAX_CHARS), '()'.repeat(PATTERN_MAX_CHARS / 2 - 1) + 'a', 'a*?'.repeat(66) + 'b'].map((pattern) => patternProblem(pattern, 'i'))).toEqual([
        undefined,
        undefined,
        undefined,
      ]));

    it.each([
      '(?:100|百分之?百)%?(?:防护|安全)',
      '(ab){3}',
      '(?:a|b)+',
      '[a-c]+[d-f]+',
      '\\d+%',
      '保证.{0,6}不被入侵',
      '保证.*不被入侵',
      '.{0,10}a.{0,10}b',
      'a+b+a+',
      '\\bsafe\\b',
      '[\\]a]+[b]+',
      '\\p{Han}{2}安全',
    ])('accepts a pattern: %s', (pattern) => expect(patternProblem(pattern)).toBeUndefined());

    it('accepts every pattern of the default policy', () =>
      expect(banned.patterns.map(({ pattern, flags }) => patternProblem(pattern, flags)).filter(Boolean)).toEqual([]));

    it('refuses a phrase that is only white space, which would flag every statement', () => {
      expect(phraseProblem(' \u3000 ')).toMatch(/empty/);
      expect(phraseProblem('零风险')).toBeUndefined();
    });
  });
});
