import { describe, expect, it } from 'vitest';
import { detectClaims, type ClaimFacts } from '../../domain/compliance/claimDetector.js';
import { DEFAULT_CLAIM_LEXICON } from '../../domain/compliance/claimLexicon.js';
import { claimText } from '../../domain/compliance/claimText.js';
import { DEFAULT_POLICY } from '../../domain/policy/policy.js';

const facts: ClaimFacts = { lexicon: DEFAULT_CLAIM_LEXICON, bannedClaims: DEFAULT_POLICY.bannedClaims };
const detect = (statement: string, more: Partial<ClaimFacts> = {}) => detectClaims(statement, { ...facts, ...more });
const flagged = (statement: string, more: Partial<ClaimFacts> = {}) => detect(statement, more).flagged;
/** Each claim's words as written, read back from the statement by its offsets. */
const spans = (statement: string) => flagged(statement).map(({ start, end }) => statement.slice(start, end));

describe('The false-claim detector', () => {
  describe('the statements the issue names', () => {
    it.each([
      ['行业第一的入侵防御系统', 'superlative', '行业第一'],
      ['承诺贵司数据绝不外泄', 'guarantee', '承诺贵司数据绝不外泄'],
      ["We ensure you'll never be hit by ransomware", 'guarantee', "ensure you'll never be hit"],
      ['Phishing-proof, guaranteed', 'absolute', 'Phishing-proof'],
    ])('flags "%s" as %s, at "%s"', (statement, category, text) =>
      expect(flagged(statement)).toContainEqual(expect.objectContaining({ category, text, start: statement.indexOf(text), end: statement.indexOf(text) + text.length })));

    it('lets through the hedged statement that denies the claim, saying why', () =>
      expect(detect('没有哪款产品能百分之百防住所有攻击，我们帮助降低风险')).toEqual({
        flagged: [],
        cleared: [expect.objectContaining({ category: 'absolute', reason: 'negated', detail: 'Denied by "没有"', text: '百分之百防住所有攻击' })],
      }));
  });

  describe('what it explains', () => {
    it('names the structure and every word that joined into the claim, each where it stands', () => {
      const statement = '我们保证贵司明年通过等保测评';
      const [claim] = flagged(statement);
      expect(claim).toMatchObject({ category: 'guarantee', text: '保证贵司明年通过等保', matched: { kind: 'structure', entry: 'GUA-1', name: expect.stringMatching(/cannot control/) } });
      expect(claim!.matched.kind === 'structure' && claim!.matched.terms.map(({ role, entry, start, end }) => [role, entry, statement.slice(start, end)])).toEqual([
        ['guarantees', '保证', '保证'],
        ['protections', '通过等保', '通过等保'],
      ]);
    });

    it('names a phrase of the lexicon, and one of the revision\'s banned phrases or patterns with its note', () => {
      expect(flagged('这个部署万无一失')).toEqual([{ category: 'absolute', start: 4, end: 8, text: '万无一失', matched: { kind: 'phrase', entry: '万无一失', source: 'claims' } }]);
      expect(flagged('军工级防护', { bannedClaims: { phrases: ['军工级'], patterns: [] } })).toEqual([
        { category: 'absolute', start: 0, end: 3, text: '军工级', matched: { kind: 'phrase', entry: '军工级', source: 'bannedClaims' } },
      ]);
      expect(flagged('军 工 级防护', { bannedClaims: { phrases: [], patterns: [{ pattern: '军工级', note: 'military-grade' }] } })).toEqual([
        { category: 'absolute', start: 0, end: 5, text: '军 工 级', matched: { kind: 'pattern', entry: '军工级', note: 'military-grade' } },
      ]);
    });

    it('is driven by the lexicon it is given: a word added is found, a structure removed finds nothing', () => {
      const extended = { ...DEFAULT_CLAIM_LEXICON, terms: { ...DEFAULT_CLAIM_LEXICON.terms, superlatives: [...DEFAULT_CLAIM_LEXICON.terms.superlatives, '头部'] } };
      expect(flagged('头部的态势感知平台')).toEqual([]);
      expect(flagged('头部的态势感知平台', { lexicon: extended })).toEqual([expect.objectContaining({ category: 'superlative', text: '头部的态势感知' })]);
      const withoutGuarantees = { ...DEFAULT_CLAIM_LEXICON, structures: DEFAULT_CLAIM_LEXICON.structures.filter(({ category }) => category !== 'guarantee') };
      expect(flagged('We guarantee a clean audit', { lexicon: withoutGuarantees })).toEqual([]);
      expect(flagged('We guarantee a clean audit')).toHaveLength(1);
    });
  });

  describe('disguises', () => {
    it.each([
      ['full-width forms', '部署后 １００％ 安全', '１００％ 安全'],
      ['spaces between characters', '行 业 第 一 的 态 势 感 知', '行 业 第 一'],
      ['punctuation between characters', '零.风.险，请放心', '零.风.险'],
      ['commas between single characters', '绝，对，安，全', '绝，对，安，全'],
      ['traditional characters', '我們的防火牆絕對安全', '絕對安全'],
      ['case', 'An InVuLnErAbLe appliance', 'InVuLnErAbLe'],
      ['spaced letters', 'a u n h a c k a b l e gateway', 'u n h a c k a b l e'],
      ['hyphenated letters', 'B-U-L-L-E-T-P-R-O-O-F rules', 'B-U-L-L-E-T-P-R-O-O-F'],
      ['a Cyrillic letter for a Latin one', 'Our unh\u0430ckable appliance', 'unh\u0430ckable'],
      ['digits for letters', 'Zer0 r1sk with our SOC', 'Zer0 r1sk'],
      ['invisible characters', '零\u200b风\u00ad险部署', '零\u200b风\u00ad险'],
      ['a non-breaking hyphen', 'Industry\u2011leading EDR', 'Industry\u2011leading'],
      ['emphatic full stops', 'Our gateway blocks EVERY. SINGLE. THREAT.', 'blocks EVERY. SINGLE. THREAT'],
    ])('sees through %s', (_, statement, text) => expect(spans(statement)).toContain(text));

    it('keeps the letters of a statement really written in Greek', () => expect(claimText('ΑΣΦΑΛΕΣ').compact).toBe('ασφαλεσ'));

    it('finds nothing in a statement of punctuation alone', () => expect(detect(' ！？…… ')).toEqual({ flagged: [], cleared: [] }));
  });

  describe('denials, hedges and someone else\'s words', () => {
    it.each([
      ['No attack gets through our firewall', true],
      ['No system is 100% secure', false],
      ['我们保证不被攻击', true],
      ['我们不能保证不被攻击', false],
      ['上了我们的WAF，任何攻击都无法突破', true],
      ['没有任何系统能做到100%安全', false],
      ['No system, however well built, is 100% secure', false],
      ["We can't promise miracles, but we guarantee no malware gets past the gateway", true],
      ['虽然安全没有绝对，但我们的WAF能挡住所有攻击', true],
      ['While no firewall is flawless, this one is completely impenetrable', true],
      ['Who would call any gateway unhackable?', false],
      ['我们不敢说自己是行业第一', false],
    ])('"%s": a claim, %s', (statement, claim) => expect(flagged(statement).length > 0).toBe(claim));

    it('counts a bad outcome as a denial of its own: blocking all attacks is a claim, all attacks getting through is not', () => {
      expect(flagged('Our firewall blocks all attacks')).toHaveLength(1);
      expect(detect('Any system can be breached').flagged).toEqual([]);
    });

    it.each([
      ['几乎所有已知攻击都能拦截', '几乎'],
      ['Detection is close to 100%', 'close to'],
      ['We help ensure you pass the audit', 'help'],
    ])('lets a hedged absolute through: "%s"', (statement, hedge) =>
      expect(detect(statement)).toEqual({ flagged: [], cleared: [expect.objectContaining({ reason: 'hedged', detail: `Softened by "${hedge}"` })] }));

    it.each([
      ['有厂商宣称“零漏报”，这是不科学的', /Quoted and refuted by "不科学"/],
      ['One vendor calls its EDR "bulletproof"; that is misleading.', /Quoted and refuted by "misleading"/],
      ['友商号称行业第一', /Attributed to someone else \("号称"\)/],
    ])('lets through a claim that is someone else\'s words: "%s"', (statement, detail) =>
      expect(detect(statement)).toEqual({ flagged: [], cleared: [expect.objectContaining({ reason: 'quoted', detail: expect.stringMatching(detail) })] }));

    it('flags a quoted claim that is the seller\'s own', () => expect(spans('我们的口号是“永不被攻破”')).toEqual(['永不被攻破']));

    it('flags a claim the seller makes about itself, even after quoting someone else\'s', () =>
      expect(spans("Others say they're the best; ours is the best firewall.")).toEqual(['the best firewall']));
  });

  describe('what is not a claim', () => {
    it.each([
      '告警会在第一时间推送给值班工程师',
      '这是第一年的订阅费用',
      '策略按照业界最佳实践来设计',
      '零信任网关降低了内网暴露面',
      '履约保证金按合同比例收取',
      '我们保证在合同约定的日期前上线',
      '所有服务器都需要升级到最新补丁',
      'Hardening follows best practices from the vendor guide.',
      'Zero trust access replaces the VPN.',
      'Make sure all laptops run the current agent.',
      'We protect endpoints against zero-day exploits.',
      'Not only compliant: audited every year.',
    ])('"%s"', (statement) => expect(flagged(statement)).toEqual([]));

    it('lets through a service level the product\'s catalog entry backs, and flags one beyond it or on no product', () => {
      const product = { sku: 'FW-9000', maxSla: { availabilityPct: 99.99, responseHours: 4 } };
      expect(detect('我们承诺99.99%的服务可用性', { product })).toEqual({
        flagged: [],
        cleared: [expect.objectContaining({ reason: 'backed', detail: '99.99% availability is within the 99.99% the catalog offers on FW-9000' })],
      });
      expect(flagged('我们承诺99.999%的服务可用性', { product })).toEqual([expect.objectContaining({ category: 'guarantee' })]);
      expect(flagged('We commit to 99.9% availability')).toEqual([expect.objectContaining({ category: 'guarantee' })]);
      expect(flagged('100% uptime', { product })).toEqual([expect.objectContaining({ category: 'absolute', text: '100% uptime' })]);
    });
  });
});
