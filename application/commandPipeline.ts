import type { Aggregate } from '../domain/shared/aggregate.js';
import { isRefusal, type Command, type ContextFor, type DecisionContext, type DomainEvent, type FactsByCommand } from '../domain/shared/decider.js';
import { AlreadyExists, ConcurrencyConflict, IdempotencyKeyReused, NotFound, PreconditionFailed, RuleRefused } from './errors.js';
import { GENESIS_HASH, hashEvent } from './eventIntegrity.js';
import type { EventSchemaRegistry } from './eventSchemas.js';
import { foldedStatesOf, type Folded } from './foldedStates.js';
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

/** What a command's decision needs from elsewhere, read afresh on each attempt; required exactly where the decider asks for facts. */
export type FactsOf<State, Facts, Given extends Command> = unknown extends Facts[Given['type'] & keyof Facts]
  ? { facts?: never }
  : { facts: (state: State, base: DecisionContext) => Promise<Facts[Given['type'] & keyof Facts]> | Facts[Given['type'] & keyof Facts] };

export type CommandRequest<
  State,
  Commands extends Command,
  Event extends DomainEvent,
  Facts extends FactsByCommand<Commands>,
  Given extends Commands,
> = {
  aggregate: Aggregate<State, Commands, Event, Facts>;
  /** The aggregate's id: its stream is aggregate.streamId(id). */
  id: string;
  command: Given;
  /** 'new' creates the stream; 'existing' acts on one that must be there. */
  expects: 'new' | 'existing';
  envelope: CommandEnvelope;
  /** Metadata on every event of this command beyond what the pipeline records itself. */
  metadata?: EventMetadata;
} & FactsOf<State, Facts, Given>;

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

  async handle<State, Commands extends Command, Event extends DomainEvent, Facts extends FactsByCommand<Commands>, Given extends Commands>(
    request: CommandRequest<State, Commands, Event, Facts, Given>,
  ): Promise<CommandResult> {
    const streamId = request.aggregate.streamId(request.id);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(request, streamId);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
        foldedStatesOf(this.options.eventStore).refused(error);
        if (request.envelope.ifMatch !== undefined) {
          throw new PreconditionFailed(streamId, request.envelope.ifMatch, error.actual === 'no_stream' ? null : error.actual);
        }
        if (attempt >= this.maxAttempts) throw new ConcurrencyConflict(streamId, attempt);
        await backoff(attempt);
      }
    }
  }

  private async attempt<State, Commands extends Command, Event extends DomainEvent, Facts extends FactsByCommand<Commands>, Given extends Commands>(
    request: CommandRequest<State, Commands, Event, Facts, Given>,
    streamId: string,
  ): Promise<CommandResult> {
    const { aggregate, envelope } = request;
    const { decider } = aggregate;
    const folded = await foldedStatesOf(this.options.eventStore).load(decider, streamId);
    // Looked up only once the load has fixed the revision this attempt appends after: an earlier
    // attempt of the same command stored after this lookup has moved the stream past that revision,
    // so the append is refused and the next attempt finds it. A stream with no event holds none.
    const earlier = folded.revision < 0 ? null : replayOfEarlierAttempt(await this.options.eventStore.readCommandEvents(streamId, envelope.commandId), envelope);
    if (earlier) return earlier;

    const { state, revision } = folded;
    const exists = revision >= 0;
    if (request.expects === 'existing' && !exists) throw new NotFound(aggregate.name, request.id);
    if (request.expects === 'new' && exists) throw new AlreadyExists(streamId);
    if (envelope.ifMatch !== undefined && envelope.ifMatch !== revision) {
      throw new PreconditionFailed(streamId, envelope.ifMatch, exists ? revision : null);
    }

    const base: DecisionContext = { now: this.options.clock.now(), actor: envelope.actor };
    const facts: unknown = request.facts ? await request.facts(state, base) : undefined;
    const context = { ...base, ...(facts as object | undefined) } as ContextFor<Facts, Given>;
    const decision = decider.decide(request.command, state, context);
    if (isRefusal(decision)) throw new RuleRefused(decision);

    const subject = aggregate.personalData?.subject(request.id, decision.reduce(decider.evolve, state));
    const sealed = await Promise.all(decision.map((event) => this.seal(event, subject, streamId)));
    const metadata = { ...recordedFacts(aggregate, state, decision, facts), ...request.metadata };
    const toAppend = this.chain(streamId, folded, sealed, envelope, context.now, metadata);
    const appended = await this.options.eventStore.append(streamId, toAppend, {
      expectedRevision: exists ? revision : 'no_stream',
    });
    return { streamId, revision: appended.nextRevision, position: appended.position, events: decision.map((e) => e.type), replayed: false };
  }

  /** Personal fields are encrypted before the hash is taken, so erasure never breaks the chain. */
  private async seal(event: DomainEvent, subject: string | undefined, streamId: string): Promise<DomainEvent> {
    if (!this.options.personalData.holdsPersonalData(event.type)) return event;
    if (!subject) throw new Error(`${event.type} on ${streamId} carries personal data but its aggregate names no data subject`);
    return { type: event.type, data: await this.options.personalData.seal(subject, event.type, event.data) };
  }

  private chain(
    streamId: string,
    after: Folded<unknown>,
    events: DomainEvent[],
    envelope: CommandEnvelope,
    occurredAt: string,
    extra: EventMetadata,
  ): EventToAppend[] {
    let prevHash = after.lastHash ?? GENESIS_HASH;
    let revision = after.revision + 1;
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

/**
 * What every event of a command records of its grounds: the customer whose dealings the stream
 * belongs to (read from the aggregate as the command leaves it, so a stream's first event names it
 * too) and the policy revision that judged the command, where its facts name one.
 */
const recordedFacts = <State, Event extends DomainEvent>(
  aggregate: { decider: { evolve: (state: State, event: Event) => State }; customerOf?: (state: State) => string | undefined },
  state: State,
  decision: Event[],
  facts: unknown,
): EventMetadata => {
  const customerId = aggregate.customerOf?.(decision.reduce(aggregate.decider.evolve, state));
  const policyVersion = (facts as { policyVersion?: unknown } | undefined)?.policyVersion;
  return { ...(customerId !== undefined ? { customerId } : {}), ...(typeof policyVersion === 'number' ? { policyVersion } : {}) };
};

/** The stream is the deduplication record: a command's id sits in the metadata of the events it wrote, which the store finds by it. */
const replayOfEarlierAttempt = (written: RecordedEvent[], envelope: CommandEnvelope): CommandResult | null => {
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
