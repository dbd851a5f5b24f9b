import { customerEventSchemas } from './customer/customer.js';
import { opportunityEventSchemas } from './opportunity/opportunity.js';

/** Every event type the system stores, with the schema its data is checked against when written. */
export const eventCatalog = [customerEventSchemas, opportunityEventSchemas];
