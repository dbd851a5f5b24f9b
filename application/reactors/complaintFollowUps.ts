import type { Logger } from 'pino';
import { complaintEventSchemas } from '../../domain/complaint/complaint.js';
import type { ServiceClock } from '../../domain/complaint/serviceLevels.js';
import type { CommandEnvelope, CommandResult } from '../commandPipeline.js';
import { RuleRefused } from '../errors.js';
import { idFromKey } from '../ids.js';
import type { EventStore, RecordedEvent } from '../ports/eventStore.js';
import type { ReadStore } from '../ports/readStore.js';
import { ReactorSubscriber } from './reactorSubscriber.js';
import type { FollowedLog } from '../followers/sharedLog.js';

/** Follow-ups are the system's doing, not that of whoever's command set them off. */
export const COMPLAINT_FOLLOW_UPS = { id: 'complaint-follow-ups', role: 'system' } as const;

/** The events a complaint's follow-ups start from: a clock that ran out, a resolution that may find a promise broken. */
export const FOLLOWED_EVENTS = ['ComplaintResponseOverdue', 'ComplaintResolutionOverdue', 'ComplaintResolved'] as const;

type Breach = 'ComplaintResponseOverdue' | 'ComplaintResolutionOverdue';
const BREACHED_CLOCK: Readonly<Record<Breach, ServiceClock>> = { ComplaintResponseOverdue: 'firstResponse', ComplaintResolutionOverdue: 'resolution' };
const isBreach = (type: string): type is Breach => type in BREACHED_CLOCK;

export type ComplaintFollowUpDeps = {
  eventStore: EventStore;
  /** Takes the complaint up the ladder after a clock ran out; null when the ladder takes it no higher. */
  escalateOnBreach: (complaintId: string, clock: ServiceClock, envelope: CommandEnvelope) => Promise<CommandResult | null>;
  /** Marks a promise broken because a complaint about it was upheld. */
  breakPromise: (promiseId: string, breach: { complaintId: string; reason: string }, envelope: CommandEnvelope) => Promise<CommandResult>;
};

/**
 * What follows a complaint's events across aggregates: the escalation the policy's ladder names once
 * a clock ran out, and the promise a complaint was upheld against marked broken. Each follow-up's
 * command id derives from the event it follows, so running it again (after a crash, or by the
 * subscriber behind a command that already did it) replays instead of appending twice.
 */
export class ComplaintFollowUps {
  constructor(private readonly deps: ComplaintFollowUpDeps) {}

  async react(event: RecordedEvent): Promise<CommandResult[]> {
    const envelope = (step: string): CommandEnvelope => ({
      commandId: idFromKey(`${event.type} ${step}`, event.eventId),
      actor: COMPLAINT_FOLLOW_UPS,
      correlationId: String(event.metadata.correlationId ?? event.eventId),
      causationId: event.eventId,
    });
    if (isBreach(event.type)) {
      const { complaintId } = complaintEventSchemas[event.type].parse(event.data);
      const escalated = await this.deps.escalateOnBreach(complaintId, BREACHED_CLOCK[event.type], envelope('escalate'));
      return escalated ? [escalated] : [];
    }
    if (event.type === 'ComplaintResolved') {
      const { complaintId, promiseId, upheld, resolution } = complaintEventSchemas.ComplaintResolved.parse(event.data);
      if (!upheld || promiseId === undefined) return [];
      return [await this.deps.breakPromise(promiseId, { complaintId, reason: `Complaint ${complaintId} was upheld: ${resolution}` }, envelope('break promise'))];
    }
    return [];
  }

  /**
   * Follows up the last event a command wrote, at once. A follow-up a rule refuses (the promise was
   * settled meanwhile) leaves the command's own answer standing; the subscriber logs the refusal.
   */
  async afterCommand(result: CommandResult): Promise<CommandResult[]> {
    const [written] = await this.deps.eventStore.readStream(result.streamId, { fromRevision: result.revision, maxCount: 1 });
    if (!written) throw new Error(`${result.streamId} has no revision ${result.revision}`);
    try {
      return await this.react(written);
    } catch (error) {
      if (error instanceof RuleRefused) return [];
      throw error;
    }
  }
}

/** The subscription that finishes the follow-ups a crash cut short; the composition root starts and stops it. */
export const complaintFollowUpSubscriber = (deps: { followUps: ComplaintFollowUps; eventStore: FollowedLog; readStore: ReadStore; logger: Logger }) =>
  new ReactorSubscriber({
    name: 'complaint-follow-ups',
    handles: FOLLOWED_EVENTS,
    react: (event) => deps.followUps.react(event),
    eventStore: deps.eventStore,
    readStore: deps.readStore,
    logger: deps.logger.child({ component: 'reactors', reactor: 'complaint-follow-ups' }),
  });
