import { describe, expect, it } from 'vitest';
import { partnerDecider, partnerEventSchemas, partnerRules, partnerStreamId, type PartnerEvent } from '../../domain/partner/partner.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const spec = deciderSpecification(partnerDecider, { ...defaultContext, actor: { id: 'mgr-1', role: 'sales_manager' } });
const onboard = { type: 'OnboardPartner' as const, partnerId: 'pa-1', name: '华信集成', tier: 'gold' as const };
const onboarded: PartnerEvent = { type: 'PartnerOnboarded', data: { partnerId: 'pa-1', name: '华信集成', tier: 'gold', onboardedBy: 'mgr-1' } };

describe('Partner', () => {
  it('lives in its own stream', () => expect(partnerStreamId('pa-1')).toBe('partner-pa-1'));
  it('onboards a partner at its tier, naming who onboarded it', () => spec.given([]).when(onboard).then([onboarded]));
  it(`refuses a second onboarding (${partnerRules.onboardedOnce.id})`, () => spec.given([onboarded]).when(onboard).thenRefuses(partnerRules.onboardedOnce));
  it(`refuses a partner without a name (${partnerRules.named.id})`, () => spec.given([]).when({ ...onboard, name: ' ' }).thenRefuses(partnerRules.named));
  it('writes events that satisfy their stored schemas', () => expect(() => partnerEventSchemas.PartnerOnboarded.parse(onboarded.data)).not.toThrow());
});
