import { describe, it } from 'vitest';
import { customerDecider, customerRules, type CustomerEvent } from '../../domain/customer/customer.js';
import { deciderSpecification } from '../support/deciderSpecification.js';

const spec = deciderSpecification(customerDecider);
const registered: CustomerEvent = {
  type: 'CustomerRegistered',
  data: { customerId: 'c1', name: 'Acme Bank', industry: 'finance', region: 'east' },
};

describe('Customer', () => {
  it('is registered', () =>
    spec.given([]).when({ type: 'RegisterCustomer', customerId: 'c1', name: 'Acme Bank', industry: 'finance', region: 'east' }).then([registered]));

  it(`refuses a second registration (${customerRules.registeredOnce.id})`, () =>
    spec
      .given([registered])
      .when({ type: 'RegisterCustomer', customerId: 'c1', name: 'Acme Bank', industry: 'finance', region: 'east' })
      .thenRefuses(customerRules.registeredOnce));

  it('records an interaction with the needs heard', () =>
    spec
      .given([registered])
      .when({ type: 'RecordInteraction', interactionId: 'i1', kind: 'demo', note: 'showed the SOC dashboard', needs: ['24x7 monitoring'] })
      .then([
        {
          type: 'InteractionRecorded',
          data: { customerId: 'c1', interactionId: 'i1', kind: 'demo', note: 'showed the SOC dashboard', needs: ['24x7 monitoring'] },
        },
      ]));

  it(`refuses an interaction with an unregistered customer (${customerRules.interactionsNeedACustomer.id})`, () =>
    spec.given([]).when({ type: 'RecordInteraction', interactionId: 'i1', kind: 'call', note: 'hello' }).thenRefuses(customerRules.interactionsNeedACustomer));
});
