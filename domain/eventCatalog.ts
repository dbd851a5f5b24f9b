import { productEventSchemas } from './catalog/product.js';
import { promotionEventSchemas } from './catalog/promotion.js';
import { findingEventSchemas } from './compliance/finding.js';
import { customerEventSchemas, customerPersonalDataFields } from './customer/customer.js';
import { leadEventSchemas, leadPersonalDataFields } from './lead/lead.js';
import { opportunityEventSchemas } from './opportunity/opportunity.js';
import { orderEventSchemas } from './order/order.js';
import { policyEventSchemas } from './policy/policy.js';
import { promiseEventSchemas } from './promise/promise.js';
import { quoteEventSchemas } from './quote/quote.js';
import { repEventSchemas } from './team/rep.js';

/** Every event type the system stores, with the schema its data is checked against when written. */
export const eventCatalog = [
  customerEventSchemas,
  opportunityEventSchemas,
  productEventSchemas,
  promotionEventSchemas,
  leadEventSchemas,
  quoteEventSchemas,
  promiseEventSchemas,
  orderEventSchemas,
  policyEventSchemas,
  repEventSchemas,
  findingEventSchemas,
];

/** Where personal data sits in each event's data: those fields are sealed with the subject's key. */
export const personalDataFields: Record<string, readonly string[]> = { ...customerPersonalDataFields, ...leadPersonalDataFields };
