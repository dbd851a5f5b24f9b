import { z } from 'zod';
import type { MaxSla } from '../catalog/product.js';
import { ClaimCategory, TERM_CLASSES, TermClass, type ClaimLexicon, type ClaimStructure } from './claimLexicon.js';
import { findBannedClaims, type BannedClaims } from './claims.js';
import { claimText, compactForm, type ClaimText } from './claimText.js';

/**
 * The false-claim detector behind CMP-01: pure, and driven by the policy revision's lexicon.
 *
 * It finds the lexicon's words in the statement's normal form (claimText.ts), then reads them as a
 * reviewer would: a phrase that is a claim on its own (万无一失, unhackable); a superlative joined
 * to what it praises (行业第一的入侵防御系统); an absolute or a guarantee joined to a security
 * outcome (承诺贵司数据绝不外泄, we ensure you'll never be hit by ransomware). Then it asks what
 * the words around it do to the claim:
 * - denials are counted in the clause, so "no attack gets through" is a claim (a bad outcome,
 *   denied) and "no system is 100% secure" is not (a good outcome, denied);
 * - a hedge (大多数, nearly, helps) softens an absolute into an honest statement;
 * - a claim in quotation marks, or put in someone else's mouth (号称, so-called), and refuted, is not the seller's;
 * - a service level the product's catalog entry backs is a contractual fact.
 * Whatever it flags or lets through says why: the category, where it stands in the statement as
 * written, and the lexicon entry or structure that matched.
 */

/** A word of the lexicon found in the statement, in the part it played. */
export const MatchedTerm = z.object({ role: TermClass, entry: z.string(), start: z.number().int().nonnegative(), end: z.number().int().nonnegative(), text: z.string() });
export type MatchedTerm = z.infer<typeof MatchedTerm>;

export const ClaimMatch = z.discriminatedUnion('kind', [
  /** A phrase that is a claim on its own: from the lexicon's phrases, or a revision's bannedClaims. */
  z.object({ kind: z.literal('phrase'), entry: z.string(), source: z.enum(['claims', 'bannedClaims']) }),
  z.object({ kind: z.literal('pattern'), entry: z.string(), note: z.string().optional() }),
  /** Words joined by one of the lexicon's structures. */
  z.object({ kind: z.literal('structure'), entry: z.string(), name: z.string(), terms: z.array(MatchedTerm) }),
]);
export type ClaimMatch = z.infer<typeof ClaimMatch>;

/**
 * One claim: its category, where it stands in the statement as written (start and end are UTF-16
 * offsets, as String.slice counts them; text is what they enclose), and what matched. Stored on
 * findings: a contract, changed only by adding fields.
 */
export const ClaimExplanation = z.object({
  category: ClaimCategory,
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  text: z.string(),
  matched: ClaimMatch,
});
export type ClaimExplanation = z.infer<typeof ClaimExplanation>;

export const ClearReason = z.enum(['negated', 'hedged', 'quoted', 'backed']);
export type ClearReason = z.infer<typeof ClearReason>;

/** Something that looked like a claim and is not one, with the reason. */
export const ClearedClaim = ClaimExplanation.extend({ reason: ClearReason, detail: z.string() });
export type ClearedClaim = z.infer<typeof ClearedClaim>;

export type ClaimVerdict = { flagged: ClaimExplanation[]; cleared: ClearedClaim[] };

export type ClaimFacts = {
  readonly lexicon: ClaimLexicon;
  readonly bannedClaims: BannedClaims;
  /** The product the statement is about, when it names one: its catalog entry backs a service level. */
  readonly product?: { readonly sku: string; readonly maxSla: MaxSla };
};

// The lexicon, compiled once per revision: memoising a pure function leaves the domain pure.

type Entry = { readonly compact: string; readonly entry: string; readonly roles: ReadonlySet<TermClass>; readonly phrase?: ClaimCategory };
/** The entries as a trie of their compact forms: finding every entry that starts at a character costs at most the length of the longest, whatever the lexicon holds. */
type TrieNode = { readonly next: Map<string, TrieNode>; entry?: Entry };
type CompiledLexicon = TrieNode;

const compiledLexicons = new WeakMap<ClaimLexicon, CompiledLexicon>();

const compile = (lexicon: ClaimLexicon): CompiledLexicon => {
  const entries = new Map<string, { entry: string; roles: Set<TermClass>; phrase?: ClaimCategory }>();
  const add = (text: string, role?: TermClass, phrase?: ClaimCategory) => {
    const compact = compactForm(text);
    if (!compact) return;
    const known = entries.get(compact) ?? { entry: text, roles: new Set<TermClass>() };
    if (role) known.roles.add(role);
    if (phrase && !known.phrase) known.phrase = phrase;
    entries.set(compact, known);
  };
  for (const { phrase, category } of lexicon.phrases) add(phrase, undefined, category);
  for (const role of TERM_CLASSES) for (const term of lexicon.terms[role]) add(term, role);
  const root: TrieNode = { next: new Map() };
  for (const [compact, entry] of entries) {
    let node = root;
    for (const char of compact) {
      const next = node.next.get(char) ?? { next: new Map() };
      node.next.set(char, next);
      node = next;
    }
    node.entry = { compact, ...entry };
  }
  return root;
};

const compiledLexicon = (lexicon: ClaimLexicon): CompiledLexicon => {
  const known = compiledLexicons.get(lexicon);
  if (known) return known;
  const fresh = compile(lexicon);
  compiledLexicons.set(lexicon, fresh);
  return fresh;
};

// Reading the statement

type Term = {
  readonly from: number;
  readonly to: number;
  readonly entry: string;
  readonly roles: ReadonlySet<TermClass>;
  readonly phrase?: ClaimCategory;
  readonly source?: ClaimMatch;
};

const has = (term: Term, roles: readonly TermClass[]) => roles.some((role) => term.roles.has(role));

const DENIALS: readonly TermClass[] = ['negations', 'negatedAbsolutes', 'impossibility', 'reassurances'];
/** The parts of a clause that make it a claim of its own; a denial does not reach past a fragment that holds one. */
const CLAUSE_CONTENT: readonly TermClass[] = ['protections', 'breaches', 'guarantees', 'superlatives', 'availability'];
/** How short a fragment a denial reaches across ("No system, however well built, is 100% secure"). */
const FRAGMENT_MAX_WORDS = 5;
/** How close a hedge stands before what it softens. */
const HEDGE_REACH_WORDS = 3;
/** How far a quantifier of totality looks for the threats it ranges over. */
const TOTALITY_REACH_WORDS = 6;
/** How far after its outcome a trigger may stand (拦截所有攻击, secure, 100%). */
const TRAILING_TRIGGER_WORDS = 5;

/** The first index of a list sorted by `from` whose term starts at or after `at`. */
const firstFrom = (terms: readonly Term[], at: number) => {
  let low = 0;
  let high = terms.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (terms[middle]!.from < at) low = middle + 1;
    else high = middle;
  }
  return low;
};

/**
 * One statement as the detector reads it: the lexicon's words found in it, one reading of each
 * character, its sentences and clauses, and indexes over them, so that judging a statement costs
 * about as much as it is long, whatever words it repeats.
 */
class Reading {
  /** The lexicon's words, in order, none overlapping. */
  readonly words: Term[];
  /** A revision's banned phrases and patterns, which may overlap the words. */
  readonly banned: Term[];
  /** For each character of the compact text, its sentence and its clause (a sentence split at commas). */
  private readonly sentence: number[] = [];
  private readonly clause: number[] = [];
  private readonly clauseBounds = new Map<number, { from: number; to: number }>();
  private readonly concessiveClauses = new Set<number>();
  private readonly clausesWithContent = new Set<number>();
  private readonly wordsOfClause = new Map<number, Term[]>();
  private readonly wordsInRole = new Map<TermClass, Term[]>();
  /** The first refutation outside quotation marks, if any: it refutes whatever the statement quotes. */
  readonly refutation: Term | undefined;

  constructor(
    readonly statement: string,
    readonly text: ClaimText,
    lexicon: CompiledLexicon,
    bannedClaims: BannedClaims,
  ) {
    this.words = this.resolve(this.lexiconTerms(lexicon));
    this.banned = this.bannedTerms(bannedClaims);
    for (const word of this.words) for (const role of word.roles) this.wordsInRole.set(role, [...(this.wordsInRole.get(role) ?? []), word]);
    this.divide();
    for (const word of this.words) {
      const clause = this.clauseOf(word.from);
      this.wordsOfClause.set(clause, [...(this.wordsOfClause.get(clause) ?? []), word]);
      if (has(word, CLAUSE_CONTENT)) this.clausesWithContent.add(clause);
    }
    this.refutation = this.inRole('refutations').find((term) => !this.quoted(term));
    this.denials = this.words.filter((word) => has(word, DENIALS));
  }

  /** The words that deny, in order: counted over a range by two searches, since words never overlap nor cross a clause. */
  private readonly denials: Term[];

  /** How many denials lie within [from, to), where `from` starts a clause or a word and `to` ends one. */
  countDenials = (from: number, to: number) => firstFrom(this.denials, to) - firstFrom(this.denials, from);

  /** The last few denials within [from, to), to name in an explanation. */
  lastDenials = (from: number, to: number, most: number) => this.denials.slice(Math.max(firstFrom(this.denials, from), firstFrom(this.denials, to) - most), firstFrom(this.denials, to));

  /** The hedge nearest before `to` and at or after `from` that stands within `reach` words before `first` or after it. */
  hedgeNear = (from: number, first: Term, to: number, reach: number) => {
    const hedges = this.inRole('hedges');
    for (let index = firstFrom(hedges, to) - 1; index >= 0 && hedges[index]!.from >= from; index -= 1) {
      const hedge = hedges[index]!;
      if (hedge.to > to) continue;
      if (hedge.from >= first.to || this.distance(hedge, first) < reach) return hedge;
      return undefined;
    }
    return undefined;
  };

  inRole = (role: TermClass): readonly Term[] => this.wordsInRole.get(role) ?? [];

  private isWordStart = (at: number) => at === 0 || this.text.word[at] !== this.text.word[at - 1];
  private isWordEnd = (at: number) => at === this.text.compact.length || this.text.word[at] !== this.text.word[at - 1];

  private lexiconTerms(lexicon: CompiledLexicon): Term[] {
    const { compact, gapBefore } = this.text;
    const found: Term[] = [];
    for (let from = 0; from < compact.length; from += 1) {
      if (!this.isWordStart(from)) continue;
      let node: TrieNode | undefined = lexicon;
      for (let at = from; node && at < compact.length; ) {
        // A word of the lexicon may step over spaces and joiners, never over a comma or a full stop.
        if (at > from && (gapBefore[at] === 'clause' || gapBefore[at] === 'sentence')) break;
        const char = String.fromCodePoint(compact.codePointAt(at)!);
        node = node.next.get(char);
        at += char.length;
        const entry = node?.entry;
        if (entry && this.isWordEnd(at)) found.push({ from, to: at, entry: entry.entry, roles: entry.roles, ...(entry.phrase ? { phrase: entry.phrase } : {}) });
      }
    }
    return found;
  }

  /** A revision's bannedClaims, found in their own normal form and placed on the compact text. */
  private bannedTerms(bannedClaims: BannedClaims): Term[] {
    const { origin } = this.text;
    return findBannedClaims(this.statement, bannedClaims).flatMap((match): Term[] => {
      const from = origin.findIndex(({ start }) => start >= match.start);
      const to = origin.findLastIndex(({ end }) => end <= match.end) + 1;
      if (from < 0 || to <= from) return [];
      const source: ClaimMatch =
        match.kind === 'phrase'
          ? { kind: 'phrase', entry: match.banned, source: 'bannedClaims' }
          : { kind: 'pattern', entry: match.banned, ...(match.note !== undefined ? { note: match.note } : {}) };
      return [{ from, to, entry: match.banned, roles: new Set(), source }];
    });
  }

  /**
   * One reading of each character: the longest word wins, and of two as long, the one that is not
   * a claim (第一年 over 的第一). bannedClaims matches are kept aside: they may cover lexicon words.
   */
  private resolve(found: Term[]): Term[] {
    const ranked = found.sort((a, b) => b.to - b.from - (a.to - a.from) || Number(b.roles.has('benign')) - Number(a.roles.has('benign')) || a.from - b.from);
    const taken = new Array<boolean>(this.text.compact.length).fill(false);
    const kept: Term[] = [];
    for (const term of ranked) {
      if (taken.slice(term.from, term.to).some(Boolean)) continue;
      taken.fill(true, term.from, term.to);
      kept.push(term);
    }
    return kept.sort((a, b) => a.from - b.from);
  }

  /** Sentences end at a full stop or a contrast (但, but); clauses at a comma. */
  private divide() {
    const starts = new Set(this.inRole('contrasts').map((term) => term.from));
    const concessiveStarts = new Set(this.inRole('concessives').map((term) => term.from));
    let sentence = -1;
    let clause = -1;
    this.text.gapBefore.forEach((gap, at) => {
      if (gap === 'sentence' || starts.has(at)) sentence += 1;
      if (gap === 'sentence' || gap === 'clause' || starts.has(at)) clause += 1;
      if (concessiveStarts.has(at)) this.concessiveClauses.add(clause);
      this.sentence.push(sentence);
      this.clause.push(clause);
      const bounds = this.clauseBounds.get(clause);
      if (bounds) bounds.to = at + 1;
      else this.clauseBounds.set(clause, { from: at, to: at + 1 });
    });
  }

  clauseOf = (at: number) => this.clause[at]!;
  wordOf = (at: number) => this.text.word[at]!;

  /** The words between two terms, whichever comes first; 0 when they touch or overlap. */
  distance = (a: Term, b: Term) =>
    a.to <= b.from ? this.wordOf(b.from) - this.wordOf(a.to - 1) - 1 : b.to <= a.from ? this.wordOf(a.from) - this.wordOf(b.to - 1) - 1 : 0;

  termsOfClause = (clause: number): readonly Term[] => this.wordsOfClause.get(clause) ?? [];

  clauses = () => [...this.clauseBounds.keys()];

  /**
   * Where the denials that reach `at` start: its clause, and before it the short fragments of the
   * same sentence that hold no claim of their own, unless they concede ("while no product is perfect,").
   */
  scopeStart(at: number): number {
    let start = this.clauseBounds.get(this.clauseOf(at))!.from;
    while (start > 0 && this.sentence[start - 1] === this.sentence[at]) {
      const previous = this.clauseOf(start - 1);
      const { from } = this.clauseBounds.get(previous)!;
      const words = this.wordOf(start - 1) - this.wordOf(from) + 1;
      if (words > FRAGMENT_MAX_WORDS || this.clausesWithContent.has(previous) || this.concessiveClauses.has(previous)) break;
      start = from;
    }
    return start;
  }

  clauseText = (clause: number) => {
    const { from, to } = this.clauseBounds.get(clause)!;
    return this.original(from, to).text;
  };

  /** The words in any of `roles` lying within [from, to), in order. */
  termsBetween = (from: number, to: number, roles: readonly TermClass[]): Term[] => {
    const found = new Set<Term>();
    for (const role of roles) {
      const inRole = this.inRole(role);
      for (let index = firstFrom(inRole, from); index < inRole.length && inRole[index]!.from < to; index += 1) if (inRole[index]!.to <= to) found.add(inRole[index]!);
    }
    return [...found].sort((a, b) => a.from - b.from);
  };

  /** The words overlapping [from, to). */
  wordsOver = (from: number, to: number): Term[] => {
    const found: Term[] = [];
    // Words never overlap one another, and none is longer than an entry, so the one before `from` is the only earlier word that may reach in.
    for (let index = Math.max(0, firstFrom(this.words, from) - 1); index < this.words.length && this.words[index]!.from < to; index += 1) {
      if (this.words[index]!.to > from) found.push(this.words[index]!);
    }
    return found;
  };

  sameSentence = (a: number, b: number) => this.sentence[a] === this.sentence[b];

  quoted = (term: Term) => this.text.quoted.slice(term.from, term.to).some(Boolean);

  original(from: number, to: number) {
    const start = this.text.origin[from]!.start;
    const end = this.text.origin[to - 1]!.end;
    return { start, end, text: this.statement.slice(start, end) };
  }
}

// Judging what was found

type Candidate = { readonly category: ClaimCategory; readonly parts: readonly Term[]; readonly matched: (reading: Reading) => ClaimMatch; readonly head?: Term };

const span = (parts: readonly Term[]) => ({ from: Math.min(...parts.map((part) => part.from)), to: Math.max(...parts.map((part) => part.to)) });

/** Someone else's claim, refuted or attributed: in quotation marks with a refutation or an attribution by a third party, or after such an attribution. */
const quotedOrAttributed = (reading: Reading, parts: readonly Term[]): string | undefined => {
  const { from } = span(parts);
  const attribution = reading
    .inRole('attributions')
    .find(
      (term) =>
        term.to <= from &&
        reading.sameSentence(term.from, from) &&
        !reading.inRole('firstPerson').some((first) => first.to <= term.from && reading.distance(first, term) <= 2),
    );
  const { refutation } = reading;
  if (parts.some((part) => reading.quoted(part))) {
    if (refutation) return `Quoted and refuted by "${reading.original(refutation.from, refutation.to).text}"`;
    if (attribution) return `Quoted as someone else's words ("${reading.original(attribution.from, attribution.to).text}")`;
    return undefined;
  }
  return attribution && reading.clauseOf(attribution.from) === reading.clauseOf(from)
    ? `Attributed to someone else ("${reading.original(attribution.from, attribution.to).text}")`
    : undefined;
};

/** How many denials named in an explanation: the nearest, which decide it. */
const DENIALS_NAMED = 3;

const hedgeOf = (reading: Reading, parts: readonly Term[], triggers: readonly Term[]) => {
  const first = triggers.reduce((earliest, term) => (term.from < earliest.from ? term : earliest), triggers[0]!);
  return reading.hedgeNear(reading.scopeStart(first.from), first, span(parts).to, HEDGE_REACH_WORDS);
};

const percentIn = (text: string) => {
  const figure = /(\d+(?:\.\d+)?)\s*%/u.exec(text.normalize('NFKC'));
  return figure ? Number(figure[1]) : undefined;
};

/** A service level within what the catalog says the product offers is a contractual fact, not a claim. */
const backing = (reading: Reading, head: Term, facts: ClaimFacts): string | undefined => {
  if (!head.roles.has('availability') || !facts.product) return undefined;
  const figure = percentIn(reading.clauseText(reading.clauseOf(head.from)));
  const { sku, maxSla } = facts.product;
  return figure !== undefined && figure <= maxSla.availabilityPct ? `${figure}% availability is within the ${maxSla.availabilityPct}% the catalog offers on ${sku}` : undefined;
};

/** A superlative, a guarantee or an absolute is denied by an odd number of denials before it; a bad outcome counts as one more. */
const judge = (reading: Reading, candidate: Candidate, facts: ClaimFacts, extraDenial: boolean, triggers: readonly Term[]): Omit<ClearedClaim, keyof ClaimExplanation> | undefined => {
  const { from, to } = span(candidate.parts);
  // A superlative is denied before it ("我们不是行业第一"); an outcome anywhere up to its last word ("安全没有百分之百").
  const superlative = candidate.category === 'superlative';
  const denialsEnd = superlative ? Math.max(...triggers.map((trigger) => trigger.from), from) : to;
  const quoted = quotedOrAttributed(reading, candidate.parts);
  if (quoted) return { reason: 'quoted', detail: quoted };
  if (!superlative) {
    const hedge = hedgeOf(reading, candidate.parts, triggers);
    if (hedge) return { reason: 'hedged', detail: `Softened by "${reading.original(hedge.from, hedge.to).text}"` };
  }
  const scope = reading.scopeStart(from);
  if ((reading.countDenials(scope, denialsEnd) + (extraDenial ? 1 : 0)) % 2 === 1) {
    const words = reading.lastDenials(scope, denialsEnd, DENIALS_NAMED).map((denial) => `"${reading.original(denial.from, denial.to).text}"`);
    return { reason: 'negated', detail: words.length ? `Denied by ${words.join(', ')}` : 'Says a bad outcome can happen, which claims no protection' };
  }
  const backed = candidate.head && backing(reading, candidate.head, facts);
  return backed ? { reason: 'backed', detail: backed } : undefined;
};

const termOf = (reading: Reading, term: Term, role: TermClass): MatchedTerm => ({ role, entry: term.entry, ...reading.original(term.from, term.to) });

const roleIn = (term: Term, roles: readonly TermClass[]) => roles.find((role) => term.roles.has(role))!;

/** Candidates of one structure in one clause. */
const structureCandidates = (reading: Reading, structure: ClaimStructure, clause: number, facts: ClaimFacts) => {
  const terms = reading.termsOfClause(clause).filter((term) => !term.phrase || term.roles.size > 0);
  const position = new Map(terms.map((term, index) => [term, index]));
  /** The clause's words within `before` words before `term` and `after` words after it, nearest first on each side; a window bounds the work, whatever the clause repeats. */
  const near = (term: Term, before: number, after: number) => {
    const index = position.get(term)!;
    const found: Term[] = [];
    for (let at = index - 1; at >= 0 && reading.distance(terms[at]!, term) <= before; at -= 1) found.push(terms[at]!);
    for (let at = index + 1; at < terms.length && reading.distance(term, terms[at]!) <= after; at += 1) found.push(terms[at]!);
    return found;
  };
  const results: { candidate: Candidate; cleared?: Omit<ClearedClaim, keyof ClaimExplanation> }[] = [];
  const matched = (parts: readonly { term: Term; role: TermClass }[]) => (r: Reading) =>
    ({ kind: 'structure', entry: structure.id, name: structure.name, terms: parts.map(({ term, role }) => termOf(r, term, role)) }) as const;

  if (structure.kind === 'joined') {
    for (const trigger of terms.filter((term) => has(term, structure.triggers))) {
      const subject = near(trigger, structure.window, structure.window)
        .filter((term) => has(term, structure.heads))
        .sort((a, b) => reading.distance(trigger, a) - reading.distance(trigger, b))[0];
      if (!subject) continue;
      const parts = [
        { term: trigger, role: roleIn(trigger, structure.triggers) },
        { term: subject, role: roleIn(subject, structure.heads) },
      ].sort((a, b) => a.term.from - b.term.from);
      const candidate: Candidate = { category: structure.category, parts: parts.map(({ term }) => term), matched: matched(parts) };
      const cleared = judge(reading, candidate, facts, false, [trigger]);
      results.push({ candidate, ...(cleared ? { cleared } : {}) });
    }
    return results;
  }

  // A quantifier of totality claims something only over threats ("all attacks"), not over assets ("all endpoints").
  const objectOf = (totality: Term) => near(totality, 0, TOTALITY_REACH_WORDS).find((term) => term.from >= totality.to && has(term, ['threats', 'breaches']));
  const reassuring = structure.triggers.includes('reassurances');
  const heads = terms.filter((term) => has(term, structure.heads) || (reassuring && term.roles.has('threats')));
  for (const head of heads) {
    const triggers = near(head, structure.window, Math.min(structure.window, TRAILING_TRIGGER_WORDS))
      .filter((term) => {
        if (!has(term, structure.triggers)) return false;
        const onlyTotality = structure.triggers.filter((role) => term.roles.has(role)).every((role) => role === 'totality');
        if (onlyTotality) {
          const object = objectOf(term);
          if (!object || object === head) return false;
        }
        // A threat is a head only of a reassurance ("不用担心勒索").
        return has(head, structure.heads) || term.roles.has('reassurances');
      })
      .sort((a, b) => a.from - b.from);
    if (triggers.length === 0) continue;
    // The explanation names every word that made the claim: its triggers and outcome, what totality ranges over, and the denials between them.
    const objects = triggers.flatMap((term) => (term.roles.has('totality') ? [objectOf(term)!].filter((object) => object && object !== head) : []));
    const joined = [...triggers, head, ...objects];
    const { from, to } = span(joined);
    const denials = reading.termsBetween(from, to, DENIALS).filter((term) => !joined.includes(term));
    const parts = [
      ...triggers.map((term) => ({ term, role: roleIn(term, structure.triggers) })),
      { term: head, role: has(head, structure.heads) ? roleIn(head, structure.heads) : ('threats' as const) },
      ...objects.map((term) => ({ term, role: roleIn(term, ['threats', 'breaches']) })),
      ...denials.map((term) => ({ term, role: roleIn(term, DENIALS) })),
    ].sort((a, b) => a.term.from - b.term.from);
    const candidate: Candidate = { category: structure.category, parts: parts.map(({ term }) => term), matched: matched(parts), head };
    const bad = (head.roles.has('breaches') && !head.roles.has('protections')) || !has(head, structure.heads);
    const cleared = judge(reading, candidate, facts, bad, triggers);
    results.push({ candidate, ...(cleared ? { cleared } : {}) });
  }
  return results;
};

const phraseCategory = (reading: Reading, term: Term): ClaimCategory => {
  const inside = reading.wordsOver(term.from, term.to);
  if (inside.some((other) => other.roles.has('guarantees') || other.phrase === 'guarantee')) return 'guarantee';
  if (inside.some((other) => other.roles.has('superlatives') || other.phrase === 'superlative')) return 'superlative';
  return 'absolute';
};

const phraseCandidates = (reading: Reading, facts: ClaimFacts, terms: readonly Term[]) =>
  terms
    .filter((term) => term.phrase || term.source)
    .map((term) => {
      const category = term.phrase ?? phraseCategory(reading, term);
      const candidate: Candidate = {
        category,
        parts: [term],
        matched: () => term.source ?? { kind: 'phrase', entry: term.entry, source: 'claims' },
      };
      const cleared = judge(reading, candidate, facts, false, [term]);
      return { candidate, ...(cleared ? { cleared } : {}) };
    });

const overlaps = (a: { from: number; to: number }, b: { from: number; to: number }) => a.from < b.to && b.from < a.to;

/**
 * The verdict on one statement under one lexicon: every claim flagged, and every near-claim let
 * through, each with its explanation. Deterministic and pure; the lexicon is compiled once.
 */
export const detectClaims = (statement: string, facts: ClaimFacts): ClaimVerdict => {
  const text = claimText(statement);
  if (!text.compact) return { flagged: [], cleared: [] };
  const reading = new Reading(statement, text, compiledLexicon(facts.lexicon), facts.bannedClaims);
  const found = [
    ...phraseCandidates(reading, facts, reading.words),
    ...facts.lexicon.structures.flatMap((structure) => reading.clauses().flatMap((clause) => structureCandidates(reading, structure, clause, facts))),
  ];
  // A revision's own bannedClaims are reported where the lexicon found nothing there.
  const lexiconSpans = found.map(({ candidate }) => span(candidate.parts));
  const banned = phraseCandidates(reading, facts, reading.banned).filter(({ candidate }) => !lexiconSpans.some((other) => overlaps(other, span(candidate.parts))));

  const flagged: (ClaimExplanation & { from: number; to: number })[] = [];
  const cleared: (ClearedClaim & { from: number; to: number })[] = [];
  for (const { candidate, cleared: why } of [...found, ...banned]) {
    const { from, to } = span(candidate.parts);
    const explanation = { category: candidate.category, ...reading.original(from, to), matched: candidate.matched(reading), from, to };
    if (!why) {
      if (!flagged.some((other) => other.category === explanation.category && overlaps(other, explanation))) flagged.push(explanation);
    } else if (!cleared.some((other) => overlaps(other, explanation))) cleared.push({ ...explanation, ...why });
  }
  const strip = <T extends { from: number; to: number }>({ from: _from, to: _to, ...rest }: T) => rest;
  return {
    flagged: flagged.sort((a, b) => a.start - b.start).map(strip),
    // What was cleared where something else is flagged is not news.
    cleared: cleared.filter((claim) => !flagged.some((other) => overlaps(other, claim))).sort((a, b) => a.start - b.start).map(strip),
  };
};
