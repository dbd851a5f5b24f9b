import { describe, expect, it } from 'vitest';
import {
  campaignOfLead,
  partnerOfLead,
  leadDecider,
  leadEventSchemas,
  leadAggregate,
  leadRules,
  leadStreamId,
  type CaptureLead,
  type ConvertLead,
  type LeadEvent,
} from '../../domain/lead/lead.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

/** rep-1, under mgr-1, captured the lead. */
const spec = deciderSpecification(leadDecider, { ...defaultContext, owner: { actorId: 'rep-1', role: 'sales_rep', managerId: 'mgr-1', active: true } });
const contact = { name: '张敏', phone: '+86 139 0000 0000', email: 'zhang.min@bank.example', title: 'IT director' };
const capture: CaptureLead = {
  type: 'CaptureLead',
  leadId: 'l1',
  source: 'campaign',
  sourceRef: 'camp-2026-q4',
  company: 'Eastern Bank',
  contact,
  interest: 'zero-trust access for 3,000 staff',
};
const captured: LeadEvent = {
  type: 'LeadCaptured',
  data: { leadId: 'l1', source: 'campaign', sourceRef: 'camp-2026-q4', company: 'Eastern Bank', contact, interest: 'zero-trust access for 3,000 staff', capturedBy: 'rep-1' },
};
const qualified: LeadEvent = { type: 'LeadQualified', data: { leadId: 'l1', note: 'budget approved for Q1' } };
const disqualified: LeadEvent = { type: 'LeadDisqualified', data: { leadId: 'l1', reason: 'student project, no budget' } };
const deal = { title: 'Zero-trust rollout', ownerId: 'rep-1', amount: { minor: 1_200_000, currency: 'CNY' } };
const convertedData = {
  leadId: 'l1',
  customerId: 'c1',
  customerIsNew: true,
  opportunityId: 'o1',
  company: 'Eastern Bank',
  interest: 'zero-trust access for 3,000 staff',
  source: 'campaign',
  sourceRef: 'camp-2026-q4',
  customer: { name: 'Eastern Bank', industry: 'finance', region: 'east' },
  opportunity: deal,
} as const;
const converted: LeadEvent = { type: 'LeadConverted', data: convertedData };
const convert: ConvertLead = {
  type: 'ConvertLead',
  customerId: 'c1',
  customerIsNew: true,
  opportunityId: 'o1',
  customer: { industry: 'finance', region: 'east' },
  opportunity: deal,
};
const intoExisting: ConvertLead = { type: 'ConvertLead', customerId: 'c1', customerIsNew: false, opportunityId: 'o1', opportunity: deal };

describe('Lead', () => {
  it('lives in its own stream', () => expect(leadStreamId('l1')).toBe('lead-l1'));

  describe('capture', () => {
    it('captures a campaign lead with its contact', () => spec.given([]).when(capture).then([captured]));

    it('captures an inbound lead with only an e-mail address', () =>
      spec
        .given([])
        .when({ ...capture, source: 'inbound', sourceRef: undefined, contact: { name: 'Tom', email: 'tom@shop.example' } })
        .then([
          {
            type: 'LeadCaptured',
            data: { leadId: 'l1', source: 'inbound', company: 'Eastern Bank', contact: { name: 'Tom', email: 'tom@shop.example' }, interest: capture.interest, capturedBy: 'rep-1' },
          },
        ]));

    it(`refuses a second capture (${leadRules.capturedOnce.id})`, () => spec.given([captured]).when(capture).thenRefuses(leadRules.capturedOnce));

    it(`refuses a campaign lead without its campaign (${leadRules.sourceNamed.id})`, () =>
      spec.given([]).when({ ...capture, sourceRef: ' ' }).thenRefuses(leadRules.sourceNamed, /campaign/));

    it(`refuses a partner lead without its partner (${leadRules.sourceNamed.id})`, () =>
      spec.given([]).when({ ...capture, source: 'partner', sourceRef: undefined }).thenRefuses(leadRules.sourceNamed, /partner/));

    it(`refuses a contact who cannot be reached (${leadRules.contactReachable.id})`, () =>
      spec.given([]).when({ ...capture, contact: { name: 'Anon', title: 'CTO' } }).thenRefuses(leadRules.contactReachable));

    it('captures a partner lead that answered a campaign, naming both', () =>
      spec
        .given([])
        .when({ ...capture, source: 'partner', sourceRef: 'pa-1', campaignId: 'camp-2026-q4' })
        .then([{ type: 'LeadCaptured', data: { ...captured.data, source: 'partner', sourceRef: 'pa-1', campaignId: 'camp-2026-q4' } }]));

    it('takes a campaign lead naming its own campaign again', () =>
      spec.given([]).when({ ...capture, campaignId: 'camp-2026-q4' }).then([{ type: 'LeadCaptured', data: { ...captured.data, campaignId: 'camp-2026-q4' } }]));

    it(`refuses a campaign lead naming another campaign than its source (${leadRules.campaignIsSource.id})`, () =>
      spec.given([]).when({ ...capture, campaignId: 'camp-other' }).thenRefuses(leadRules.campaignIsSource, /camp-2026-q4, not camp-other/));
  });

  describe('attribution', () => {
    it('reads the campaign from the lead, or from a campaign source, and the partner from a partner source', () => {
      expect(campaignOfLead({ source: 'campaign', sourceRef: 'camp-1' })).toBe('camp-1');
      expect(campaignOfLead({ source: 'partner', sourceRef: 'pa-1', campaignId: 'camp-2' })).toBe('camp-2');
      expect(campaignOfLead({ source: 'inbound' })).toBeUndefined();
      expect(partnerOfLead({ source: 'partner', sourceRef: 'pa-1' })).toBe('pa-1');
      expect(partnerOfLead({ source: 'campaign', sourceRef: 'camp-1' })).toBeUndefined();
    });
  });

  describe('who works a lead (article 36)', () => {
    it(`keeps other reps and other teams' managers off a lead someone else captured (${leadRules.workedByOwner.id})`, () => {
      for (const who of [{ actor: { id: 'rep-2', role: 'sales_rep' } }, { actor: { id: 'mgr-2', role: 'sales_manager' } }]) {
        spec.given([captured]).when({ type: 'QualifyLead' }, who).thenRefuses(leadRules.workedByOwner, /is neither rep-1, their manager nor an admin/);
        spec.given([captured]).when({ type: 'DisqualifyLead', reason: 'x' }, who).thenRefuses(leadRules.workedByOwner);
        spec.given([captured, qualified]).when(convert, who).thenRefuses(leadRules.workedByOwner);
      }
    });

    it("lets the capturer's manager and an admin work it", () => {
      spec.given([captured]).when({ type: 'QualifyLead', note: 'budget approved for Q1' }, { actor: { id: 'mgr-1', role: 'sales_manager' } }).then([qualified]);
      spec.given([captured]).when({ type: 'QualifyLead', note: 'budget approved for Q1' }, { actor: { id: 'admin-1', role: 'admin' } }).then([qualified]);
    });

    it('lets any seller work a lead captured before its capturer was recorded', () => {
      const { capturedBy: _none, ...before } = captured.data as Extract<LeadEvent, { type: 'LeadCaptured' }>['data'];
      spec.given([{ type: 'LeadCaptured', data: before }]).when({ type: 'QualifyLead', note: 'budget approved for Q1' }, { actor: { id: 'rep-2', role: 'sales_rep' } }).then([qualified]);
    });
  });

  describe('qualification', () => {
    it('qualifies a new lead with a note', () => spec.given([captured]).when({ type: 'QualifyLead', note: 'budget approved for Q1' }).then([qualified]));

    it('qualifies without a note', () =>
      spec.given([captured]).when({ type: 'QualifyLead' }).then([{ type: 'LeadQualified', data: { leadId: 'l1' } }]));

    it(`refuses to qualify twice (${leadRules.qualifiedOnce.id})`, () =>
      spec.given([captured, qualified]).when({ type: 'QualifyLead' }).thenRefuses(leadRules.qualifiedOnce));

    it(`refuses to qualify a lead never captured (${leadRules.leadMustExist.id})`, () =>
      spec.given([]).when({ type: 'QualifyLead' }).thenRefuses(leadRules.leadMustExist));

    it(`refuses to qualify a disqualified lead (${leadRules.disqualifiedIsClosed.id})`, () =>
      spec.given([captured, disqualified]).when({ type: 'QualifyLead' }).thenRefuses(leadRules.disqualifiedIsClosed));

    it(`refuses to qualify a converted lead (${leadRules.convertedOnce.id})`, () =>
      spec.given([captured, qualified, converted]).when({ type: 'QualifyLead' }).thenRefuses(leadRules.convertedOnce));
  });

  describe('disqualification', () => {
    it('disqualifies a new lead with a reason', () =>
      spec.given([captured]).when({ type: 'DisqualifyLead', reason: 'student project, no budget' }).then([disqualified]));

    it('disqualifies a qualified lead', () =>
      spec.given([captured, qualified]).when({ type: 'DisqualifyLead', reason: 'student project, no budget' }).then([disqualified]));

    it(`refuses without a reason (${leadRules.disqualifyNeedsReason.id})`, () =>
      spec.given([captured]).when({ type: 'DisqualifyLead', reason: '' }).thenRefuses(leadRules.disqualifyNeedsReason));

    it(`refuses to disqualify twice (${leadRules.disqualifiedIsClosed.id})`, () =>
      spec.given([captured, disqualified]).when({ type: 'DisqualifyLead', reason: 'again' }).thenRefuses(leadRules.disqualifiedIsClosed));

    it(`refuses to disqualify a converted lead (${leadRules.convertedOnce.id})`, () =>
      spec.given([captured, qualified, converted]).when({ type: 'DisqualifyLead', reason: 'changed mind' }).thenRefuses(leadRules.convertedOnce));
  });

  describe('conversion', () => {
    it('converts a qualified lead, carrying what the follow-ups need; the new customer is named after the company', () =>
      spec.given([captured, qualified]).when(convert).then([converted]));

    it('names the new customer as told', () =>
      spec
        .given([captured, qualified])
        .when({ ...convert, customer: { name: 'Eastern Bank Ltd', industry: 'finance', region: 'east' } })
        .then([{ type: 'LeadConverted', data: { ...convertedData, customer: { name: 'Eastern Bank Ltd', industry: 'finance', region: 'east' } } }]));

    it('converts into an existing customer, describing no new one', () => {
      const { customer: _none, ...intoExistingData } = convertedData;
      return spec
        .given([captured, qualified])
        .when(intoExisting)
        .then([{ type: 'LeadConverted', data: { ...intoExistingData, customerIsNew: false } }]);
    });

    it('converts into a new customer no one has described yet: named after the company, its industry and region unknown', () => {
      const { customer: _none, ...undescribed } = convert;
      return spec
        .given([captured, qualified])
        .when(undescribed)
        .then([{ type: 'LeadConverted', data: { ...convertedData, customer: { name: convertedData.customer.name, industry: 'unknown', region: 'unknown' } } }]);
    });

    it(`refuses a new customer described by half, or by blanks (${leadRules.newCustomerDescribed.id})`, () => {
      spec.given([captured, qualified]).when({ ...convert, customer: { industry: 'finance' } }).thenRefuses(leadRules.newCustomerDescribed);
      spec
        .given([captured, qualified])
        .when({ ...convert, customer: { industry: ' ', region: 'east' } })
        .thenRefuses(leadRules.newCustomerDescribed);
      spec
        .given([captured, qualified])
        .when({ ...convert, customer: { industry: 'finance', region: '' } })
        .thenRefuses(leadRules.newCustomerDescribed);
    });

    it(`refuses to describe an existing customer anew (${leadRules.existingCustomerNotDescribed.id})`, () =>
      spec
        .given([captured, qualified])
        .when({ ...intoExisting, customer: { industry: 'finance', region: 'east' } })
        .thenRefuses(leadRules.existingCustomerNotDescribed));

    it(`refuses an unqualified lead (${leadRules.convertOnlyQualified.id})`, () =>
      spec.given([captured]).when(convert).thenRefuses(leadRules.convertOnlyQualified));

    it(`refuses a disqualified lead (${leadRules.disqualifiedIsClosed.id})`, () =>
      spec.given([captured, qualified, disqualified]).when(convert).thenRefuses(leadRules.disqualifiedIsClosed));

    it(`refuses to convert twice (${leadRules.convertedOnce.id})`, () =>
      spec.given([captured, qualified, converted]).when(convert).thenRefuses(leadRules.convertedOnce));

    it(`refuses a lead never captured (${leadRules.leadMustExist.id})`, () => spec.given([]).when(convert).thenRefuses(leadRules.leadMustExist));

    it('carries the campaign the lead answered to the deal', () =>
      spec
        .given([{ type: 'LeadCaptured', data: { ...captured.data, source: 'partner', sourceRef: 'pa-1', campaignId: 'camp-2026-q4' } }, qualified])
        .when(convert)
        .then([{ type: 'LeadConverted', data: { ...convertedData, source: 'partner', sourceRef: 'pa-1', campaignId: 'camp-2026-q4' } }]));
  });

  it('names the contact fields the application must encrypt, under the lead key', () => {
    expect(leadAggregate.personalData!.subject('l1', leadAggregate.decider.initialState())).toBe('lead-l1');
    expect(leadAggregate.personalData!.fields).toEqual({
      LeadCaptured: ['contact.name', 'contact.phone', 'contact.email'],
      LeadQualified: [],
      LeadDisqualified: [],
      LeadConverted: [],
    });
  });

  it('writes events that satisfy their stored schemas', () => {
    for (const event of [captured, qualified, disqualified, converted]) {
      expect(() => leadEventSchemas[event.type].parse(event.data)).not.toThrow();
    }
  });

  it('still reads a LeadConverted stored before it carried the customer and the deal', () => {
    const { customer: _customer, opportunity: _opportunity, ...earlier } = convertedData;
    expect(leadEventSchemas.LeadConverted.parse(earlier)).toEqual(earlier);
  });
});
