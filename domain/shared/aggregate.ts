import type { z } from 'zod';
import type { Command, Decider, DomainEvent, FactsByCommand, NoFacts } from './decider.js';

/** The stored schema of each of an aggregate's event types, keyed by type. */
export type SchemasOf<Event extends DomainEvent> = { readonly [Type in Event['type']]: z.ZodType<Extract<Event, { type: Type }>['data']> };

/**
 * Everything the rest of the system needs to know of one aggregate: where its streams are, how
 * it decides, how its events are stored. The event catalog, the audit's replay and the command
 * services are all built from these descriptions, so a new aggregate is described once.
 */
export type Aggregate<State, Commands extends Command, Event extends DomainEvent, Facts extends FactsByCommand<Commands> = NoFacts<Commands>> = {
  /** A lower-case noun without a dash: its streams are `<category>-<id>`. */
  readonly category: string;
  /** What answers call it: "Quote not found". */
  readonly name: string;
  readonly streamId: (id: string) => string;
  readonly decider: Decider<State, Commands, Event, Facts>;
  readonly events: SchemasOf<Event>;
  /** Where its events hold personal data, sealed with the data subject's own key before the event is hashed. */
  readonly personalData?: {
    /**
     * Whose key seals a stream's personal data, by the stream's id and its state once the command's
     * events are applied (a complaint's reporter is its customer's); undefined before there is anyone.
     */
    readonly subject: (id: string, state: State) => string | undefined;
    /** Dotted paths of the personal fields in each event type's data; every type is listed, so a new one has to say. */
    readonly fields: { readonly [Type in Event['type']]: readonly string[] };
  };
  /** The customer whose dealings a stream belongs to, named on every event written to it; undefined where there is none. */
  readonly customerOf?: (state: State) => string | undefined;
};

/** An aggregate of any kind, as the catalog holds it: enough to validate, seal and replay its events. */
export type AnyAggregate = {
  readonly category: string;
  readonly name: string;
  readonly events: Readonly<Record<string, z.ZodType>>;
  readonly personalData?: { readonly fields: Readonly<Record<string, readonly string[]>> };
  readonly decider: { readonly initialState: () => unknown; readonly evolve: (state: never, event: never) => unknown };
};

/** The event union of an aggregate description. */
export type EventOfAggregate<A> = A extends Aggregate<infer _State, infer _Commands, infer Event, infer _Facts> ? Event : never;
