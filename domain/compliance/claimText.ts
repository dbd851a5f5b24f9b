import { ConverterFactory } from 'opencc-js/core';
import { from, to } from 'opencc-js/preset/t2cn';

/**
 * A statement in the one form claims are looked for in, keeping where each character came from.
 *
 * A seller hides a claim by writing it differently, not by saying something else: full-width
 * forms, spacing or punctuation between characters (绝 对 安 全, u-n-h-a-c-k-a-b-l-e), case,
 * traditional characters (絕對安全), letters of another script that look Latin (unhаckable with a
 * Cyrillic а), digits for letters (zer0 r1sk), invisible characters. Each is undone here, so a
 * claim is one sequence of word characters ("compact" text), while the gaps between them are
 * kept aside: matching may step over spaces and joining punctuation, but a clause ends at a
 * comma or a full stop, unless the punctuation only separates single characters (绝，对，安，全).
 *
 * Offsets are UTF-16 code units of the original statement, as String.slice counts them.
 */

/** What separates two word characters: nothing, white space, a joiner (- . * / '), a clause mark (, 、 :) or a sentence end (。 ! ? ;). */
export type Gap = 'none' | 'space' | 'joiner' | 'clause' | 'sentence';

export type ClaimText = {
  /** The word characters of the statement in normal form: lower case, simplified, folded. */
  readonly compact: string;
  /** For each character of compact, the span of the original statement it came from. */
  readonly origin: readonly { readonly start: number; readonly end: number }[];
  /** For each character of compact, what separates it from the one before (the first's is 'sentence'). */
  readonly gapBefore: readonly Gap[];
  /** For each character of compact, the word it belongs to, counted from 0: a Han character is a word of its own. */
  readonly word: readonly number[];
  /** For each character of compact, whether it lies between quotation marks. */
  readonly quoted: readonly boolean[];
};

// Traditional to simplified with OpenCC's dictionaries: Taiwan variants, then traditional phrases
// and characters. Every entry maps a string to one of the same number of code points, so each
// converted character still stands where its original stood.
const toSimplified = ConverterFactory(from.tw ?? [], to.cn ?? []);

const HAN = /\p{Script=Han}/u;
const WORD = /[\p{L}\p{N}%#]/u;
const SPACE = /\s/u;
const SENTENCE_END = /[。．！？!?;；…\n]/u;
const CLAUSE_MARK = /[,，、:：()（）[\]【】〔〕{}<>《》〈〉"“”「」『』]/u;
const INVISIBLE = /[\p{Cf}\p{M}]/u;
const OPENING_QUOTES = new Set(['“', '「', '『', '‘']);
const CLOSING_QUOTES = new Set(['”', '」', '』']);

/**
 * Cyrillic and Greek letters drawn like Latin ones. They are folded only when every Cyrillic or
 * Greek letter of a statement is one of them and it has Latin letters too: a statement really
 * written in Greek or Russian keeps its letters.
 */
const LOOKALIKES: Readonly<Record<string, string>> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', з: '3', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ь: 'b',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', μ: 'u', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y', ω: 'w',
};
const CYRILLIC_OR_GREEK = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;
const LATIN_LETTER = /[a-z]/;

/** Digits written for letters inside a word of letters (h4ck, zer0, f1rst). */
const DIGITS_AS_LETTERS: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };
/** Letters written for digits inside a figure (1OO%). */
const LETTERS_AS_DIGITS: Readonly<Record<string, string>> = { o: '0', l: '1', i: '1' };

type Char = { char: string; start: number; end: number };

/** NFKC (full width, compatibility forms), accents and invisible characters dropped, lower case. */
const foldCharacters = (statement: string): Char[] => {
  const chars: Char[] = [];
  let offset = 0;
  for (const original of statement) {
    const start = offset;
    offset += original.length;
    // A symbol (™, ©, emoji) separates; NFKC would turn some into letters (™ into tm).
    const folded = /\p{S}/u.test(original) && original !== '%' ? ' ' : original.normalize('NFKC').normalize('NFD').toLowerCase();
    for (const char of folded) if (!INVISIBLE.test(char)) chars.push({ char, start, end: offset });
  }
  return simplifiedChars(chars);
};

/** Traditional characters replaced by simplified ones, each keeping its place and origin. */
export const simplifiedChars = <C extends { readonly char: string }>(chars: readonly C[]): C[] => {
  const simplified = [...toSimplified(chars.map(({ char }) => char).join(''))];
  // The dictionaries keep the number of code points, so the zip is exact; this guards the promise.
  if (simplified.length !== chars.length) return [...chars];
  return chars.map((char, index) => ({ ...char, char: simplified[index]! }));
};

const foldLookalikes = (chars: Char[]): Char[] => {
  const foreign = chars.filter(({ char }) => CYRILLIC_OR_GREEK.test(char));
  if (foreign.length === 0 || !foreign.every(({ char }) => LOOKALIKES[char]) || !chars.some(({ char }) => LATIN_LETTER.test(char))) return chars;
  return chars.map((char) => ({ ...char, char: LOOKALIKES[char.char] ?? char.char }));
};

/** Within one run of letters and digits: mostly a figure, letters become digits; mostly a word, digits become letters. */
const foldDigitsAndLetters = (run: Char[]) => {
  const letters = run.filter(({ char }) => /\p{L}/u.test(char)).length;
  const digits = run.filter(({ char }) => /\p{N}/u.test(char)).length;
  if (letters === 0 || digits === 0) return;
  const figure = digits > letters || run.some(({ char }) => char === '%');
  const table = figure ? LETTERS_AS_DIGITS : DIGITS_AS_LETTERS;
  for (const char of run) char.char = table[char.char] ?? char.char;
};

const separatorKind = (separator: string): Gap => {
  if ([...separator].some((char) => SENTENCE_END.test(char))) return 'sentence';
  // A full stop followed by a space ends an English sentence; without one it joins (u.n.h.a.c.k, no.1).
  if (/\.\s/u.test(separator)) return 'sentence';
  if ([...separator].some((char) => CLAUSE_MARK.test(char))) return 'clause';
  if ([...separator].every((char) => SPACE.test(char))) return 'space';
  return 'joiner';
};

export const claimText = (statement: string): ClaimText => {
  const chars = foldLookalikes(foldCharacters(statement));
  const compact: Char[] = [];
  const gapBefore: Gap[] = [];
  const quoted: boolean[] = [];
  let separator = '';
  let inQuote = false;
  let run: Char[] = [];
  const endRun = () => {
    foldDigitsAndLetters(run);
    run = [];
  };
  for (const char of chars) {
    const isHan = HAN.test(char.char);
    if (isHan || WORD.test(char.char)) {
      if (isHan || separator) endRun();
      gapBefore.push(compact.length === 0 ? 'sentence' : separator ? separatorKind(separator) : 'none');
      quoted.push(inQuote);
      compact.push(char);
      if (!isHan) run.push(char);
      separator = '';
      continue;
    }
    endRun();
    separator += char.char;
    if (char.char === '"') inQuote = !inQuote;
    else if (OPENING_QUOTES.has(char.char)) inQuote = true;
    else if (CLOSING_QUOTES.has(char.char) || (char.char === '’' && inQuote)) inQuote = false;
  }
  endRun();

  const word: number[] = [];
  compact.forEach(({ char }, index) => {
    const previous = compact[index - 1];
    const startsWord = !previous || gapBefore[index] !== 'none' || HAN.test(char) || HAN.test(previous.char);
    word.push((word[index - 1] ?? -1) + (startsWord ? 1 : 0));
  });

  // Punctuation between single characters or single words is a disguise, not a clause: 绝，对，安，全; blocks EVERY. SINGLE. THREAT.
  const gaps = joinSingleWordRuns(gapBefore, word);

  return {
    // One UTF-16 unit per character, so that the text and the arrays beside it share their indices: a character beyond the BMP (a rare Han) stands as U+FFFD, in statements and lexicon entries alike.
    compact: compact.map(({ char }) => (char.length > 1 ? '\uFFFD' : char)).join(''),
    origin: compact.map(({ start, end }) => ({ start, end })),
    gapBefore: gaps,
    word,
    quoted,
  };
};

/**
 * Splits the text at clause marks and sentence ends; where two or more pieces in a row are a single
 * word each, the marks between them, and the one before the first, only separate the letters or
 * words of one phrase, and become joiners.
 */
const joinSingleWordRuns = (gapBefore: readonly Gap[], word: readonly number[]): Gap[] => {
  const pieces: { start: number; words: number }[] = [];
  let start = 0;
  for (let index = 1; index <= gapBefore.length; index += 1) {
    if (index === gapBefore.length || gapBefore[index] === 'clause' || gapBefore[index] === 'sentence') {
      pieces.push({ start, words: word[index - 1]! - word[start]! + 1 });
      start = index;
    }
  }
  const gaps = [...gapBefore];
  pieces.forEach((piece, index) => {
    const single = (at: number) => pieces[at]?.words === 1;
    if (single(index) && (single(index - 1) || single(index + 1)) && index > 0) gaps[piece.start] = 'joiner';
  });
  return gaps;
};

/** An entry of a lexicon in the same form, so that 絕對安全, ＵＮＨＡＣＫＡＢＬＥ and "un-hackable" are all found by 绝对安全 and unhackable. */
export const compactForm = (entry: string) => claimText(entry).compact;
