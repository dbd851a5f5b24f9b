import type { z } from 'zod';

/** A business rule with a stable id, named as a sales manager would say it. */
export type Rule = { readonly id: string; readonly name: string };

/** A command turned down by a rule: nothing is appended. */
export type Refusal = {
  readonly refused: Rule;
  readonly detail: string;
  readonly policyVersion?: number;
};

export const refuse = (rule: Rule, detail: string, policyVersion?: number): Refusal =>
  policyVersion === undefined ? { refused: rule, detail } : { refused: rule, detail, policyVersion };

export const isRefusal = (value: unknown): value is Refusal =>
  typeof value === 'object' && value !== null && 'refused' in value;

/** A domain event as the decider sees it: a fact with its data, no storage concerns. */
export type DomainEvent<Type extends string = string, Data = unknown> = {
  readonly type: Type;
  readonly data: Data;
};

/** Each event type of an aggregate with the schema its stored data satisfies: the one place an event is written down. */
export type EventSchemas = Readonly<Record<string, z.ZodType>>;

/** The union of an aggregate's events, read off its schemas. */
export type EventOf<Schemas extends EventSchemas> = {
  [Type in keyof Schemas & string]: DomainEvent<Type, z.output<Schemas[Type]>>;
}[keyof Schemas & string];

/** A command: an imperative, named by its type. */
export type Command = { readonly type: string };

/** Facts every decision may use that are not in the stream: the time and who asks. */
export type DecisionContext = {
  readonly now: string;
  readonly actor: { readonly id: string; readonly role: string };
};

/**
 * The facts from elsewhere (the catalog, the policy, another aggregate) each command of an
 * aggregate needs, by command type. The command service gathers exactly these and no more.
 */
export type FactsByCommand<Commands extends Command> = Readonly<Record<Commands['type'], unknown>>;

/** An aggregate none of whose commands needs more than the time and the actor. */
export type NoFacts<Commands extends Command> = Readonly<Record<Commands['type'], unknown>>;

/** What deciding one command sees: the time, the actor and that command's own facts. */
export type ContextFor<Facts, Given extends Command> = DecisionContext & Facts[Given['type'] & keyof Facts];

export type Decide<State, Commands extends Command, Event extends DomainEvent, Facts extends FactsByCommand<Commands>> = <Given extends Commands>(
  command: Given,
  state: State,
  context: ContextFor<Facts, Given>,
) => Event[] | Refusal;

export type Decider<State, Commands extends Command, Event extends DomainEvent, Facts extends FactsByCommand<Commands> = NoFacts<Commands>> = {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: Decide<State, Commands, Event, Facts>;
};

/** One decision per command type, each seeing its own command and its own facts. */
export type DecisionsByCommand<State, Commands extends Command, Event extends DomainEvent, Facts extends FactsByCommand<Commands>> = {
  readonly [Type in Commands['type']]: (
    command: Extract<Commands, { type: Type }>,
    state: State,
    context: DecisionContext & Facts[Type],
  ) => Event[] | Refusal;
};

/**
 * A decide that hands each command to the decision of its type. TypeScript cannot tie a command's
 * narrowed type to the entry of the same name (microsoft/TypeScript#30581), so the lookup is
 * widened once, here; the map's own type is what pairs each command with its facts.
 */
export const decideByCommand =
  <State, Commands extends Command, Event extends DomainEvent, Facts extends FactsByCommand<Commands>>(
    decisions: DecisionsByCommand<State, Commands, Event, Facts>,
  ): Decide<State, Commands, Event, Facts> =>
  (command, state, context) => {
    const decision = decisions[command.type as Commands['type']] as (command: Command, state: State, context: DecisionContext) => Event[] | Refusal;
    return decision(command, state, context);
  };
