import { RE2JS } from 're2js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBannedClaims, PATTERN_MAX_INSTRUCTIONS } from '../../domain/compliance/claims.js';
import { findingStreamId } from '../../domain/compliance/finding.js';
import { DEFAULT_POLICY, PublishPolicyRevisionInput } from '../../domain/policy/policy.js';
import { STATEMENT_MAX_CHARS } from '../../domain/promise/promise.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

/**
 * Hostile banned-claim patterns and statements, by class. Patterns are policy data typed in by people
 * and statements are whatever a seller types, so neither may stall the process: each pair is either
 * refused by POL-05 when the policy is published (a 400 naming the field) or judged well under a
 * second, on statements of tens of thousands of characters, ten times the longest a promise may hold.
 */
const LONG = 20_000;
/** Well under a second: a check that took this long on a statement ten times the longest allowed would still not stall anything. */
const BUDGET_MS = 500;
/**
 * The largest program allowed, over a statement built to keep its every instruction busy, is near
 * enough the worst case by construction: a few hundred milliseconds at 20,000 characters, a tenth of
 * that on the longest statement a promise may hold. It is held to a second rather than to the
 * catalogue's budget, so that a loaded test machine does not fail it.
 */
const WORST_CASE_BUDGET_MS = 1_000;

type Flags = 'i' | '';
type Judged = { readonly pattern: string; readonly flags?: Flags; readonly statement: string; readonly flagged: boolean; readonly about: string };
type Refused = { readonly pattern: string; readonly flags?: Flags; readonly problem: RegExp; readonly about: string };

/** A unit repeated to at least `chars` characters. */
const repeatedTo = (unit: string, chars: number) => unit.repeat(Math.ceil(chars / unit.length));

const timed = <T>(run: () => T) => {
  const started = performance.now();
  const result = run();
  return { result, ms: performance.now() - started };
};

const timedAsync = async <T>(run: () => Promise<T>) => {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
};

const onlyPattern = (pattern: string, flags?: Flags) => ({ phrases: [], patterns: [{ pattern, ...(flags ? { flags } : {}) }] });
const publication = (pattern: string, flags?: Flags) => ({ effectiveFrom: '2027-01-01T00:00:00.000Z', ...DEFAULT_POLICY, bannedClaims: onlyPattern(pattern, flags) });

/** The largest program POL-05 lets through, over the widest class: the most work a single pattern can ask for. */
const LARGEST_ALLOWED = `\\pL{1,${(PATTERN_MAX_INSTRUCTIONS - 4) / 2}}!`;

const JUDGED_IN_BOUNDED_TIME: Record<string, readonly Judged[]> = {
  'nested quantifiers': [
    { pattern: '(a+)+$', statement: 'a'.repeat(LONG) + '!', flagged: false, about: 'a run of a that ends in !' },
    { pattern: '(a+)+$', statement: 'a'.repeat(LONG), flagged: true, about: 'a run of a' },
    { pattern: '(x+x+)+y', statement: 'x'.repeat(LONG), flagged: false, about: 'a run of x without y' },
    { pattern: '(?:\\d{1,3})+%', statement: '1'.repeat(LONG) + '!', flagged: false, about: 'digits without a per-cent sign' },
    { pattern: '(.*a){5}!', statement: 'a'.repeat(LONG), flagged: false, about: 'a run of a without !' },
  ],
  'overlapping alternations': [
    { pattern: '(a|aa)*b', statement: 'a'.repeat(LONG), flagged: false, about: 'a run of a without b' },
    { pattern: '(a|a)*b', statement: 'a'.repeat(LONG) + 'b', flagged: true, about: 'a run of a that ends in b' },
    { pattern: '(?:\\w|\\d)+!', statement: '9'.repeat(LONG), flagged: false, about: 'digits without !' },
    { pattern: '.*a.*a.*a.*b', statement: 'a'.repeat(LONG), flagged: false, about: 'a run of a without b' },
  ],
  'non-ASCII case folding': [
    { pattern: '(?:é|É)*z', flags: 'i', statement: 'é'.repeat(LONG) + '!', flagged: false, about: 'a run of é that ends in !' },
    { pattern: '(?:é|É)*z', flags: 'i', statement: 'É'.repeat(LONG) + 'Z', flagged: true, about: 'a run of É that ends in Z' },
    { pattern: '(?:Σ|σ|ς)*z', flags: 'i', statement: repeatedTo('Σσς', LONG) + '!', flagged: false, about: 'every Greek sigma' },
    { pattern: '(?:ǅ|ǆ|Ǆ)+z', flags: 'i', statement: 'ǅ'.repeat(LONG) + '!', flagged: false, about: 'a title-case digraph' },
  ],
  'quantified groups over large inputs': [
    { pattern: '(?:\\pL{1,15}){1,9}!', flags: 'i', statement: '安'.repeat(LONG), flagged: false, about: 'letters without !' },
    { pattern: '(?:\\w{1,15}){1,9}$', statement: 'a'.repeat(LONG) + '!', flagged: false, about: 'word characters that end in !' },
  ],
  'Chinese text': [
    { pattern: '(?:保|保证)*入侵', statement: repeatedTo('保证', LONG), flagged: false, about: 'guarantee, over and over, without intrusion' },
    { pattern: '(?:百分之?百)+(?:安全|防护)', statement: repeatedTo('百分之百', LONG) + '可靠', flagged: false, about: 'a hundred per cent, over and over, then reliable' },
    { pattern: '(?:绝对|绝)*安全', statement: repeatedTo('绝对', LONG) + '安全', flagged: true, about: 'absolutely, over and over, then safe' },
  ],
  'full-width text': [
    { pattern: '(a+)+$', statement: 'Ａ'.repeat(LONG) + '！', flagged: false, about: 'full-width A that ends in a full-width !, folded by NFKC' },
    { pattern: '(?:ａ|Ａ|a)*z', flags: 'i', statement: repeatedTo('ａＡ', LONG) + '！', flagged: false, about: 'full-width a and A' },
    { pattern: '(?:1|0)+%(?:安全|防护)', statement: repeatedTo('１００', LONG) + '％防护', flagged: true, about: 'full-width digits and per-cent sign' },
  ],
  'unpaired surrogates and astral characters': [
    { pattern: '(?:.|\\pL)*z', flags: 'i', statement: '\uD800'.repeat(LONG) + '!', flagged: false, about: 'unpaired high surrogates' },
    { pattern: '(?:😀|.)+安全', statement: repeatedTo('😀\uDC00', LONG) + '安全', flagged: true, about: 'emoji and unpaired low surrogates' },
  ],
};

const REFUSED: readonly Refused[] = [
  { pattern: '^(a+)\\1*$', problem: /the pattern uses a back-reference, .* which is not supported/, about: 'a back-reference over a repeated group' },
  { pattern: '(?=(a+))\\1b', problem: /the pattern uses lookahead, .* which is not supported/, about: 'lookahead feeding a back-reference' },
  { pattern: '(?<=a+)b', problem: /the pattern uses lookbehind, .* which is not supported/, about: 'lookbehind of varying length' },
  { pattern: '(?>a+)+b', problem: /the pattern uses an atomic group, .* which is not supported/, about: 'an atomic group' },
  { pattern: '(?:a|é)++z', flags: 'i', problem: /the pattern uses a possessive quantifier, .* which is not supported/, about: 'a possessive quantifier' },
  { pattern: '(?:\\pL{1,100}){1,10}!', problem: new RegExp(`the pattern compiles to \\d+ instructions; at most ${PATTERN_MAX_INSTRUCTIONS} are allowed`), about: 'a counted repeat of a counted repeat' },
  { pattern: '(?:(?:a{1,100}){1,100})b', problem: /the pattern does not compile \(RE2 syntax\): invalid repeat count/, about: 'counted repeats nested past what RE2 allows' },
  { pattern: '(a|aa)*'.repeat(29) + 'b', problem: /the pattern has 204 characters; at most 200 are allowed/, about: 'an over-long pattern' },
];

describe('hostile banned-claim patterns', () => {
  describe.each(Object.entries(JUDGED_IN_BOUNDED_TIME))('%s', (_kind, cases) => {
    const titled = cases.map((judged) => ({ ...judged, shown: judged.flags ? `${judged.pattern} under i` : judged.pattern }));
    it.each(titled)('accepts $shown and judges $about, 20,000 characters and more, in well under a second', ({ pattern, flags, statement, flagged }) => {
      expect(PublishPolicyRevisionInput.safeParse(publication(pattern, flags)).success).toBe(true);
      const { result, ms } = timed(() => findBannedClaims(statement, onlyPattern(pattern, flags)));
      expect(result.length > 0).toBe(flagged);
      expect(ms).toBeLessThan(BUDGET_MS);
    });
  });

  describe('the largest program POL-05 allows', () => {
    it('is as large as the bound, so the case below is about the worst a pattern can ask for', () => {
      expect(RE2JS.compile(LARGEST_ALLOWED, RE2JS.CASE_INSENSITIVE).programSize()).toBeGreaterThan(0.95 * PATTERN_MAX_INSTRUCTIONS);
      expect(PublishPolicyRevisionInput.safeParse(publication(LARGEST_ALLOWED, 'i')).success).toBe(true);
    });

    it.each([
      ['letters without !', '安'.repeat(LONG), false],
      ['letters that end in !', '安'.repeat(LONG) + '!', true],
    ] as const)(`judges %s, 20,000 characters, in under a second`, (_about, statement, flagged) => {
      const { result, ms } = timed(() => findBannedClaims(statement, onlyPattern(LARGEST_ALLOWED, 'i')));
      expect(result.length > 0).toBe(flagged);
      expect(ms).toBeLessThan(WORST_CASE_BUDGET_MS);
    });
  });

  describe('non-regular or unbounded constructs', () => {
    it.each(REFUSED)('refuses $pattern ($about) with a 400-style problem on the field, and never runs it', ({ pattern, flags, problem }) => {
      const { result: parsed, ms } = timed(() => PublishPolicyRevisionInput.safeParse(publication(pattern, flags)));
      expect(parsed.error?.issues).toEqual([
        expect.objectContaining({ path: ['bannedClaims', 'patterns', 0, 'pattern'], message: expect.stringMatching(new RegExp(`^POL-05: Pattern .*: ${problem.source}`)) }),
      ]);
      expect(ms).toBeLessThan(BUDGET_MS);
      expect(findBannedClaims('a'.repeat(LONG) + 'b', onlyPattern(pattern, flags))).toEqual([]);
    });
  });

  describe('very long statements under the whole default policy', () => {
    it.each([
      ['near misses in Chinese', repeatedTo('百分之', 3 * LONG), false],
      ['near misses in English', repeatedTo('guarantee100can', 3 * LONG), false],
      ['full-width near misses', repeatedTo('１００％　ｇｕａｒａｎｔｅｅ', 3 * LONG), false],
      ['a claim at the very end', '安'.repeat(3 * LONG) + '１００％ 防护', true],
    ] as const)('judges %s, tens of thousands of characters long, in well under a second', (_about, statement, flagged) => {
      expect(statement.length).toBeGreaterThanOrEqual(3 * LONG);
      const { result, ms } = timed(() => findBannedClaims(statement, DEFAULT_POLICY.bannedClaims));
      expect(result.length > 0).toBe(flagged);
      expect(ms).toBeLessThan(BUDGET_MS);
    });
  });
});

describe('a hostile pattern through the API', () => {
  const START = '2026-03-02T09:00:00.000Z';
  const clock = { at: START, now() { return this.at; } };
  let t: TestApp;
  let customerId: string;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    const published = await t.post(
      '/policy/revisions',
      { ...publication('(?:é|É)*z', 'i'), effectiveFrom: START, changeNote: 'Ban runs of é ending in z, in either case' },
      { role: 'compliance_officer' },
    );
    expect(published.statusCode, published.body).toBe(201);
    customerId = (await t.post('/customers', { name: '华东银行', industry: 'finance', region: 'east' })).json().id;
  });
  afterAll(() => t.close());

  /** A request through inject and the checks behind it, answered before anyone would notice waiting. */
  const PROMPT_MS = 1_000;
  const promise = (statement: string) => t.post('/promises', { customerId, kind: 'other', statement, dueDate: '2026-03-20' });

  it('answers a promise of 30,000 é and ! promptly, and the server still answers', async () => {
    const { result: answer, ms } = await timedAsync(() => promise('é'.repeat(30_000) + '!'));
    // Longer than a statement may be: refused as input before any check runs.
    expect(answer.statusCode).toBe(400);
    expect(answer.json().errors.map((error: { field: string }) => error.field)).toEqual(['statement']);
    expect(ms).toBeLessThan(PROMPT_MS);
    expect((await t.get('/health/live')).json()).toEqual({ status: 'live' });
  });

  it('judges the longest statement allowed under the hostile pattern promptly, flagged or not, and the server still answers', async () => {
    const longest = (last: string) => 'é'.repeat(STATEMENT_MAX_CHARS - 1) + last;
    const { result: honest, ms: honestMs } = await timedAsync(() => promise(longest('!')));
    expect(honest.statusCode, honest.body).toBe(201);
    expect(honest.json().findings).toEqual([]);
    expect(honestMs).toBeLessThan(PROMPT_MS);

    const { result: banned, ms: bannedMs } = await timedAsync(() => promise(longest('Z')));
    expect(banned.statusCode, banned.body).toBe(201);
    expect(banned.json().findings).toHaveLength(1);
    expect(bannedMs).toBeLessThan(PROMPT_MS);
    const [finding] = await t.system.eventStore.readStream(findingStreamId(banned.json().findings[0]));
    expect(finding!.data).toMatchObject({ ruleId: 'CMP-01', policyRevision: 2, detail: expect.stringContaining('(?:é|É)*z') });

    expect((await t.get('/health/live')).json()).toEqual({ status: 'live' });
  });
});
