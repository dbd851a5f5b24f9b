import { expect } from 'vitest';
import { isRefusal, type Decider, type DecisionContext, type DomainEvent, type Rule } from '../../domain/shared/decider.js';

export const defaultContext: DecisionContext = {
  now: '2026-11-27T09:00:00.000Z',
  actor: { id: 'rep-1', role: 'sales_rep' },
};

/**
 * given(events).when(command).then(events) / .thenRefuses(rule): a decider spec reads as
 * the business rule it checks.
 */
export const deciderSpecification = <State, Command, Event extends DomainEvent, Context = DecisionContext>(
  decider: Decider<State, Command, Event, Context>,
  baseContext: Context = defaultContext as Context,
) => ({
  given: (events: Event[]) => ({
    when: (command: Command, context: Partial<Context> = {}) => {
      const run = () => {
        const state = events.reduce(decider.evolve, decider.initialState());
        return decider.decide(command, state, { ...baseContext, ...context });
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
