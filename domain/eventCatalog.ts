import { productEventSchemas } from './catalog/product.js';
import { promotionEventSchemas } from './catalog/promotion.js';
import { customerEventSchemas } from './customer/customer.js';
import { leadEventSchemas } from './lead/lead.js';
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
