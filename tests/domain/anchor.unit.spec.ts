import { describe, expect, it } from 'vitest';
import {
  anchorDecider,
  anchorEventSchemas,
  anchorRules,
  initialState,
  nextStatement,
  type AnchorEvent,
  type LogSinceLastAnchor,
  type RecordAnchor,
  type StreamChange,
} from '../../domain/anchor/anchor.js';
import { GENESIS_HASH } from '../../domain/shared/hashChain.js';
import { deciderSpecification, defaultContext } from '../support/deciderSpecification.js';

/** A made-up sha256: the decider compares hashes, it never computes one. */
const h = (digit: string) => digit.repeat(64);

const auditor = { actor: { id: 'aud-1', role: 'auditor' } };
const onRequest: RecordAnchor = { type: 'RecordAnchor', trigger: 'request' };
const onSchedule: RecordAnchor = { type: 'RecordAnchor', trigger: 'schedule' };

const firstAnchor: AnchorEvent = {
  type: 'AnchorRecorded',
  data: {
    sequence: 1,
    position: 10,
    createdAt: '2026-11-27T08:00:00.000Z',
    previous: GENESIS_HASH,
    root: h('a'),
    streamCount: 2,
    keyId: 'ed25519:0123456789abcdef',
    algorithm: 'Ed25519',
    hash: h('1'),
    signature: 'c2lnbmVkIDE=',
    changed: [
      { streamId: 'customer-c1', revision: 3, hash: h('c') },
      { streamId: 'opportunity-o1', revision: 1, hash: h('d') },
    ],
  },
};

/** The facts the application gathers: the log up to `position`, its changes since the last anchor, and the seal of the next statement. */
const logSince = (given: AnchorEvent[], position: number, changes: StreamChange[]): LogSinceLastAnchor => {
  const state = given.reduce(anchorDecider.evolve, initialState());
  const statement = nextStatement(state, { position, createdAt: defaultContext.now, root: h('b'), streamCount: 3, keyId: 'ed25519:0123456789abcdef', algorithm: 'Ed25519' });
  return { position, changes, seal: { statement, hash: h('2'), signature: 'c2lnbmVkIDI=' } };
};

const moved = (streamId: string, anchored: StreamChange['anchored'], first: StreamChange['first'], head: StreamChange['head'], chainHolds = true): StreamChange => ({
  streamId,
  anchored,
  first,
  head,
  chainHolds,
});
/** customer-c1 goes on after its sealed revision 3 as it should. */
const customerGoesOn = moved('customer-c1', { revision: 3, hash: h('c') }, { revision: 4, prevHash: h('c') }, { revision: 5, hash: h('e') });
/** A stream no anchor saw yet, from its first event. */
const newQuote = moved('quote-q1', null, { revision: 0, prevHash: GENESIS_HASH }, { revision: 0, hash: h('f') });

const spec = deciderSpecification(anchorDecider, { ...defaultContext, ...auditor, ...logSince([], 0, []) });

const recorded = (facts: LogSinceLastAnchor): AnchorEvent => ({
  type: 'AnchorRecorded',
  data: {
    ...facts.seal.statement,
    hash: facts.seal.hash,
    signature: facts.seal.signature,
    changed: facts.changes.map(({ streamId, head }) => ({ streamId, ...head })),
  },
});

describe('Anchor', () => {
  describe('the statement an anchor signs', () => {
    it('is the first, after the genesis hash, when no anchor was taken', () =>
      expect(nextStatement(initialState(), { position: 7, createdAt: defaultContext.now, root: h('b'), streamCount: 1, keyId: 'k', algorithm: 'Ed25519' })).toMatchObject({
        sequence: 1,
        previous: GENESIS_HASH,
        position: 7,
      }));

    it('follows the last anchor, naming its hash', () =>
      expect(logSince([firstAnchor], 20, []).seal.statement).toMatchObject({ sequence: 2, previous: h('1'), position: 20, createdAt: defaultContext.now }));

    it('is stored as the schema says', () => expect(anchorEventSchemas.AnchorRecorded.parse(firstAnchor.data)).toEqual(firstAnchor.data));
  });

  describe('taking an anchor', () => {
    it('records the first anchor of a log with the heads of every stream it has', () => {
      const facts = logSince([], 12, [newQuote]);
      spec.given([]).when(onRequest, facts).then([recorded(facts)]);
    });

    it('records only the heads that moved since the last anchor, chained to it', () => {
      const facts = logSince([firstAnchor], 25, [customerGoesOn, newQuote]);
      spec.given([firstAnchor]).when(onRequest, facts).then([recorded(facts)]);
      expect(recorded(facts).data).toMatchObject({ sequence: 2, previous: h('1'), changed: [{ streamId: 'customer-c1', revision: 5 }, { streamId: 'quote-q1', revision: 0 }] });
    });

    it('is taken on request even when nothing moved, to seal the log at a known moment', () => {
      const facts = logSince([firstAnchor], 11, []);
      spec.given([firstAnchor]).when(onRequest, facts).then([recorded(facts)]);
    });

    it.each(['compliance_officer', 'admin', 'system'])('is taken by the role %s too', (role) => {
      const facts = logSince([], 12, [newQuote]);
      spec.given([]).when(onRequest, { ...facts, actor: { id: 'x', role } }).then([recorded(facts)]);
    });

    it(`refuses anyone else (${anchorRules.takenByOverseers.id})`, () =>
      spec
        .given([])
        .when(onRequest, { ...logSince([], 12, [newQuote]), actor: { id: 'rep-1', role: 'sales_rep' } })
        .thenRefuses(anchorRules.takenByOverseers, /sales_rep cannot/));

    it(`refuses when the log's head stands behind the last anchor's position (${anchorRules.logNotBehind.id})`, () =>
      spec
        .given([firstAnchor])
        .when(onSchedule, logSince([firstAnchor], 9, []))
        .thenRefuses(anchorRules.logNotBehind, /position 9, behind position 10 sealed by anchor 1/));

    it(`refuses a stream that goes on below the revision the last anchor sealed (${anchorRules.continuesAnchor.id})`, () =>
      spec
        .given([firstAnchor])
        .when(onSchedule, logSince([firstAnchor], 25, [moved('customer-c1', { revision: 3, hash: h('c') }, { revision: 3, prevHash: h('9') }, { revision: 3, hash: h('8') })]))
        .thenRefuses(anchorRules.continuesAnchor, /customer-c1, sealed at revision 3, goes on from revision 3: sealed events were removed or replaced/));

    it(`refuses a stream that skips revisions after the sealed one (${anchorRules.continuesAnchor.id})`, () =>
      spec
        .given([firstAnchor])
        .when(onSchedule, logSince([firstAnchor], 25, [moved('customer-c1', { revision: 3, hash: h('c') }, { revision: 5, prevHash: h('9') }, { revision: 5, hash: h('8') })]))
        .thenRefuses(anchorRules.continuesAnchor, /revisions are missing/));

    it(`refuses a stream whose next event does not name the sealed hash before it (${anchorRules.continuesAnchor.id})`, () =>
      spec
        .given([firstAnchor])
        .when(onSchedule, logSince([firstAnchor], 25, [moved('customer-c1', { revision: 3, hash: h('c') }, { revision: 4, prevHash: h('9') }, { revision: 4, hash: h('8') })]))
        .thenRefuses(anchorRules.continuesAnchor, /revision 4 does not follow the sealed revision before it/));

    it(`refuses a stream no anchor saw that does not start at revision 0 (${anchorRules.continuesAnchor.id})`, () =>
      spec
        .given([firstAnchor])
        .when(onSchedule, logSince([firstAnchor], 25, [moved('quote-q2', null, { revision: 2, prevHash: h('9') }, { revision: 2, hash: h('8') })]))
        .thenRefuses(anchorRules.continuesAnchor, /quote-q2, never sealed, goes on from revision 2/));

    it(`refuses a stream whose chain since the last anchor does not hold, naming every stream at fault (${anchorRules.continuesAnchor.id})`, () =>
      spec
        .given([firstAnchor])
        .when(
          onSchedule,
          logSince([firstAnchor], 25, [
            moved('customer-c1', { revision: 3, hash: h('c') }, { revision: 4, prevHash: h('c') }, { revision: 6, hash: h('8') }, false),
            newQuote,
            moved('opportunity-o1', { revision: 1, hash: h('d') }, { revision: 1, prevHash: h('9') }, { revision: 1, hash: h('7') }),
          ]),
        )
        .thenRefuses(anchorRules.continuesAnchor, /^customer-c1: its hash chain since the last anchor does not hold; opportunity-o1, sealed at revision 1/));

    it(`refuses a scheduled anchor when nothing moved since the last one (${anchorRules.scheduledOnChange.id})`, () =>
      spec
        .given([firstAnchor])
        .when(onSchedule, { ...logSince([firstAnchor], 11, []), actor: { id: 'anchor-schedule', role: 'system' } })
        .thenRefuses(anchorRules.scheduledOnChange, /Nothing has moved since anchor 1 at position 10/));

    it('takes a scheduled anchor once something moved', () => {
      const facts = logSince([firstAnchor], 25, [customerGoesOn]);
      spec.given([firstAnchor]).when(onSchedule, facts).then([recorded(facts)]);
    });
  });
});
