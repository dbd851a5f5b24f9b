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

/** Facts a decision may need that are not in the stream: the time, the actor, other aggregates. */
export type DecisionContext = {
  readonly now: string;
  readonly actor: { readonly id: string; readonly role: string };
};

export type Decider<State, Command, Event extends DomainEvent, Context = DecisionContext> = {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State, context: Context) => Event[] | Refusal;
};
