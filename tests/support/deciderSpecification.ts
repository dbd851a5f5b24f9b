import { expect } from 'vitest';
import { deepFreeze } from '../../application/foldedStates.js';
import { isRefusal, type Command, type ContextFor, type Decider, type DecisionContext, type DomainEvent, type FactsByCommand, type Rule } from '../../domain/shared/decider.js';

export const defaultContext: DecisionContext = {
  now: '2026-11-27T09:00:00.000Z',
  actor: { id: 'rep-1', role: 'sales_rep' },
};

/** Every command's facts at once: a spec's base context holds them all, and each command reads its own. */
type NamedFacts<Facts> = { [Type in keyof Facts]: unknown extends Facts[Type] ? never : Facts[Type] }[keyof Facts];
type AllFacts<Facts> = (NamedFacts<Facts> extends infer Each ? (Each extends unknown ? (all: Each) => void : never) : never) extends (all: infer All) => void
  ? All
  : never;

/**
 * given(events).when(command).then(events) / .thenRefuses(rule): a decider spec reads as
 * the business rule it checks.
 */
export const deciderSpecification = <State, Commands extends Command, Event extends DomainEvent, Facts extends FactsByCommand<Commands>>(
  decider: Decider<State, Commands, Event, Facts>,
  baseContext: DecisionContext & AllFacts<Facts> = defaultContext as DecisionContext & AllFacts<Facts>,
) => ({
  given: (events: Event[]) => ({
    when: (command: Commands, context: Partial<DecisionContext & AllFacts<Facts>> = {}) => {
      const run = () => {
        // Frozen at every step, as the folded state cache shares them: a decider that changed a state in place would throw here.
        const frozen = (state: State) => (deepFreeze(state), state);
        const state = events.reduce((before, event) => frozen(decider.evolve(before, event)), frozen(decider.initialState()));
        return decider.decide(command, state, { ...baseContext, ...context } as ContextFor<Facts, Commands>);
      };
      return {
        then: (expected: Event[]) => {
          const result = run();
          if (isRefusal(result)) throw new Error(`Expected events but was refused by ${result.refused.id}: ${result.detail}`);
          expect(result).toEqual(expected);
        },
        thenRefuses: (rule: Rule, detail?: RegExp) => {
          const result = run();
          if (!isRefusal(result)) throw new Error(`Expected refusal by ${rule.id} but got ${JSON.stringify(result)}`);
          expect(result.refused).toEqual(rule);
          if (detail) expect(result.detail).toMatch(detail);
        },
      };
    },
  }),
});
