import { describe, expect, it } from 'vitest';
import { findBannedClaims, normaliseStatement, patternProblem, phraseProblem, PATTERN_MAX_CHARS } from '../../domain/compliance/claims.js';
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
        { kind: 'phrase', banned: '绝对 安全', matched: '绝对安全' },
        { kind: 'pattern', banned: '绝对(?:安全|可靠)', matched: '绝对安全', note: 'absolutes' },
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

  describe('pattern safety', () => {
    it.each(['(a+)+', '(a*)*', '(.*a){5}', '(a?a?)*', '(x+x+)+y', '(?:\\d{1,3})+'])('refuses nested quantifiers: %s', (pattern) =>
      expect(patternProblem(pattern)).toMatch(/backtrack catastrophically: a quantifier inside a repeated group/),
    );

    it.each(['(a|a)*', '(a|ab)+', '(?:\\w|\\d)+', '(?:[a-z]|x){2,}', '(?:A|a)+'])('refuses overlapping alternatives under a quantifier: %s', (pattern) =>
      expect(patternProblem(pattern, 'i')).toMatch(/backtrack catastrophically: alternatives that can start with the same character/),
    );

    it.each(['.*.*x', '\\w+\\d+', 'a+b?a+', '[^x]*[a-c]+', '.*a.*b', 'a.*a.*a.*b', '\\w+a\\w+b', '(?:.*)a(?:.*)b', '.{0,50}a.{0,50}b.{0,50}c'])(
      'refuses quantifiers in a row over the same characters, which backtrack polynomially: %s',
      (pattern) => expect(patternProblem(pattern)).toMatch(/backtrack catastrophically: quantifiers in a row/),
    );

    it.each(['(a)\\1', '(?<w>a)\\k<w>'])('refuses back-references: %s', (pattern) => expect(patternProblem(pattern)).toMatch(/not allowed/));

    it.each(['(abc', '[z-a]', 'a{2,1}', '*a'])('refuses a pattern that does not compile: %s', (pattern) =>
      expect(patternProblem(pattern)).toMatch(/does not compile/),
    );

    it('refuses a pattern that matches empty text, which would flag every statement', () => expect(patternProblem('a?')).toMatch(/matches empty text/));

    it('refuses an empty or over-long pattern', () => {
      expect(patternProblem('')).toMatch(/empty/);
      expect(patternProblem('a'.repeat(PATTERN_MAX_CHARS + 1))).toMatch(/longer than/);
    });

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
      '(?=安全)安全',
      '\\bsafe\\b',
      '[\\]a]+[b]+',
    ])('accepts a safe pattern: %s', (pattern) => expect(patternProblem(pattern)).toBeUndefined());

    it('accepts every pattern of the default policy', () =>
      expect(banned.patterns.map(({ pattern, flags }) => patternProblem(pattern, flags)).filter(Boolean)).toEqual([]));

    it('refuses a phrase that is only white space, which would flag every statement', () => {
      expect(phraseProblem(' \u3000 ')).toMatch(/empty/);
      expect(phraseProblem('零风险')).toBeUndefined();
    });
  });
});
