import { RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';
import { simplifiedChars } from './claimText.js';

/**
 * Banned claims: absolute or guaranteeing phrases a seller must not say ("100%防护", "unhackable"),
 * as a revision's bannedClaims lists them. Statements and phrases are compared in one normal form,
 * so full-width characters, spacing, case and traditional characters do not hide a claim; patterns
 * are run against that same normal form. The claim detector (claimDetector.ts) reads these
 * matches with the rest of the lexicon, and judges whether what surrounds them denies them.
 */

export type BannedPattern = { readonly pattern: string; readonly flags?: 'i' | ''; readonly note?: string };
export type BannedClaims = { readonly phrases: readonly string[]; readonly patterns: readonly BannedPattern[] };

export type BannedClaimMatch = {
  readonly kind: 'phrase' | 'pattern';
  /** The phrase or the pattern source as the policy states it. */
  readonly banned: string;
  /** The text it matched, in normal form. */
  readonly matched: string;
  readonly note?: string;
  /** Where it stands in the statement as written: UTF-16 offsets, as String.slice counts them. */
  readonly start: number;
  readonly end: number;
};

type NormalText = { readonly text: string; readonly origin: readonly { readonly start: number; readonly end: number }[] };

/**
 * NFKC folds full-width forms (１００％ -> 100%, Ａ -> a after lower-casing); white space of every
 * kind (U+3000 included) and invisible format characters (zero-width space, soft hyphen) are removed,
 * since they would otherwise split a phrase without changing what the customer reads; traditional
 * characters become simplified ones. Each UTF-16 unit of the text keeps the span it came from.
 */
const normalText = (statement: string): NormalText => {
  const chars: { char: string; start: number; end: number }[] = [];
  let offset = 0;
  for (const original of statement) {
    const start = offset;
    offset += original.length;
    for (const char of original.normalize('NFKC').toLowerCase()) if (!/[\s\p{Cf}]/u.test(char)) chars.push({ char, start, end: offset });
  }
  // Lower-cased one character at a time, a Greek sigma ending a word is σ; in context it is ς, as the whole text lower-cased reads.
  chars.forEach((char, index) => {
    if (char.char === 'σ' && index > 0 && /\p{L}/u.test(chars[index - 1]!.char) && !/\p{L}/u.test(chars[index + 1]?.char ?? '')) char.char = 'ς';
  });
  const simplified = simplifiedChars(chars);
  return { text: simplified.map(({ char }) => char).join(''), origin: simplified.flatMap((char) => new Array<typeof char>(char.char.length).fill(char)) };
};

export const normaliseStatement = (text: string) => normalText(text).text;

const spanOf = (normal: NormalText, from: number, to: number) => ({ start: normal.origin[from]!.start, end: normal.origin[to - 1]!.end });

export const findBannedClaims = (statement: string, bannedClaims: BannedClaims): BannedClaimMatch[] => {
  const normal = normalText(statement);
  const phrases = bannedClaims.phrases.flatMap((phrase): BannedClaimMatch[] => {
    const wanted = normaliseStatement(phrase);
    const at = wanted ? normal.text.indexOf(wanted) : -1;
    return at < 0 ? [] : [{ kind: 'phrase', banned: phrase, matched: wanted, ...spanOf(normal, at, at + wanted.length) }];
  });
  const patterns = bannedClaims.patterns.flatMap(({ pattern, flags, note }): BannedClaimMatch[] => {
    const found = firstMatch(pattern, flags ?? '', normal.text);
    return found === undefined
      ? []
      : [{ kind: 'pattern', banned: pattern, matched: found.matched, ...(note !== undefined ? { note } : {}), ...spanOf(normal, found.from, found.to) }];
  });
  return [...phrases, ...patterns];
};

// Patterns are policy data typed in by people and run on every statement, so they run on RE2
// (re2js), whose matching time is linear in the statement whatever the pattern: no pattern can
// backtrack, and the only cost left to bound is the size of the compiled program.

export const PATTERN_MAX_CHARS = 200;
/**
 * Matching costs up to one step per compiled instruction per character of the statement, so this
 * bounds the worst a pattern can cost. Literals, classes and alternations within the length limit
 * stay under it; counted repeats multiply: .{0,50} is some fifty instructions.
 */
export const PATTERN_MAX_INSTRUCTIONS = 300;

type PatternFlags = 'i' | '';
type CompiledPattern = { readonly program: RE2JS } | { readonly problem: string };

/** Constructs RE2 leaves out to keep matching linear in time, named as a compliance officer would look them up. */
const NON_REGULAR_CONSTRUCTS: readonly { readonly fragment: RegExp; readonly construct: string }[] = [
  { fragment: /^\(\?[=!]/, construct: 'lookahead, (?= or (?!' },
  { fragment: /^\(\?<[=!]/, construct: 'lookbehind, (?<= or (?<!' },
  { fragment: /^\\[1-9k]/, construct: 'a back-reference, \\1 or \\k<name>' },
  { fragment: /^\(\?>/, construct: 'an atomic group, (?>' },
  { fragment: /^(?:[*+?]|\{[\d,]*\})\+$/, construct: 'a possessive quantifier, such as a++' },
];

const compileProblem = (error: RE2JSException): string => {
  if (!(error instanceof RE2JSSyntaxException)) return `the pattern does not compile: ${error.message}`;
  const fragment = error.input ?? '';
  const nonRegular = NON_REGULAR_CONSTRUCTS.find(({ fragment: shape }) => shape.test(fragment));
  if (nonRegular) {
    return `the pattern uses ${nonRegular.construct}, which is not supported: patterns run on RE2, in time linear in the statement, so lookaround, back-references, atomic groups and possessive quantifiers are not available`;
  }
  // The one difference from JavaScript syntax a pattern is likely to trip on.
  if (fragment === '\\u') return 'the pattern does not compile: \\u escapes are JavaScript syntax; RE2 writes a code point as \\x{2019}';
  return `the pattern does not compile (RE2 syntax): ${error.error}: ${fragment}`;
};

const compile = (pattern: string, flags: PatternFlags): CompiledPattern => {
  let program: RE2JS;
  try {
    // RE2's case folding is Unicode's, so under i a pattern's É also matches é.
    program = RE2JS.compile(pattern, flags === 'i' ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    if (error instanceof RE2JSException) return { problem: compileProblem(error) };
    throw error;
  }
  const instructions = program.programSize();
  if (instructions > PATTERN_MAX_INSTRUCTIONS) {
    return {
      problem: `the pattern compiles to ${instructions} instructions; at most ${PATTERN_MAX_INSTRUCTIONS} are allowed, so that every check stays cheap (a counted repeat such as .{0,50} counts once per repetition)`,
    };
  }
  if (program.test('')) return { problem: 'the pattern matches empty text, so it would flag every statement' };
  return { program };
};

/**
 * Every check runs the same few patterns, so each is compiled once per flags. A policy holds tens
 * of them; the bound keeps the cache small as revisions come and go, dropping the pattern used least
 * recently. Memoising a pure function leaves the domain pure.
 */
const COMPILED_PATTERNS_KEPT = 256;
const compiledPatterns = new Map<string, CompiledPattern>();

const compiled = (pattern: string, flags: PatternFlags): CompiledPattern => {
  // Checked before the cache, so that no over-long text is kept in it.
  if (!pattern) return { problem: 'the pattern is empty' };
  const chars = [...pattern].length;
  if (chars > PATTERN_MAX_CHARS) return { problem: `the pattern has ${chars} characters; at most ${PATTERN_MAX_CHARS} are allowed` };
  const key = `${flags}/${pattern}`;
  const known = compiledPatterns.get(key);
  if (known) compiledPatterns.delete(key);
  const result = known ?? compile(pattern, flags);
  compiledPatterns.set(key, result);
  if (compiledPatterns.size > COMPILED_PATTERNS_KEPT) compiledPatterns.delete(compiledPatterns.keys().next().value!);
  return result;
};

/**
 * The text a pattern finds in a statement in normal form, and where, or undefined. A pattern POL-05
 * refuses is not run: only a revision published before patterns ran on RE2 can hold one, and
 * skipping it is better than stalling or crashing every check.
 */
const firstMatch = (pattern: string, flags: PatternFlags, text: string): { matched: string; from: number; to: number } | undefined => {
  const found = compiled(pattern, flags);
  // test can run RE2's DFA, far faster than the matcher that recovers the text, and most statements match nothing.
  if (!('program' in found) || !found.program.test(text)) return undefined;
  const matcher = found.program.matcher(text);
  return matcher.find() ? { matched: matcher.group() ?? '', from: matcher.start(), to: matcher.end() } : undefined;
};

/** Why a banned-claim pattern cannot be put in force, or undefined when it can. */
export const patternProblem = (pattern: string, flags: PatternFlags = ''): string | undefined => {
  const found = compiled(pattern, flags);
  return 'problem' in found ? found.problem : undefined;
};

/** Why a banned phrase cannot be put in force, or undefined when it can. */
export const phraseProblem = (phrase: string) =>
  normaliseStatement(phrase) ? undefined : 'the phrase is empty once white space is removed, so it would flag every statement';
