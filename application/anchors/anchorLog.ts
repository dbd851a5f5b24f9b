import { ANCHOR_STREAM_ID, anchorEventSchemas, type ExportedAnchor, type RecordedAnchor, type StreamHead } from '../../domain/anchor/anchor.js';
import { NotFound } from '../errors.js';
import type { EventStore } from '../ports/eventStore.js';
import { sortedHeads } from './anchorSeal.js';

/** The anchors in the log, oldest first; only the first `count` when given. */
export const readAnchors = async (eventStore: EventStore, count?: number): Promise<RecordedAnchor[]> => {
  if (count === 0) return [];
  const events = await eventStore.readStream(ANCHOR_STREAM_ID, count !== undefined ? { maxCount: count } : {});
  return events.map((event) => anchorEventSchemas.AnchorRecorded.parse(event.data));
};

/**
 * Every stream's head as the anchors sealed it: each anchor stores only the heads that moved, so
 * the whole set is their fold. Folded here, into one map, rather than by the decider's evolve,
 * which would copy every head on every anchor.
 */
export const anchoredHeads = (anchors: readonly RecordedAnchor[]): Map<string, StreamHead> => {
  const heads = new Map<string, StreamHead>();
  for (const anchor of anchors) for (const head of anchor.changed) heads.set(head.streamId, head);
  return heads;
};

/** The newest anchor with every head it seals, ready to be kept elsewhere; null when none was taken. */
export const exportLatest = (anchors: readonly RecordedAnchor[]): ExportedAnchor | null => {
  const latest = anchors.at(-1);
  if (!latest) return null;
  const { changed: _changed, ...sealed } = latest;
  return { ...sealed, heads: sortedHeads(anchoredHeads(anchors).values()) };
};

/** The newest anchor in the log, self-contained; NotFound when no anchor was ever taken. */
export const latestAnchor = async (eventStore: EventStore): Promise<ExportedAnchor> => {
  const exported = exportLatest(await readAnchors(eventStore));
  if (!exported) throw new NotFound('Anchor', 'latest');
  return exported;
};
