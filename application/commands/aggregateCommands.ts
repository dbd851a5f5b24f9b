import type { Aggregate } from '../../domain/shared/aggregate.js';
import type { Command, DomainEvent, FactsByCommand } from '../../domain/shared/decider.js';
import type { CommandEnvelope, CommandPipeline, CommandRequest, CommandResult, FactsOf } from '../commandPipeline.js';
import type { EventMetadata } from '../ports/eventStore.js';

/** A command as a service method takes it: its fields without the type the method already names. */
export type Payload<C extends Command> = Omit<C, 'type'>;

/** What a command may carry besides itself: the loader of its facts (required exactly where it needs some) and extra metadata. */
export type CommandExtras<State, Facts, Given extends Command> = { metadata?: EventMetadata } & FactsOf<State, Facts, Given>;

type ExtrasArgument<State, Facts, Given extends Command> =
  unknown extends Facts[Given['type'] & keyof Facts] ? [extras?: CommandExtras<State, Facts, Given>] : [extras: CommandExtras<State, Facts, Given>];

/**
 * The command pipeline bound once to one aggregate: its streams, its decider, its name in answers.
 * Each aggregate's service builds on one of these and adds the facts its commands need.
 */
export class AggregateCommands<State, Commands extends Command, Event extends DomainEvent, Facts extends FactsByCommand<Commands>> {
  constructor(
    private readonly pipeline: CommandPipeline,
    readonly aggregate: Aggregate<State, Commands, Event, Facts>,
  ) {}

  /** Starts the aggregate's stream; AlreadyExists when it is there already (a retry under the same key replays instead). */
  create<Given extends Commands>(id: string, command: Given, envelope: CommandEnvelope, ...[extras]: ExtrasArgument<State, Facts, Given>): Promise<CommandResult> {
    return this.handle(id, command, 'new', envelope, extras);
  }

  /** Acts on an aggregate that must exist; NotFound otherwise. */
  act<Given extends Commands>(id: string, command: Given, envelope: CommandEnvelope, ...[extras]: ExtrasArgument<State, Facts, Given>): Promise<CommandResult> {
    return this.handle(id, command, 'existing', envelope, extras);
  }

  private handle<Given extends Commands>(
    id: string,
    command: Given,
    expects: 'new' | 'existing',
    envelope: CommandEnvelope,
    extras: CommandExtras<State, Facts, Given> | undefined,
  ): Promise<CommandResult> {
    // ExtrasArgument checked at the call that facts come exactly where the command needs them; TypeScript cannot carry that through the spread.
    const request = { aggregate: this.aggregate, id, command, expects, envelope, ...extras } as CommandRequest<State, Commands, Event, Facts, Given>;
    return this.pipeline.handle(request);
  }
}
