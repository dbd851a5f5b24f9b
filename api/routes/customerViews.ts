import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFound } from '../../application/errors.js';
import { PERMISSIONS } from '../../application/roles.js';
import { ComplaintCategory, ComplaintStatus } from '../../domain/complaint/complaint.js';
import { ComplaintSeverity } from '../../domain/complaint/serviceLevels.js';
import { CustomerTier } from '../../domain/customer/customer.js';
import { Severity } from '../../domain/policy/policy.js';
import { CUSTOMER_360, CUSTOMER_DOCS, type Customer360View } from '../../projections/customer360/customer360Projection.js';
import { revealPersonalData } from '../personalDataAccess.js';
import { awaitPosition } from '../readYourWrites.js';
import { AfterPosition, IdParams } from '../schemas.js';
import type { ApiServices } from '../services.js';

const MoneyOut = z.object({ minor: z.number(), currency: z.string() });

const Customer360Out = z.object({
  id: z.string(),
  name: z.string(),
  industry: z.string(),
  region: z.string(),
  tier: CustomerTier,
  creditLimit: MoneyOut.nullable(),
  riskFlag: z.object({ flagged: z.boolean(), reason: z.string().nullable() }),
  personalDataErased: z.boolean(),
  contacts: z.array(
    z.object({ id: z.string(), name: z.string(), phone: z.string().optional(), email: z.string().optional(), title: z.string().optional(), addedAt: z.string() }),
  ),
  interactions: z.array(z.object({ id: z.string(), kind: z.string(), note: z.string(), needs: z.array(z.string()), at: z.string() })),
  opportunities: z.array(z.object({ id: z.string(), title: z.string(), stage: z.string(), amount: MoneyOut, ownerId: z.string() })),
  quotes: z.array(z.object({ id: z.string(), status: z.string(), total: MoneyOut })),
  promises: z.array(z.object({ id: z.string(), kind: z.string(), status: z.string(), dueDate: z.string(), overdue: z.boolean() })),
  orders: z.array(z.object({ id: z.string(), status: z.string(), total: MoneyOut, promisedDeliveryDate: z.string(), late: z.boolean() })),
  findings: z.array(
    z.object({ id: z.string(), ruleId: z.string(), ruleName: z.string(), severity: Severity, status: z.string(), raisedAt: z.string() }),
  ),
  complaints: z.array(
    z.object({
      id: z.string(),
      category: ComplaintCategory,
      severity: ComplaintSeverity,
      status: ComplaintStatus,
      summary: z.string(),
      filedAt: z.string(),
      breached: z.boolean(),
      rating: z.number().nullable(),
    }),
  ),
  registeredAt: z.string(),
  updatedAt: z.string(),
});

export const customerViewRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/views/customers/:id',
      {
        config: { allow: PERMISSIONS.readCustomers },
        schema: {
          tags: ['views'],
          summary: 'The customer 360: profile, account terms, contacts, latest interactions, open deals, quotes, promises, orders, compliance findings and complaints',
          description:
            'Contacts are revealed to roles whose work needs them (the read is logged with the X-Access-Reason header), [withheld] for others, and [erased] once the personal data was erased.',
          params: IdParams,
          querystring: z.object({ after: AfterPosition }).strict(),
          response: { 200: Customer360Out },
        },
      },
      async (request) => {
        const { id } = request.params;
        await awaitPosition(services, request, [CUSTOMER_360], request.query.after);
        const customer = (await services.views.get(CUSTOMER_360, CUSTOMER_DOCS, id)) as Customer360View | null;
        if (!customer) throw new NotFound('Customer', id);
        const contacts = await Promise.all(customer.contacts.map((contact) => revealPersonalData(services, request, id, contact)));
        return { ...customer, contacts };
      },
    );
  };
