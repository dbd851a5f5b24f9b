import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { GENESIS_HASH } from '../shared/hashChain.js';

/**
 * Anchors: now and then the system seals where every stream of the log stands (its head revision
 * and hash) under a key kept outside the data directory. The hash chain shows an event was not
 * edited; an anchor shows that no event it sealed was since cut from a stream's end, and that no
 * chain was recomputed by someone who could write the files, because they cannot sign.
 */
export const ANCHOR_CATEGORY = 'anchor';
const anchorStreamId = (id: string) => `${ANCHOR_CATEGORY}-${id}`;
/** One log, one anchor stream, left out of what the anchors seal. */
export const ANCHOR_LOG_ID = 'log';
export const ANCHOR_STREAM_ID = anchorStreamId(ANCHOR_LOG_ID);

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lower-case hex');
export const SigningAlgorithm = z.enum(['Ed25519']);

/** Where one stream stood: its last revision and that event's hash. */
export const StreamHead = z.object({ streamId: z.string().min(1), revision: z.number().int().min(0), hash: Sha256Hex });
export type StreamHead = z.infer<typeof StreamHead>;

/** What the key signs, as RFC 8785 canonical JSON; its sha256 is the anchor's hash, which the next anchor names. */
export const AnchorStatement = z.object({
  /** 1, 2, 3... in the anchor stream. */
  sequence: z.number().int().positive(),
  /** The log's head position when the anchor was taken: the heads are the log's as of this position. */
  position: z.number().int().min(0),
  createdAt: z.iso.datetime(),
  /** The hash of the anchor before this one; the genesis hash for the first. */
  previous: Sha256Hex,
  /** The Merkle root (RFC 6962, sha256) over every stream's head, sorted by stream id. */
  root: Sha256Hex,
  streamCount: z.number().int().min(0),
  keyId: z.string().min(1),
  algorithm: SigningAlgorithm,
});
export type AnchorStatement = z.infer<typeof AnchorStatement>;

export const anchorEventSchemas = {
  AnchorRecorded: AnchorStatement.extend({
    hash: Sha256Hex,
    /** Base64 signature of the canonical statement. */
    signature: z.string().min(1),
    /** Only the heads that moved since the previous anchor: every head is the fold of all anchors up to this one. */
    changed: z.array(StreamHead),
  }),
} as const;

/**
 * An anchor as it is exported for safekeeping outside the system (a notary, a WORM bucket, a
 * ticket) and handed back to be verified: the signed statement, its hash and signature, and every
 * stream's head, from which the root is recomputed. Nothing else is needed to check it.
 */
export const ExportedAnchor = AnchorStatement.extend({
  hash: Sha256Hex,
  signature: z.string().min(1),
  heads: z.array(StreamHead.strict()),
}).strict();
export type ExportedAnchor = z.infer<typeof ExportedAnchor>;

/** Each event read off its schema: the types are never written out by hand. */
export type AnchorEvent = EventOf<typeof anchorEventSchemas>;
export type RecordedAnchor = z.infer<typeof anchorEventSchemas.AnchorRecorded>;

// State

/** Only the last anchor: the heads it seals are folded where they are needed, not copied on every anchor. */
export type AnchorLog = { last: { sequence: number; position: number; hash: string } | null };

export const initialState = (): AnchorLog => ({ last: null });

export const evolve = (_state: AnchorLog, event: AnchorEvent): AnchorLog => {
  const { sequence, position, hash } = event.data;
  return { last: { sequence, position, hash } };
};

/** The statement the next anchor signs, chained to the last one; `createdAt` is the instant of the decision. */
export const nextStatement = (state: AnchorLog, sealed: Omit<AnchorStatement, 'sequence' | 'previous'>): AnchorStatement => ({
  sequence: (state.last?.sequence ?? 0) + 1,
  previous: state.last?.hash ?? GENESIS_HASH,
  ...sealed,
});

// Commands

/** `schedule` comes from the timer, `request` from a person asking for one now. */
export type RecordAnchor = { type: 'RecordAnchor'; trigger: 'schedule' | 'request' };

export type AnchorCommand = RecordAnchor;

/** A stream that moved since the last anchor, as the log holds it now. */
export type StreamChange = {
  readonly streamId: string;
  /** Where the anchors so far sealed it; null for a stream none of them saw. */
  readonly anchored: { readonly revision: number; readonly hash: string } | null;
  /** The first event after the last anchor's position: its revision and the hash it names as the one before. */
  readonly first: { readonly revision: number; readonly prevHash: string };
  /** Its newest event now. */
  readonly head: { readonly revision: number; readonly hash: string };
  /** Whether every event from `first` to `head` hashes to what it stores and names the one before it. */
  readonly chainHolds: boolean;
};

/** The log since the last anchor, gathered and signed by the application, which holds the key. */
export type LogSinceLastAnchor = {
  /** The log's head position now. */
  readonly position: number;
  readonly changes: readonly StreamChange[];
  readonly seal: { readonly statement: AnchorStatement; readonly hash: string; readonly signature: string };
};

export type AnchorFacts = { readonly RecordAnchor: LogSinceLastAnchor };

export const anchorRules = {
  takenByOverseers: { id: 'ANC-01', name: 'Only an auditor, a compliance officer, an admin or the anchor schedule takes an anchor' },
  logNotBehind: { id: 'ANC-02', name: 'The log never stands behind the last anchor' },
  continuesAnchor: { id: 'ANC-03', name: 'An anchor seals only a log that continues what the last anchor sealed' },
  scheduledOnChange: { id: 'ANC-04', name: 'The schedule takes an anchor only when the log has moved since the last one' },
} as const satisfies Record<string, Rule>;

const ANCHORING_ROLES: readonly string[] = ['auditor', 'compliance_officer', 'admin', 'system'];

/** What is wrong where a stream's events since the last anchor meet what it sealed; null when they follow on. */
const discontinuity = ({ streamId, anchored, first, chainHolds }: StreamChange): string | null => {
  const expected = anchored ? { revision: anchored.revision + 1, prevHash: anchored.hash } : { revision: 0, prevHash: GENESIS_HASH };
  const sealed = anchored ? `sealed at revision ${anchored.revision}` : 'never sealed';
  if (first.revision < expected.revision) return `${streamId}, ${sealed}, goes on from revision ${first.revision}: sealed events were removed or replaced`;
  if (first.revision > expected.revision) return `${streamId}, ${sealed}, goes on from revision ${first.revision}: revisions are missing`;
  if (first.prevHash !== expected.prevHash) return `${streamId}: revision ${first.revision} does not follow the sealed revision before it`;
  if (!chainHolds) return `${streamId}: its hash chain since the last anchor does not hold`;
  return null;
};

export const decide = (command: AnchorCommand, state: AnchorLog, context: DecisionContext & LogSinceLastAnchor): AnchorEvent[] | Refusal => {
  if (!ANCHORING_ROLES.includes(context.actor.role)) return refuse(anchorRules.takenByOverseers, `A ${context.actor.role} cannot take an anchor`);
  const { last } = state;
  const { position, changes, seal } = context;
  if (last && position < last.position) {
    return refuse(
      anchorRules.logNotBehind,
      `The log's head is at position ${position}, behind position ${last.position} sealed by anchor ${last.sequence}: events were removed from its end`,
    );
  }
  const breaks = changes.map(discontinuity).filter((problem) => problem !== null);
  if (breaks.length > 0) return refuse(anchorRules.continuesAnchor, breaks.join('; '));
  if (command.trigger === 'schedule' && last && changes.length === 0) {
    return refuse(anchorRules.scheduledOnChange, `Nothing has moved since anchor ${last.sequence} at position ${last.position}`);
  }
  return [
    {
      type: 'AnchorRecorded',
      data: { ...seal.statement, hash: seal.hash, signature: seal.signature, changed: changes.map(({ streamId, head }) => ({ streamId, ...head })) },
    },
  ];
};

export const anchorDecider: Decider<AnchorLog, AnchorCommand, AnchorEvent, AnchorFacts> = { initialState, evolve, decide };

export const anchorAggregate: Aggregate<AnchorLog, AnchorCommand, AnchorEvent, AnchorFacts> = {
  category: ANCHOR_CATEGORY,
  name: 'Anchor',
  streamId: anchorStreamId,
  decider: anchorDecider,
  events: anchorEventSchemas,
};
