import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { decideByCommand, refuse, type Decider, type EventOf, type NoFacts, type Rule } from '../shared/decider.js';

/**
 * A channel partner (article 35): a reseller or integrator the company sells through, onboarded
 * at a tier. Partners register the deals they bring (see registration.ts) and their leads and deals
 * name them, so what each partner brought can be counted.
 */
export const PARTNER_CATEGORY = 'partner';
export const partnerStreamId = (partnerId: string) => `${PARTNER_CATEGORY}-${partnerId}`;

export const PARTNER_TIERS = ['registered', 'silver', 'gold', 'platinum'] as const;
export const PartnerTier = z.enum(PARTNER_TIERS);
export type PartnerTier = z.infer<typeof PartnerTier>;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const partnerEventSchemas = {
  PartnerOnboarded: z.object({
    partnerId: z.string(),
    name: z.string(),
    tier: PartnerTier,
    onboardedBy: z.string(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type PartnerEvent = EventOf<typeof partnerEventSchemas>;

// State

export type Partner = { status: 'none' } | { status: 'onboarded'; partnerId: string; name: string; tier: PartnerTier };

export const initialState = (): Partner => ({ status: 'none' });

export const evolve = (_state: Partner, event: PartnerEvent): Partner => {
  switch (event.type) {
    case 'PartnerOnboarded': {
      const { partnerId, name, tier } = event.data;
      return { status: 'onboarded', partnerId, name, tier };
    }
  }
};

// Commands

export type OnboardPartner = { type: 'OnboardPartner'; partnerId: string; name: string; tier: PartnerTier };

export type PartnerCommand = OnboardPartner;

export const partnerRules = {
  onboardedOnce: { id: 'PTN-01', name: 'A partner is onboarded once' },
  named: { id: 'PTN-02', name: 'A partner has a name' },
} as const satisfies Record<string, Rule>;

export const decide = decideByCommand<Partner, PartnerCommand, PartnerEvent, NoFacts<PartnerCommand>>({
  OnboardPartner: ({ partnerId, name, tier }, state, context) => {
    if (state.status !== 'none') return refuse(partnerRules.onboardedOnce, `Partner ${state.partnerId} is already onboarded`);
    if (!name.trim()) return refuse(partnerRules.named, 'The partner has no name');
    return [{ type: 'PartnerOnboarded', data: { partnerId, name, tier, onboardedBy: context.actor.id } }];
  },
});

export const partnerDecider: Decider<Partner, PartnerCommand, PartnerEvent> = { initialState, evolve, decide };

export const partnerAggregate: Aggregate<Partner, PartnerCommand, PartnerEvent> = {
  category: PARTNER_CATEGORY,
  name: 'Partner',
  streamId: partnerStreamId,
  decider: partnerDecider,
  events: partnerEventSchemas,
};
