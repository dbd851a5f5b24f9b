import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { detectClaims, type ClaimFacts } from '../domain/compliance/claimDetector.js';
import { DEFAULT_CLAIM_LEXICON } from '../domain/compliance/claimLexicon.js';
import { findBannedClaims } from '../domain/compliance/claims.js';
import type { MaxSla } from '../domain/catalog/product.js';
import { DEFAULT_POLICY } from '../domain/policy/policy.js';

/**
 * The labelled corpus of seller statements (tests/fixtures/claims), and the detector measured on
 * it: precision and recall per language, category and form, on the half used while developing
 * and on the half held out, and the median time to check one statement against the phrase-only
 * matcher CMP-01 used before, measured in the same run.
 */

export type Labelled = {
  id: string;
  lang: 'zh' | 'en';
  label: 'flag' | 'allow';
  category: 'superlative' | 'absolute' | 'guarantee';
  form: 'plain' | 'disguised' | 'hedged';
  statement: string;
  sku?: string;
};

export type Half = 'dev' | 'heldout';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'tests', 'fixtures', 'claims');
// Compiled, this file runs from dist/bench; under vitest, from bench.
const corpusDir = () => {
  for (const dir of [CORPUS, resolve(import.meta.dirname, '..', 'tests', 'fixtures', 'claims')]) {
    try {
      readFileSync(resolve(dir, 'products.json'));
      return dir;
    } catch {
      continue;
    }
  }
  throw new Error('The claims corpus (tests/fixtures/claims) is not found');
};

export const loadCorpus = (half: Half): Labelled[] =>
  readFileSync(resolve(corpusDir(), `${half}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Labelled);

const products: ReadonlyMap<string, { sku: string; maxSla: MaxSla }> = new Map(
  (JSON.parse(readFileSync(resolve(corpusDir(), 'products.json'), 'utf8')) as { sku: string; maxSla: MaxSla }[]).map((product) => [product.sku, product]),
);

export const factsFor = (item: Pick<Labelled, 'sku'>): ClaimFacts => {
  const product = item.sku ? products.get(item.sku) : undefined;
  return { lexicon: DEFAULT_CLAIM_LEXICON, bannedClaims: DEFAULT_POLICY.bannedClaims, ...(product ? { product } : {}) };
};

export type Judge = (item: Labelled) => boolean;

/** The detector under revision 1's lexicon and banned claims, with the catalog entry the statement names. */
export const detector: Judge = (item) => detectClaims(item.statement, factsFor(item)).flagged.length > 0;

/** What CMP-01 did before: revision 1's phrases and patterns, anywhere in the statement. */
export const phraseOnly: Judge = (item) => findBannedClaims(item.statement, DEFAULT_POLICY.bannedClaims).length > 0;

export type Score = { n: number; truePositives: number; falsePositives: number; falseNegatives: number; precision: number; recall: number };

export const score = (items: readonly Labelled[], judge: Judge): Score => {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (const item of items) {
    const flagged = judge(item);
    if (flagged && item.label === 'flag') truePositives += 1;
    if (flagged && item.label === 'allow') falsePositives += 1;
    if (!flagged && item.label === 'flag') falseNegatives += 1;
  }
  // With nothing flagged nothing was wrongly flagged; with nothing to flag nothing was missed.
  const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
  const recall = truePositives + falseNegatives === 0 ? 1 : truePositives / (truePositives + falseNegatives);
  return { n: items.length, truePositives, falsePositives, falseNegatives, precision, recall };
};

/** The groups the goals are set on: plain claims, and disguised or hedged ones, in each language. */
export const GOAL_GROUPS = [
  { name: 'goal: zh plain', filter: (item: Labelled) => item.lang === 'zh' && item.form === 'plain' },
  { name: 'goal: zh disguised+hedged', filter: (item: Labelled) => item.lang === 'zh' && item.form !== 'plain' },
  { name: 'goal: en plain', filter: (item: Labelled) => item.lang === 'en' && item.form === 'plain' },
  { name: 'goal: en disguised+hedged', filter: (item: Labelled) => item.lang === 'en' && item.form !== 'plain' },
] as const;

export const breakdown = (items: readonly Labelled[], judge: Judge) => {
  const rows: { group: string; score: Score }[] = [{ group: 'all', score: score(items, judge) }];
  for (const lang of ['zh', 'en'] as const) {
    const inLang = items.filter((item) => item.lang === lang);
    rows.push({ group: `${lang}`, score: score(inLang, judge) });
    for (const category of ['superlative', 'absolute', 'guarantee'] as const) rows.push({ group: `${lang} ${category}`, score: score(inLang.filter((item) => item.category === category), judge) });
    for (const form of ['plain', 'disguised', 'hedged'] as const) rows.push({ group: `${lang} ${form}`, score: score(inLang.filter((item) => item.form === form), judge) });
  }
  for (const { name, filter } of GOAL_GROUPS) rows.push({ group: name, score: score(items.filter(filter), judge) });
  return rows;
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** The median over statements of the time to check one, each timed over `rounds` calls after a warm-up. */
export const medianCheckMs = (items: readonly Labelled[], check: (item: Labelled) => unknown, rounds = 50) => {
  for (const item of items) check(item);
  return median(
    items.map((item) => {
      const started = process.hrtime.bigint();
      for (let round = 0; round < rounds; round += 1) check(item);
      return Number(process.hrtime.bigint() - started) / 1e6 / rounds;
    }),
  );
};

const pct = (value: number) => value.toFixed(3);

export const printEvaluation = () => {
  const halves = { dev: loadCorpus('dev'), heldout: loadCorpus('heldout') };
  console.log('假声明检测：标注语料上的精确率与召回率 (false-claim detection on the labelled corpus: precision and recall)');
  console.log(`语料 corpus: dev ${halves.dev.length}, held-out ${halves.heldout.length} statements (half Chinese, half English)\n`);
  for (const [half, items] of Object.entries(halves)) {
    console.log(`${half === 'dev' ? '开发集 development half' : '保留集 held-out half (measured only)'}`);
    console.log('  group                        n    P(detector) R(detector)   P(phrases) R(phrases)');
    const ours = breakdown(items, detector);
    const before = breakdown(items, phraseOnly);
    ours.forEach(({ group, score: s }, index) => {
      const b = before[index]!.score;
      console.log(`  ${group.padEnd(26)} ${String(s.n).padStart(4)}    ${pct(s.precision)}       ${pct(s.recall)}         ${pct(b.precision)}      ${pct(b.recall)}`);
    });
    console.log('');
  }
  const all = [...halves.dev, ...halves.heldout];
  const baselineMs = medianCheckMs(all, (item) => findBannedClaims(item.statement, DEFAULT_POLICY.bannedClaims));
  const oursMs = medianCheckMs(all, (item) => detectClaims(item.statement, factsFor(item)));
  console.log('单条检查耗时中位数 median time to check one statement');
  console.log(`  detector ${oursMs.toFixed(4)} ms; phrase-only matcher (baseline, same run) ${baselineMs.toFixed(4)} ms; ratio ${(oursMs / baselineMs).toFixed(2)}x; goal < 1 ms`);
  const misses = (items: readonly Labelled[]) => items.filter((item) => detector(item) !== (item.label === 'flag'));
  return { halves, misses, oursMs, baselineMs };
};
