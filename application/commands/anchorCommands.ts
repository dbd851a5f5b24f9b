import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  ANCHOR_LOG_ID,
  ANCHOR_STREAM_ID,
  anchorAggregate,
  anchorEventSchemas,
  nextStatement,
  type AnchorLog,
  type LogSinceLastAnchor,
  type RecordAnchor,
  type StreamChange,
} from '../../domain/anchor/anchor.js';
import type { AnchorKey } from '../anchors/anchorKey.js';
import { anchoredHeads, readAnchors } from '../anchors/anchorLog.js';
import { headsRoot, sealStatement } from '../anchors/anchorSeal.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { AlreadyExists } from '../errors.js';
import { checkLink } from '../eventIntegrity.js';
import type { EventStore } from '../ports/eventStore.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

const PAGE = 1_000;

type Following = { first: StreamChange['first']; head: StreamChange['head']; chainHolds: boolean };

/**
 * The log since the last anchor the state knows of, read up to the head as it stands now, and the
 * next statement signed. Only the events after the last anchor's position are read: the heads
 * before come from the anchors themselves, so an anchor costs what changed, not the whole log.
 */
const logSinceLastAnchor = async (eventStore: EventStore, key: AnchorKey, state: AnchorLog, now: string): Promise<LogSinceLastAnchor> => {
  // The anchors this state was folded from, no later one: another may have been appended since, and the pipeline retries then.
  const heads = anchoredHeads(await readAnchors(eventStore, state.last?.sequence ?? 0));
  const position = (await eventStore.headPosition()) ?? 0;
  const moved = new Map<string, Following>();
  let after = state.last?.position;
  for (;;) {
    const page = (await eventStore.readAll({ ...(after !== undefined ? { after } : {}), maxCount: PAGE })).filter((event) => event.position <= position);
    for (const event of page) {
      if (event.streamId === ANCHOR_STREAM_ID) continue;
      const link = { revision: event.revision, hash: String(event.metadata.hash ?? '') };
      const following = moved.get(event.streamId);
      if (following) {
        following.chainHolds &&= checkLink(following.head, event) === null;
        following.head = link;
      } else {
        const prevHash = String(event.metadata.prevHash ?? '');
        // Where the first event meets the sealed head is the decider's to judge; here only that it hashes to what it stores.
        const chainHolds = checkLink({ revision: event.revision - 1, hash: prevHash }, event) === null;
        moved.set(event.streamId, { first: { revision: event.revision, prevHash }, head: link, chainHolds });
      }
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.position;
    // The first anchor over a long log hashes all of it, and the embedded store answers without waiting: requests get a turn between pages.
    await nextTurn();
  }
  const changes = [...moved].map(([streamId, following]): StreamChange => ({ streamId, anchored: heads.get(streamId) ?? null, ...following }));
  for (const { streamId, head } of changes) heads.set(streamId, { streamId, ...head });
  const statement = nextStatement(state, { position, createdAt: now, root: headsRoot(heads.values()), streamCount: heads.size, keyId: key.keyId, algorithm: key.algorithm });
  return { position, changes, seal: sealStatement(statement, key) };
};

/** Anchors: the log's stream heads sealed under a key kept outside the data directory, one anchor after another on one stream. */
export const anchorCommands = (pipeline: CommandPipeline, eventStore: EventStore, key: AnchorKey) => {
  const anchors = new AggregateCommands(pipeline, anchorAggregate);
  return {
    /** Seals the log as it stands now; answers with the anchor's number. */
    async record(anchor: Payload<RecordAnchor>, envelope: CommandEnvelope) {
      const command: RecordAnchor = { type: 'RecordAnchor', ...anchor };
      const facts = (state: AnchorLog, { now }: { now: string }) => logSinceLastAnchor(eventStore, key, state, now);
      const first = (await eventStore.readStream(ANCHOR_STREAM_ID, { maxCount: 1 })).length === 0;
      const result = await (first ? anchors.create(ANCHOR_LOG_ID, command, envelope, { facts }) : anchors.act(ANCHOR_LOG_ID, command, envelope, { facts })).catch(
        (error: unknown) => {
          // Two first anchors at once: the one that lost goes on from the winner's.
          if (first && error instanceof AlreadyExists) return anchors.act(ANCHOR_LOG_ID, command, envelope, { facts });
          throw error;
        },
      );
      const [recorded] = await eventStore.readStream(ANCHOR_STREAM_ID, { fromRevision: result.revision, maxCount: 1 });
      return { result, anchor: anchorEventSchemas.AnchorRecorded.parse(recorded?.data) };
    },
  };
};

export type AnchorCommands = ReturnType<typeof anchorCommands>;
