import { productEventSchemas } from './catalog/product.js';
import { promotionEventSchemas } from './catalog/promotion.js';
import { customerEventSchemas, customerPersonalDataFields } from './customer/customer.js';
import { leadEventSchemas, leadPersonalDataFields } from './lead/lead.js';
import { opportunityEventSchemas } from './opportunity/opportunity.js';
import { orderEventSchemas } from './order/order.js';
import { promiseEventSchemas } from './promise/promise.js';
import { quoteEventSchemas } from './quote/quote.js';

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
];

/** Where personal data sits in each event's data: those fields are sealed with the subject's key. */
export const personalDataFields: Record<string, readonly string[]> = { ...customerPersonalDataFields, ...leadPersonalDataFields };
