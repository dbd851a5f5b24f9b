import { cny, FIREWALL } from './catalog.js';
import { expect, type Scenario } from './harness.js';


/**
 * Issue 3's flow: lead -> customer -> opportunity -> quote with a discount needing
 * approval -> the requester's own approval refused -> a manager approves -> the
 * customer accepts -> order -> partial, then full delivery; views checked at each step.
 */
export const dealFlow = async (s: Scenario) => {
  s.say('A sales manager publishes a product to the catalog (list 1,000.00 CNY, floor 700.00)');
  await s.command('/products', FIREWALL, 'sales_manager');

  s.say('A sales manager hires the rep onto the east team and records their FW-100 certification: the policy lets only a certified seller send a quote on it');
  await s.command('/reps', { actorId: 'dev-sales-rep', name: '李娜', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, 'sales_manager');
  const certifiedUntil = new Date(Date.parse(s.clock.now()) + 365 * 86_400_000).toISOString();
  await s.command('/reps/dev-sales-rep/training', { course: 'FW-100 engineer', passedAt: s.clock.now(), certifies: ['FW-100'], expiresAt: certifiedUntil }, 'sales_manager');

  s.say('A rep captures an inbound lead and qualifies it');
  const lead = await s.command('/leads', {
    source: 'inbound',
    company: '华东银行',
    contact: { name: '王经理', email: 'wang@example.cn' },
    interest: 'firewalls for 10 branches',
  });
  await s.command(`/leads/${lead.id}/qualify`, { note: 'budget approved for Q2' });

  s.say('The lead converts into a new customer and an opportunity, linked to the lead');
  const converted = await s.command(`/leads/${lead.id}/convert`, {
    customer: { industry: 'finance', region: 'east' },
    opportunity: { title: 'Branch firewalls', ownerId: 'dev-sales-rep', amount: cny(800_000) },
  });
  const customerId = String(converted.customerId);
  const opportunityId = String(converted.opportunityId);
  const pipeline = await s.view(`/views/pipeline?customerId=${customerId}`, converted.position);
  expect(pipeline.items[0]?.id === opportunityId, 'the opportunity is in the pipeline');

  s.say('Finance sets a credit limit of 20,000.00 CNY');
  await s.command(`/customers/${customerId}/credit-limit`, { limit: cny(2_000_000) }, 'finance');

  s.say('The rep drafts a quote at 20% off: above a rep\'s 10% authority, so it needs approval');
  const validUntil = new Date(Date.parse(s.clock.now()) + 30 * 86_400_000).toISOString();
  const quote = await s.command('/quotes', {
    opportunityId,
    lines: [{ sku: 'FW-100', qty: 10, unitPrice: cny(100_000), discountPct: 20 }],
    validUntil,
  });
  const submitted = await s.command(`/quotes/${quote.id}/submit`, {});
  const pending = await s.view(`/views/quotes?customerId=${customerId}`, submitted.position);
  expect(pending.items[0]?.status === 'pending_approval', 'the quote waits for approval');

  s.say('The rep tries to approve their own quote: refused (segregation of duties)');
  const selfApproval = await s.refused(`/quotes/${quote.id}/approve`, { reason: 'urgent' }, 'sales_rep', 422);
  expect(selfApproval.rule?.id === 'QUO-14', 'the refusal names QUO-14');

  s.say('A sales manager approves; the rep sends it; the customer accepts');
  await s.command(`/quotes/${quote.id}/approve`, { reason: 'multi-branch rollout' }, 'sales_manager');
  await s.command(`/quotes/${quote.id}/send`, {});
  const accepted = await s.command(`/quotes/${quote.id}/accept`, {});
  const quotes = await s.view(`/views/quotes?customerId=${customerId}&status=accepted`, accepted.position);
  expect(quotes.items[0]?.total?.minor === 800_000, 'the accepted quote totals 8,000.00 CNY');

  s.say('An order is placed from the accepted quote and confirmed');
  const promised = new Date(Date.parse(s.clock.now()) + 20 * 86_400_000).toISOString().slice(0, 10);
  const order = await s.command('/orders', { quoteId: quote.id, promisedDeliveryDate: promised });
  await s.command(`/orders/${order.id}/confirm`, {});

  s.say('Four of ten firewalls are delivered, then the other six');
  const partial = await s.command(`/orders/${order.id}/deliver`, { lines: [{ sku: 'FW-100', qty: 4 }] });
  const afterPartial = await s.view(`/views/orders?customerId=${customerId}`, partial.position);
  expect(afterPartial.items[0]?.items?.[0]?.delivered === 4, 'four delivered');
  const over = await s.refused(`/orders/${order.id}/deliver`, { lines: [{ sku: 'FW-100', qty: 7 }] }, 'sales_rep', 422);
  expect(over.rule?.id === 'ORD-16', 'never more than ordered');
  const full = await s.command(`/orders/${order.id}/deliver`, { lines: [{ sku: 'FW-100', qty: 6 }] });
  const completed = await s.command(`/orders/${order.id}/complete`, {});
  const done = await s.view(`/views/orders?customerId=${customerId}&status=completed`, completed.position);
  expect(done.items[0]?.fullyDelivered === true && full.events.includes('OrderFullyDelivered'), 'fully delivered and completed');

  s.say('The customer 360 shows it all; the audit trail verifies');
  const customer = await s.view(`/views/customers/${customerId}`, completed.position);
  expect(customer.contacts?.[0]?.name === '王经理', 'the contact is readable by a manager');
  const verify = await s.request('GET', `/audit/customers/${customerId}/verify?after=${completed.position}`, { role: 'auditor' });
  expect(verify.body.intact === true, 'every stream of the customer is intact');
  return { customerId };
};
