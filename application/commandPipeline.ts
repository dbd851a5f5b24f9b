import { isRefusal, type Decider, type DecisionContext, type DomainEvent } from '../domain/shared/decider.js';
import { AlreadyExists, ConcurrencyConflict, IdempotencyKeyReused, NotFound, PreconditionFailed, RuleRefused } from './errors.js';
import { GENESIS_HASH, hashEvent } from './eventIntegrity.js';
import type { EventSchemaRegistry } from './eventSchemas.js';
import { newId } from './ids.js';
import type { PersonalDataVault } from './personalData.js';
import type { Clock } from './ports/clock.js';
import { WrongExpectedRevision, type EventMetadata, type EventStore, type EventToAppend, type RecordedEvent } from './ports/eventStore.js';

export type Actor = { id: string; role: string };

/** Who asks, why, and under which key: everything about a command that is not the command. */
export type CommandEnvelope = {
  /** The Idempotency-Key when the caller sent one, else a fresh id. */
  commandId: string;
  /** Hash of the request the key was first used with; a different request under the same key is refused. */
  requestHash?: string;
  actor: Actor;
  correlationId: string;
  causationId?: string;
  /** From If-Match: append only if the stream is still at this revision. */
  ifMatch?: number;
};

export type CommandResult = {
  streamId: string;
  revision: number;
  position: number;
  events: string[];
  /** True when this answer replays an earlier attempt of the same command. */
  replayed: boolean;
};

export type CommandRequest<State, Command, Event extends DomainEvent, Context extends DecisionContext> = {
  streamId: string;
  /** Human name of what the stream holds, for "not found" answers. */
  aggregate: string;
  aggregateId: string;
  decider: Decider<State, Command, Event, Context>;
  command: Command;
  /** 'new' creates the stream; 'existing' acts on one that must be there. */
  expects: 'new' | 'existing';
  envelope: CommandEnvelope;
  /**
   * Extra facts the decision needs from elsewhere (the catalog, the customer, the policy),
   * read afresh on each attempt.
   */
  context?: (state: State, base: DecisionContext) => Promise<Context> | Context;
  /** Whose personal data the events may carry (the customer, or a lead before conversion): its key seals them. */
  dataSubject?: string;
  /** Extra metadata on every event of this command (customerId, policyVersion). */
  metadata?: (state: State, events: Event[], context: Context) => EventMetadata;
};

export type CommandPipelineOptions = {
  eventStore: EventStore;
  clock: Clock;
  schemas: EventSchemaRegistry;
  personalData: PersonalDataVault;
  /** Attempts before a concurrency conflict is reported; each reloads and decides again. */
  maxAttempts?: number;
};

/**
 * Commands that lost a race all reloaded the same revision; retrying them at once would
 * let only one win per round. A random, growing pause spreads them out.
 */
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 64)));

export const SCHEMA_VERSION = 1;

/**
 * load -> fold -> decide -> append with the expected revision; on a conflict, reload and
 * decide again (decide is pure, so that is safe), up to maxAttempts.
 */
export class CommandPipeline {
  private readonly maxAttempts: number;

  constructor(private readonly options: CommandPipelineOptions) {
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  async handle<State, Command, Event extends DomainEvent, Context extends DecisionContext>(
    request: CommandRequest<State, Command, Event, Context>,
  ): Promise<CommandResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(request);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
        if (request.envelope.ifMatch !== undefined) {
          throw new PreconditionFailed(request.streamId, request.envelope.ifMatch, error.actual === 'no_stream' ? null : error.actual);
        }
        if (attempt >= this.maxAttempts) throw new ConcurrencyConflict(request.streamId, attempt);
        await backoff(attempt);
      }
    }
  }

  private async attempt<State, Command, Event extends DomainEvent, Context extends DecisionContext>(
    request: CommandRequest<State, Command, Event, Context>,
  ): Promise<CommandResult> {
    const { streamId, decider, envelope } = request;
    const history = await this.options.eventStore.readStream(streamId);

    const earlier = replayOfEarlierAttempt(history, envelope);
    if (earlier) return earlier;

    const last = history.at(-1);
    if (request.expects === 'existing' && !last) throw new NotFound(request.aggregate, request.aggregateId);
    if (request.expects === 'new' && last) throw new AlreadyExists(streamId);
    if (envelope.ifMatch !== undefined && envelope.ifMatch !== (last?.revision ?? -1)) {
      throw new PreconditionFailed(streamId, envelope.ifMatch, last?.revision ?? null);
    }

    const state = history.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as Event), decider.initialState());
    const base: DecisionContext = { now: this.options.clock.now(), actor: envelope.actor };
    const context = request.context ? await request.context(state, base) : (base as Context);
    const decision = decider.decide(request.command, state, context);
    if (isRefusal(decision)) throw new RuleRefused(decision);

    const extra = request.metadata?.(state, decision, context) ?? {};
    const sealed = await Promise.all(decision.map((event) => this.seal(request, event)));
    const toAppend = this.chain(streamId, history, sealed, envelope, context.now, extra);
    const appended = await this.options.eventStore.append(streamId, toAppend, {
      expectedRevision: last ? last.revision : 'no_stream',
    });
    return { streamId, revision: appended.nextRevision, position: appended.position, events: decision.map((e) => e.type), replayed: false };
  }

  /** Personal fields are encrypted before the hash is taken, so erasure never breaks the chain. */
  private async seal(request: { dataSubject?: string; streamId: string }, event: DomainEvent): Promise<DomainEvent> {
    if (!this.options.personalData.holdsPersonalData(event.type)) return event;
    if (!request.dataSubject) throw new Error(`${event.type} on ${request.streamId} carries personal data but the command names no data subject`);
    return { type: event.type, data: await this.options.personalData.seal(request.dataSubject, event.type, event.data) };
  }

  private chain(
    streamId: string,
    history: RecordedEvent[],
    events: DomainEvent[],
    envelope: CommandEnvelope,
    occurredAt: string,
    extra: EventMetadata,
  ): EventToAppend[] {
    let prevHash = String(history.at(-1)?.metadata.hash ?? GENESIS_HASH);
    let revision = history.length;
    return events.map((event) => {
      const data = this.options.schemas.validate(event.type, event.data);
      const eventId = newId();
      const metadata: EventMetadata = {
        eventId,
        commandId: envelope.commandId,
        ...(envelope.requestHash ? { requestHash: envelope.requestHash } : {}),
        correlationId: envelope.correlationId,
        causationId: envelope.causationId ?? envelope.commandId,
        actor: envelope.actor,
        occurredAt,
        schemaVersion: SCHEMA_VERSION,
        ...extra,
        prevHash,
      };
      const hash = hashEvent({ streamId, revision, eventId, type: event.type, data, metadata });
      prevHash = hash;
      revision += 1;
      return { eventId, type: event.type, data, metadata: { ...metadata, hash } };
    });
  }
}

/** The stream is the deduplication record: a command's id sits in the metadata of the events it wrote. */
const replayOfEarlierAttempt = (history: RecordedEvent[], envelope: CommandEnvelope): CommandResult | null => {
  const written = history.filter((e) => e.metadata.commandId === envelope.commandId);
  const last = written.at(-1);
  if (!last) return null;
  if ((last.metadata.requestHash ?? null) !== (envelope.requestHash ?? null)) throw new IdempotencyKeyReused(envelope.commandId);
  return {
    streamId: last.streamId,
    revision: last.revision,
    position: last.position,
    events: written.map((e) => e.type),
    replayed: true,
  };
};
