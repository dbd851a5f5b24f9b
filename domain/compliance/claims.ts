/**
 * Banned claims: absolute or guaranteeing phrases a seller must not say ("100%防护", "unhackable").
 * Statements and phrases are compared in one normal form, so full-width characters, spacing and
 * case do not hide a claim; patterns are run against that same normal form.
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
};

/**
 * NFKC folds full-width forms (１００％ -> 100%, Ａ -> a after lower-casing); white space of every
 * kind (U+3000 included) and invisible format characters (zero-width space, soft hyphen) are removed,
 * since they would otherwise split a phrase without changing what the customer reads.
 */
export const normaliseStatement = (text: string) => text.normalize('NFKC').toLowerCase().replace(/[\s\p{Cf}]/gu, '');

export const findBannedClaims = (statement: string, bannedClaims: BannedClaims): BannedClaimMatch[] => {
  const text = normaliseStatement(statement);
  const phrases = bannedClaims.phrases.flatMap((phrase): BannedClaimMatch[] => {
    const normal = normaliseStatement(phrase);
    return normal && text.includes(normal) ? [{ kind: 'phrase', banned: phrase, matched: normal }] : [];
  });
  const patterns = bannedClaims.patterns.flatMap(({ pattern, flags, note }): BannedClaimMatch[] => {
    const match = new RegExp(pattern, flags ?? '').exec(text);
    return match ? [{ kind: 'pattern', banned: pattern, matched: match[0], ...(note !== undefined ? { note } : {}) }] : [];
  });
  return [...phrases, ...patterns];
};

// Pattern safety. Patterns are policy data typed in by people and run on every statement, so one
// that backtracks exponentially would stall every check. A small parser finds the shapes that do:
// a quantifier inside a repeated group (star height above 1: (a+)+, (.*a){5}), alternatives that
// can start alike inside a repeated group ((a|a)*, (a|ab)+), and quantifiers in a row over the same
// characters (.*a.*b, \w+\d+), which backtrack polynomially. It errs on the side of refusing: a
// refused pattern is rewritten, a stalled check is an outage.

export const PATTERN_MAX_CHARS = 200;

/** Sets of UTF-16 code units as inclusive ranges; patterns have no `u` flag, so code units are what they match. */
type CharSet = readonly (readonly [number, number])[];

const MAX_UNIT = 0xffff;
const ANY: CharSet = [[0, MAX_UNIT]];
const single = (unit: number): CharSet => [[unit, unit]];
const DIGIT: CharSet = [[0x30, 0x39]];
const WORD: CharSet = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const SPACE: CharSet = [
  [0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a],
  [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
];

const complement = (set: CharSet): CharSet => {
  const sorted = [...set].sort((a, b) => a[0] - b[0]);
  const gaps: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) gaps.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_UNIT) gaps.push([next, MAX_UNIT]);
  return gaps;
};

const intersects = (a: CharSet, b: CharSet) => a.some(([lo, hi]) => b.some(([lo2, hi2]) => lo <= hi2 && lo2 <= hi));

/** Under the `i` flag a set also holds the other case of each ASCII letter in it. */
const withOtherCase = (set: CharSet): CharSet => {
  const shifted = (from: number, to: number, by: number) =>
    set.flatMap(([lo, hi]): [number, number][] => (lo <= to && hi >= from ? [[Math.max(lo, from) + by, Math.min(hi, to) + by]] : []));
  return [...set, ...shifted(0x41, 0x5a, 0x20), ...shifted(0x61, 0x7a, -0x20)];
};

type RegexNode =
  | { readonly kind: 'chars'; readonly set: CharSet }
  | { readonly kind: 'assertion' }
  /** A group; a lookaround is one that consumes nothing. */
  | { readonly kind: 'group'; readonly alternatives: RegexNode[][]; readonly consumes: boolean }
  | { readonly kind: 'repeat'; readonly node: RegexNode; readonly min: number; readonly max: number };

class UnsupportedPattern extends Error {}

const HEX2 = /[0-9a-f]{2}/iy;
const HEX4 = /[0-9a-f]{4}/iy;
const COUNTED = /\{(\d+)(,(\d*))?\}/y;

/** Parses a source `new RegExp` has already accepted without the `u` flag (Annex B syntax). */
const parseRegex = (source: string, ignoreCase: boolean): RegexNode => {
  let at = 0;
  const chars = (set: CharSet): RegexNode => ({ kind: 'chars', set: ignoreCase ? withOtherCase(set) : set });
  const sticky = (re: RegExp) => {
    re.lastIndex = at;
    const match = re.exec(source);
    if (match) at = re.lastIndex;
    return match;
  };

  /** An escape after the backslash at `at`: a set of characters, or an assertion (\b, \B) outside a class. */
  const escape = (inClass: boolean): CharSet | 'assertion' => {
    const letter = source[at + 1] ?? '';
    at += 2;
    switch (letter) {
      case 'd': return DIGIT;
      case 'D': return complement(DIGIT);
      case 'w': return WORD;
      case 'W': return complement(WORD);
      case 's': return SPACE;
      case 'S': return complement(SPACE);
      case 'b': return inClass ? single(0x08) : 'assertion';
      case 'B': return inClass ? single(0x42) : 'assertion';
      case 't': return single(0x09);
      case 'n': return single(0x0a);
      case 'v': return single(0x0b);
      case 'f': return single(0x0c);
      case 'r': return single(0x0d);
      case 'x': {
        const hex = sticky(HEX2);
        return hex ? single(parseInt(hex[0], 16)) : single(0x78);
      }
      case 'u': {
        const hex = sticky(HEX4);
        return hex ? single(parseInt(hex[0], 16)) : single(0x75);
      }
      case 'c': {
        const control = source[at];
        if (control && /[a-z]/i.test(control)) {
          at += 1;
          return single(control.charCodeAt(0) % 32);
        }
        // Annex B: a \c without a letter is a backslash, and the c is read as the next atom.
        at -= 1;
        return single(0x5c);
      }
      case 'k':
        if (!inClass && source[at] === '<') throw new UnsupportedPattern('back-references are not allowed');
        return single(0x6b);
      default:
        if (/[1-9]/.test(letter)) {
          if (!inClass) throw new UnsupportedPattern('back-references and octal escapes are not allowed');
          return ANY;
        }
        // \0 and the octal escapes Annex B allows after it stay within the first 256 code units.
        if (letter === '0') return [[0, 0xff]];
        return single(letter.charCodeAt(0));
    }
  };

  const charClass = (): CharSet => {
    at += 1;
    const negated = source[at] === '^';
    if (negated) at += 1;
    const set: (readonly [number, number])[] = [];
    /** One class item: a single code unit (which may start or end a range) or a class escape such as \d. */
    const item = (): { unit?: number; set: CharSet } => {
      if (source[at] === '\\') {
        const escaped = escape(true);
        const charSet = escaped === 'assertion' ? ANY : escaped;
        const only = charSet.length === 1 && charSet[0]![0] === charSet[0]![1] ? charSet[0]![0] : undefined;
        return only === undefined ? { set: charSet } : { unit: only, set: charSet };
      }
      const unit = source.charCodeAt(at);
      at += 1;
      return { unit, set: single(unit) };
    };
    while (at < source.length && source[at] !== ']') {
      const from = item();
      if (from.unit !== undefined && source[at] === '-' && source[at + 1] !== ']' && at + 1 < source.length) {
        at += 1;
        const to = item();
        if (to.unit !== undefined) {
          set.push([from.unit, to.unit]);
          continue;
        }
        set.push([from.unit, from.unit], [0x2d, 0x2d], ...to.set);
        continue;
      }
      set.push(...from.set);
    }
    at += 1;
    return negated ? complement(set) : set;
  };

  const group = (): RegexNode => {
    at += 1;
    let consumes = true;
    if (source[at] === '?') {
      const opener = /\?(?::|=|!|<=|<!|<[^>]*>|[a-z-]*:)/iy;
      const match = sticky(opener);
      if (match && /^\?(=|!|<=|<!)$/.test(match[0])) consumes = false;
    }
    const alternatives = sequenceOfAlternatives();
    at += 1;
    return { kind: 'group', alternatives, consumes };
  };

  const atom = (): RegexNode => {
    const char = source[at]!;
    switch (char) {
      case '(':
        return group();
      case '[':
        return chars(charClass());
      case '\\': {
        const escaped = escape(false);
        return escaped === 'assertion' ? { kind: 'assertion' } : chars(escaped);
      }
      case '.':
        at += 1;
        return chars(ANY);
      case '^':
      case '$':
        at += 1;
        return { kind: 'assertion' };
      default:
        at += 1;
        return chars(single(char.charCodeAt(0)));
    }
  };

  const quantified = (node: RegexNode): RegexNode => {
    const bounds = (): [number, number] | undefined => {
      switch (source[at]) {
        case '*': at += 1; return [0, Infinity];
        case '+': at += 1; return [1, Infinity];
        case '?': at += 1; return [0, 1];
        case '{': {
          const counted = sticky(COUNTED);
          if (!counted) return undefined;
          const min = Number(counted[1]);
          return [min, counted[2] === undefined ? min : counted[3] ? Number(counted[3]) : Infinity];
        }
        default: return undefined;
      }
    };
    const found = bounds();
    if (!found) return node;
    if (source[at] === '?') at += 1; // lazy or greedy, it backtracks the same
    return { kind: 'repeat', node, min: found[0], max: found[1] };
  };

  const sequenceOfAlternatives = (): RegexNode[][] => {
    let current: RegexNode[] = [];
    const alternatives = [current];
    while (at < source.length && source[at] !== ')') {
      if (source[at] === '|') {
        at += 1;
        current = [];
        alternatives.push(current);
        continue;
      }
      current.push(quantified(atom()));
    }
    return alternatives;
  };

  return { kind: 'group', alternatives: sequenceOfAlternatives(), consumes: true };
};

const nullable = (node: RegexNode): boolean => {
  switch (node.kind) {
    case 'chars': return false;
    case 'assertion': return true;
    case 'group': return !node.consumes || node.alternatives.some((sequence) => sequence.every(nullable));
    case 'repeat': return node.min === 0 || nullable(node.node);
  }
};

/** The characters a node can start with. */
const firstOf = (node: RegexNode): CharSet => {
  switch (node.kind) {
    case 'chars': return node.set;
    case 'assertion': return [];
    case 'group': return node.consumes ? node.alternatives.flatMap(firstOfSequence) : [];
    case 'repeat': return firstOf(node.node);
  }
};

const firstOfSequence = (sequence: RegexNode[]): CharSet => {
  const first: (readonly [number, number])[] = [];
  for (const node of sequence) {
    first.push(...firstOf(node));
    if (!nullable(node)) break;
  }
  return first;
};

/** Every character a node can consume. */
const consumedBy = (node: RegexNode): CharSet => {
  switch (node.kind) {
    case 'chars': return node.set;
    case 'assertion': return [];
    case 'group': return node.consumes ? node.alternatives.flat().flatMap(consumedBy) : [];
    case 'repeat': return consumedBy(node.node);
  }
};

/** A fixed count ({3}) matches one way; anything else can match a varying number of times. */
const hasVaryingQuantifier = (node: RegexNode): boolean => {
  switch (node.kind) {
    case 'chars':
    case 'assertion': return false;
    case 'group': return node.alternatives.flat().some(hasVaryingQuantifier);
    case 'repeat': return node.min !== node.max || hasVaryingQuantifier(node.node);
  }
};

const overlappingAlternatives = (alternatives: RegexNode[][]) => {
  const firsts = alternatives.map(firstOfSequence);
  return firsts.some((first, i) => firsts.slice(i + 1).some((other) => intersects(first, other)));
};

/**
 * How many ways a node can match the same text, roughly: 1 for a fixed shape, the span of a counted
 * quantifier, Infinity for an unbounded one.
 */
const waysOf = (node: RegexNode): number => {
  switch (node.kind) {
    case 'chars':
    case 'assertion': return 1;
    case 'group':
      return node.consumes ? node.alternatives.reduce((sum, sequence) => sum + sequence.reduce((product, child) => product * waysOf(child), 1), 0) : 1;
    case 'repeat':
      return node.max === Infinity ? Infinity : (node.max - node.min + 1) * waysOf(node.node) ** node.max;
  }
};

/** Past this many ways to split a stretch of text, a statement of 2,000 characters takes too long to search. */
const MAX_AMBIGUITY = 10_000;

/**
 * Quantifiers in a row over the same characters (.*a.*b, \w+a\w+) can split one stretch of text in
 * polynomially many ways: a.*a.*a.*b takes minutes on 2,000 letters a. The chain continues across
 * anything that can match the same characters, and breaks at anything that cannot.
 */
const ambiguousChain = (sequence: RegexNode[]) => {
  let chain: { set: CharSet; ways: number; length: number } | undefined;
  for (const node of sequence) {
    const ways = waysOf(node);
    const set = consumedBy(node);
    const continues = chain !== undefined && (nullable(node) || intersects(chain.set, set));
    if (ways === 1) {
      if (!continues) chain = undefined;
      continue;
    }
    chain = continues && chain ? { set: [...chain.set, ...set], ways: chain.ways * ways, length: chain.length + 1 } : { set, ways, length: 1 };
    if (chain.length > 1 && chain.ways > MAX_AMBIGUITY) return true;
  }
  return false;
};

const backtrackingRisk = (node: RegexNode, repeated: boolean): string | undefined => {
  switch (node.kind) {
    case 'chars':
    case 'assertion':
      return undefined;
    case 'repeat': {
      const repeats = node.max > 1;
      if (repeats && hasVaryingQuantifier(node.node)) return 'a quantifier inside a repeated group, as in (a+)+ or (.*a){5}';
      return backtrackingRisk(node.node, repeated || repeats);
    }
    case 'group': {
      if (repeated && overlappingAlternatives(node.alternatives)) {
        return 'alternatives that can start with the same character inside a repeated group, as in (a|a)* or (a|ab)+';
      }
      if (node.alternatives.some(ambiguousChain)) {
        return 'quantifiers in a row that can match the same characters, as in .*a.*b or \\w+\\d+ (bound the gaps instead: .{0,10})';
      }
      for (const child of node.alternatives.flat()) {
        const risk = backtrackingRisk(child, repeated);
        if (risk) return risk;
      }
      return undefined;
    }
  }
};

/** Why a banned-claim pattern cannot be put in force, or undefined when it can. */
export const patternProblem = (pattern: string, flags: 'i' | '' = ''): string | undefined => {
  if (!pattern) return 'the pattern is empty';
  if ([...pattern].length > PATTERN_MAX_CHARS) return `the pattern is longer than ${PATTERN_MAX_CHARS} characters`;
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, flags);
  } catch (error) {
    return `the pattern does not compile: ${(error as Error).message}`;
  }
  try {
    const risk = backtrackingRisk(parseRegex(pattern, flags === 'i'), false);
    if (risk) return `the pattern could backtrack catastrophically: ${risk}`;
  } catch (error) {
    if (error instanceof UnsupportedPattern) return `the pattern is not allowed: ${error.message}`;
    throw error;
  }
  if (compiled.exec('') !== null) return 'the pattern matches empty text, so it would flag every statement';
  return undefined;
};

/** Why a banned phrase cannot be put in force, or undefined when it can. */
export const phraseProblem = (phrase: string) =>
  normaliseStatement(phrase) ? undefined : 'the phrase is empty once white space is removed, so it would flag every statement';
