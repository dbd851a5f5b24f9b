import { ANCHOR_STREAM_ID, type AnchorStatement, type ExportedAnchor, type RecordedAnchor, type StreamHead } from '../../domain/anchor/anchor.js';
import { NotFound } from '../errors.js';
import { CHAIN_START, checkLink, type ChainBreak, type ChainLink } from '../eventIntegrity.js';
import type { EventStore } from '../ports/eventStore.js';
import type { AnchorVerifier } from './anchorKey.js';
import { exportLatest, readAnchors } from './anchorLog.js';
import { checkSignature, headsRoot, statementHash, type SignatureVerdict } from './anchorSeal.js';

const PAGE = 1_000;

/** A stream whose head the log no longer holds as the anchor sealed it. */
export type HeadFinding = {
  streamId: string;
  anchored: ChainLink;
  /** What the log holds instead; null where no event holds the sealed revision any more. */
  found: ChainLink | null;
};

export type AnchorVerification = {
  /** True only when the seal holds, the log still records the anchor, and every list below is empty. */
  intact: boolean;
  source: 'log' | 'supplied';
  anchor: AnchorStatement & { hash: string };
  signature: SignatureVerdict;
  /** The anchor's hash and root, recomputed from its statement and its heads, are the ones it states. */
  sealConsistent: boolean;
  /** Whether the log's anchor stream still holds this anchor: `missing` or `different` means the anchors themselves were cut or replaced. */
  inAnchorLog: 'recorded' | 'missing' | 'different';
  /** The log's head position now; below the anchor's position, the log lost its end. */
  logHead: number | null;
  /** False when the seal does not hold: heads nobody can vouch for prove nothing, so the log is not compared with them. */
  compared: boolean;
  /** The stream ends below the sealed revision: its newest events were removed. */
  truncated: HeadFinding[];
  /** The sealed revision holds another event (or none), or events were slipped in before the anchor's position. */
  rewritten: HeadFinding[];
  /** Sealed, but no event of it is left. */
  missing: { streamId: string; anchored: ChainLink }[];
  /** Has events before the anchor's position, yet the anchor does not know it. */
  added: { streamId: string; found: ChainLink }[];
  /** Its hash chain breaks, as the stream verification would say. */
  broken: { streamId: string; breaksAt: ChainBreak }[];
};

/** One stream as the scan of the log follows it. */
type Followed = { head: ChainLink; breaksAt: ChainBreak | null; asOfPosition: ChainLink | null; atSealedRevision: string | null };

/** Every stream of the log but the anchors', with its head now and at `position`, its chain checked on the way. */
const followLog = async (eventStore: EventStore, position: number, sealed: ReadonlyMap<string, StreamHead>): Promise<Map<string, Followed>> => {
  const streams = new Map<string, Followed>();
  let after: number | undefined;
  for (;;) {
    const page = await eventStore.readAll({ ...(after !== undefined ? { after } : {}), maxCount: PAGE });
    for (const event of page) {
      if (event.streamId === ANCHOR_STREAM_ID) continue;
      const followed = streams.get(event.streamId) ?? { head: CHAIN_START, breaksAt: null, asOfPosition: null, atSealedRevision: null };
      followed.breaksAt ??= checkLink(followed.head, event);
      followed.head = { revision: event.revision, hash: String(event.metadata.hash ?? '') };
      if (event.position <= position) followed.asOfPosition = followed.head;
      if (event.revision === sealed.get(event.streamId)?.revision) followed.atSealedRevision = followed.head.hash;
      streams.set(event.streamId, followed);
    }
    if (page.length < PAGE) return streams;
    after = page.at(-1)!.position;
  }
};

const link = ({ revision, hash }: ChainLink): ChainLink => ({ revision, hash });

/**
 * Checks the log against an anchor: that this system's key signed it, that its heads are the ones
 * it signed, and then, stream by stream, that the log still holds every sealed head. Heads are
 * compared by revision, so a stream that lost its end and went on at the reused revisions is named
 * rewritten, and one still short of the sealed revision truncated; the whole log is read, and every
 * chain is checked on the way, so `intact` speaks for all of it.
 */
const verifyAgainst = async (
  eventStore: EventStore,
  verifier: AnchorVerifier,
  anchor: ExportedAnchor,
  source: AnchorVerification['source'],
  anchorsInLog: readonly RecordedAnchor[],
): Promise<AnchorVerification> => {
  const { heads, signature: signed, ...statement } = anchor;
  const inLog = anchorsInLog.find((recorded) => recorded.sequence === anchor.sequence);
  const signature = checkSignature(statement, signed, verifier);
  const sealConsistent = statementHash(statement) === anchor.hash && headsRoot(heads) === anchor.root && heads.length === anchor.streamCount;
  const compared = signature === 'valid' && sealConsistent;
  const verdict: AnchorVerification = {
    intact: false,
    source,
    anchor: statement,
    signature,
    sealConsistent,
    inAnchorLog: !inLog ? 'missing' : inLog.hash === anchor.hash ? 'recorded' : 'different',
    logHead: await eventStore.headPosition(),
    compared,
    truncated: [],
    rewritten: [],
    missing: [],
    added: [],
    broken: [],
  };
  if (!compared) return verdict;

  const sealed = new Map(heads.map((head) => [head.streamId, head]));
  const streams = await followLog(eventStore, anchor.position, sealed);
  for (const head of heads) {
    const anchored = link(head);
    const followed = streams.get(head.streamId);
    if (!followed) verdict.missing.push({ streamId: head.streamId, anchored });
    else if (followed.head.revision < head.revision) verdict.truncated.push({ streamId: head.streamId, anchored, found: followed.head });
    else if (followed.atSealedRevision !== head.hash) {
      const found = followed.atSealedRevision === null ? null : { revision: head.revision, hash: followed.atSealedRevision };
      verdict.rewritten.push({ streamId: head.streamId, anchored, found });
    } else if (followed.asOfPosition && followed.asOfPosition.revision > head.revision) {
      verdict.rewritten.push({ streamId: head.streamId, anchored, found: followed.asOfPosition });
    }
  }
  for (const [streamId, followed] of streams) {
    if (!sealed.has(streamId) && followed.asOfPosition) verdict.added.push({ streamId, found: followed.asOfPosition });
    if (followed.breaksAt) verdict.broken.push({ streamId, breaksAt: followed.breaksAt });
  }
  const logKeptItsEnd = (verdict.logHead ?? -1) >= anchor.position;
  const noFindings = [verdict.truncated, verdict.rewritten, verdict.missing, verdict.added, verdict.broken].every((list) => list.length === 0);
  verdict.intact = verdict.inAnchorLog === 'recorded' && logKeptItsEnd && noFindings;
  return verdict;
};

/** The log against the newest anchor it holds; NotFound when no anchor was ever taken. */
export const verifyLatestAnchor = async (eventStore: EventStore, verifier: AnchorVerifier): Promise<AnchorVerification> => {
  const anchors = await readAnchors(eventStore);
  const latest = exportLatest(anchors);
  if (!latest) throw new NotFound('Anchor', 'latest');
  return verifyAgainst(eventStore, verifier, latest, 'log', anchors);
};

/** The log against an anchor kept elsewhere and handed back, which no edit of the log can reach. */
export const verifySuppliedAnchor = async (eventStore: EventStore, verifier: AnchorVerifier, anchor: ExportedAnchor): Promise<AnchorVerification> =>
  verifyAgainst(eventStore, verifier, anchor, 'supplied', await readAnchors(eventStore));
