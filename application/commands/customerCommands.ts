import { categoryOf } from '../../domain/aggregates.js';
import {
  customerAggregate,
  type AddContact,
  type CarryOverLeadContact,
  type ErasePersonalData,
  type FlagRisk,
  type RecordInteraction,
  type RegisterCustomer,
  type SetCreditLimit,
  type UpdateProfile,
} from '../../domain/customer/customer.js';
import { LEAD_CATEGORY } from '../../domain/lead/lead.js';
import type { CommandEnvelope, CommandPipeline, CommandResult } from '../commandPipeline.js';
import { stateOf } from '../loadAggregate.js';
import type { EventStore } from '../ports/eventStore.js';
import type { KeyStore } from '../ports/keyStore.js';
import type { TiedStreams } from '../ports/tiedStreams.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** Customer records (articles 14, 27, 28): registration, profile, interactions, contacts, account terms, erasure of personal data. */
export const customerCommands = (pipeline: CommandPipeline, eventStore: EventStore, keyStore: KeyStore, tiedStreams: TiedStreams) => {
  const customers = new AggregateCommands(pipeline, customerAggregate);

  /** The leads converted into the customer: a lead's stream is tied to a customer by its conversion alone. */
  const convertedLeads = async (customerId: string) => ({
    convertedLeads: (await tiedStreams.of(customerId))
      .filter((streamId) => categoryOf(streamId) === LEAD_CATEGORY)
      .map((streamId) => streamId.slice(LEAD_CATEGORY.length + 1)),
  });

  /**
   * Runs the command, then destroys every key the customer's recorded erasures name, whatever it
   * answered. After the events, so a crash between the two leaves a recorded erasure, never an
   * unrecorded one, and the next request finishes it even when it is refused as a second erasure.
   */
  const destroyingErasedKeys = async (customerId: string, command: () => Promise<CommandResult>) => {
    try {
      return await command();
    } finally {
      const customer = await stateOf(eventStore, customerAggregate, customerId);
      for (const subject of customer?.status === 'registered' ? customer.erasedSubjects : []) await keyStore.destroy(subject);
    }
  };

  return {
    register: (customer: Payload<RegisterCustomer>, envelope: CommandEnvelope) =>
      customers.create(customer.customerId, { type: 'RegisterCustomer', ...customer }, envelope),
    recordInteraction: (customerId: string, interaction: Payload<RecordInteraction>, envelope: CommandEnvelope) =>
      customers.act(customerId, { type: 'RecordInteraction', ...interaction }, envelope),
    updateProfile: (customerId: string, profile: Payload<UpdateProfile>, envelope: CommandEnvelope) =>
      customers.act(customerId, { type: 'UpdateProfile', ...profile }, envelope),
    addContact: (customerId: string, contact: Payload<AddContact>, envelope: CommandEnvelope) =>
      customers.act(customerId, { type: 'AddContact', ...contact }, envelope),
    /** A converted lead's contact joins the customer; a customer erased meanwhile takes none, and the lead is erased with it. */
    carryOverLeadContact: (customerId: string, contact: Payload<CarryOverLeadContact>, envelope: CommandEnvelope) =>
      destroyingErasedKeys(customerId, () => customers.act(customerId, { type: 'CarryOverLeadContact', ...contact }, envelope)),
    setCreditLimit: (customerId: string, terms: Payload<SetCreditLimit>, envelope: CommandEnvelope) =>
      customers.act(customerId, { type: 'SetCreditLimit', ...terms }, envelope),
    flagRisk: (customerId: string, flag: Payload<FlagRisk>, envelope: CommandEnvelope) => customers.act(customerId, { type: 'FlagRisk', ...flag }, envelope),
    /** Records the erasure of the customer's personal data and of every lead converted into it, then destroys the keys that sealed them. */
    erase: (customerId: string, erasure: Payload<ErasePersonalData>, envelope: CommandEnvelope) =>
      destroyingErasedKeys(customerId, () => customers.act(customerId, { type: 'ErasePersonalData', ...erasure }, envelope, { facts: () => convertedLeads(customerId) })),
  };
};

export type CustomerCommands = ReturnType<typeof customerCommands>;
