import {
  customerAggregate,
  type AddContact,
  type ErasePersonalData,
  type FlagRisk,
  type RecordInteraction,
  type RegisterCustomer,
  type SetCreditLimit,
  type UpdateProfile,
} from '../../domain/customer/customer.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import type { KeyStore } from '../ports/keyStore.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** Customer records (article 16): registration, profile, interactions, contacts, account terms, erasure of personal data. */
export const customerCommands = (pipeline: CommandPipeline, keyStore: KeyStore) => {
  const customers = new AggregateCommands(pipeline, customerAggregate);
  return {
    register: (customer: Payload<RegisterCustomer>, envelope: CommandEnvelope) =>
      customers.create(customer.customerId, { type: 'RegisterCustomer', ...customer }, envelope),
    recordInteraction: (customerId: string, interaction: Payload<RecordInteraction>, envelope: CommandEnvelope) =>
      customers.act(customerId, { type: 'RecordInteraction', ...interaction }, envelope),
    updateProfile: (customerId: string, profile: Payload<UpdateProfile>, envelope: CommandEnvelope) =>
      customers.act(customerId, { type: 'UpdateProfile', ...profile }, envelope),
    addContact: (customerId: string, contact: Payload<AddContact>, envelope: CommandEnvelope) =>
      customers.act(customerId, { type: 'AddContact', ...contact }, envelope),
    setCreditLimit: (customerId: string, terms: Payload<SetCreditLimit>, envelope: CommandEnvelope) =>
      customers.act(customerId, { type: 'SetCreditLimit', ...terms }, envelope),
    flagRisk: (customerId: string, flag: Payload<FlagRisk>, envelope: CommandEnvelope) => customers.act(customerId, { type: 'FlagRisk', ...flag }, envelope),
    /** Records the erasure, then destroys the key that sealed the customer's personal data. */
    async erase(customerId: string, erasure: Payload<ErasePersonalData>, envelope: CommandEnvelope) {
      const result = await customers.act(customerId, { type: 'ErasePersonalData', ...erasure }, envelope);
      // After the event: a crash between the two leaves a recorded erasure to finish, never an unrecorded one.
      await keyStore.destroy(customerId);
      return result;
    },
  };
};

export type CustomerCommands = ReturnType<typeof customerCommands>;
