import { productAggregate } from '../../domain/catalog/product.js';
import { customerAggregate } from '../../domain/customer/customer.js';
import { partnerAggregate, type OnboardPartner } from '../../domain/partner/partner.js';
import {
  registrationAggregate,
  registrationCustomerKey,
  type ApproveRegistration,
  type Registration,
  type RejectRegistration,
  type SubmitRegistration,
} from '../../domain/partner/registration.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { mustExist } from '../loadAggregate.js';
import type { ChannelClaims } from '../ports/channelClaims.js';
import type { EventStore } from '../ports/eventStore.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** Channel partners (article 35): onboarded at a tier. */
export const partnerCommands = (pipeline: CommandPipeline) => {
  const partners = new AggregateCommands(pipeline, partnerAggregate);
  return {
    onboard: (partner: Payload<OnboardPartner>, envelope: CommandEnvelope) => partners.create(partner.partnerId, { type: 'OnboardPartner', ...partner }, envelope),
  };
};

/**
 * Deal registrations (article 35): a partner's claim on a customer and products, decided by a
 * sales manager and judged against the approved claims already on that customer (REG-06).
 */
export const registrationCommands = (pipeline: CommandPipeline, eventStore: EventStore, channelClaims: ChannelClaims) => {
  const registrations = new AggregateCommands(pipeline, registrationAggregate);
  /** The approved claims on the registration's customer: what it must not clash with. */
  const claimsOn = async (registration: Registration) => ({
    approvedClaims: registration.status === 'none' ? [] : await channelClaims.approvedClaims(registration.customerKey),
  });
  return {
    /** NotFound for an unknown partner, customer or product, before anything is decided. */
    async submit(registration: Payload<SubmitRegistration>, envelope: CommandEnvelope) {
      await mustExist(eventStore, partnerAggregate, registration.partnerId);
      if (registration.customerId !== undefined) await mustExist(eventStore, customerAggregate, registration.customerId);
      for (const sku of registration.skus) await mustExist(eventStore, productAggregate, sku);
      const customerKey = registrationCustomerKey(registration);
      return registrations.create(registration.registrationId, { type: 'SubmitRegistration', ...registration }, envelope, {
        facts: async () => ({ approvedClaims: await channelClaims.approvedClaims(customerKey) }),
      });
    },
    approve: (registrationId: string, decision: Payload<ApproveRegistration>, envelope: CommandEnvelope) =>
      registrations.act(registrationId, { type: 'ApproveRegistration', ...decision }, envelope, { facts: claimsOn }),
    reject: (registrationId: string, decision: Payload<RejectRegistration>, envelope: CommandEnvelope) =>
      registrations.act(registrationId, { type: 'RejectRegistration', ...decision }, envelope),
    /** Issued by the deadline watcher once expiresAt has come. */
    expire: (registrationId: string, envelope: CommandEnvelope) => registrations.act(registrationId, { type: 'ExpireRegistration' }, envelope),
  };
};

export type PartnerCommands = ReturnType<typeof partnerCommands>;
export type RegistrationCommands = ReturnType<typeof registrationCommands>;
