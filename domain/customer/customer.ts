import { z } from 'zod';
import { refuse, type Decider, type DecisionContext, type DomainEvent, type Refusal, type Rule } from '../shared/decider.js';

export const CUSTOMER_CATEGORY = 'customer';
export const customerStreamId = (customerId: string) => `${CUSTOMER_CATEGORY}-${customerId}`;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const CustomerRegisteredData = z.object({
  customerId: z.string(),
  name: z.string(),
  industry: z.string(),
  region: z.string(),
});

export const InteractionKind = z.enum(['visit', 'call', 'email', 'demo']);
export type InteractionKind = z.infer<typeof InteractionKind>;

export const InteractionRecordedData = z.object({
  customerId: z.string(),
  interactionId: z.string(),
  kind: InteractionKind,
  note: z.string(),
  needs: z.array(z.string()).optional(),
});

export const customerEventSchemas = {
  CustomerRegistered: CustomerRegisteredData,
  InteractionRecorded: InteractionRecordedData,
} as const;

export type CustomerEvent =
  | DomainEvent<'CustomerRegistered', z.infer<typeof CustomerRegisteredData>>
  | DomainEvent<'InteractionRecorded', z.infer<typeof InteractionRecordedData>>;

// State

export type Customer =
  | { status: 'unknown' }
  | { status: 'registered'; customerId: string; name: string; interactions: number };

export const initialState = (): Customer => ({ status: 'unknown' });

export const evolve = (state: Customer, event: CustomerEvent): Customer => {
  switch (event.type) {
    case 'CustomerRegistered':
      return { status: 'registered', customerId: event.data.customerId, name: event.data.name, interactions: 0 };
    case 'InteractionRecorded':
      return state.status === 'registered' ? { ...state, interactions: state.interactions + 1 } : state;
  }
};

// Commands

export type RegisterCustomer = {
  type: 'RegisterCustomer';
  customerId: string;
  name: string;
  industry: string;
  region: string;
};

export type RecordInteraction = {
  type: 'RecordInteraction';
  interactionId: string;
  kind: InteractionKind;
  note: string;
  needs?: string[];
};

export type CustomerCommand = RegisterCustomer | RecordInteraction;

export const customerRules = {
  registeredOnce: { id: 'CUS-01', name: 'A customer is registered once' },
  interactionsNeedACustomer: { id: 'CUS-02', name: 'Interactions are recorded against a registered customer' },
} as const satisfies Record<string, Rule>;

export const decide = (command: CustomerCommand, state: Customer, _context: DecisionContext): CustomerEvent[] | Refusal => {
  switch (command.type) {
    case 'RegisterCustomer': {
      if (state.status !== 'unknown') {
        return refuse(customerRules.registeredOnce, `Customer ${state.customerId} is already registered`);
      }
      const { customerId, name, industry, region } = command;
      return [{ type: 'CustomerRegistered', data: { customerId, name, industry, region } }];
    }
    case 'RecordInteraction': {
      if (state.status !== 'registered') {
        return refuse(customerRules.interactionsNeedACustomer, 'The customer is not registered');
      }
      const { interactionId, kind, note, needs } = command;
      return [
        {
          type: 'InteractionRecorded',
          data: { customerId: state.customerId, interactionId, kind, note, ...(needs ? { needs } : {}) },
        },
      ];
    }
  }
};

export const customerDecider: Decider<Customer, CustomerCommand, CustomerEvent> = { initialState, evolve, decide };
