import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';

export const PRODUCT_CATEGORY = 'product';
export const productStreamId = (sku: string) => `${PRODUCT_CATEGORY}-${sku}`;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

/** The most the product can be promised to deliver; promises beyond it are false promises. */
export const MaxSla = z.object({
  availabilityPct: z.number(),
  responseHours: z.number(),
});
export type MaxSla = z.infer<typeof MaxSla>;

export const productEventSchemas = {
  ProductPublished: z.object({
    sku: z.string(),
    name: z.string(),
    capabilities: z.array(z.string()),
    maxSla: MaxSla,
    leadTimeDays: z.number().int(),
    listPrice: Money,
    floorPrice: Money,
    unitCost: Money,
  }),
  ProductPriceRevised: z.object({
    sku: z.string(),
    listPrice: Money,
    floorPrice: Money,
    unitCost: Money,
    reason: z.string().optional(),
  }),
  ProductRetired: z.object({
    sku: z.string(),
    reason: z.string().optional(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type ProductEvent = EventOf<typeof productEventSchemas>;

// State

export type Product =
  | { status: 'none' }
  | {
      status: 'published' | 'retired';
      sku: string;
      name: string;
      capabilities: string[];
      maxSla: MaxSla;
      leadTimeDays: number;
      listPrice: Money;
      floorPrice: Money;
      unitCost: Money;
    };

export const initialState = (): Product => ({ status: 'none' });

export const evolve = (state: Product, event: ProductEvent): Product => {
  switch (event.type) {
    case 'ProductPublished':
      return { status: 'published', ...event.data };
    case 'ProductPriceRevised': {
      if (state.status === 'none') return state;
      const { listPrice, floorPrice, unitCost } = event.data;
      return { ...state, listPrice, floorPrice, unitCost };
    }
    case 'ProductRetired':
      return state.status === 'none' ? state : { ...state, status: 'retired' };
  }
};

/** What other aggregates (quotes, promises) may know of a product when they decide. */
export type ProductFacts = {
  readonly sku: string;
  readonly name: string;
  readonly capabilities: readonly string[];
  readonly maxSla: MaxSla;
  readonly leadTimeDays: number;
  readonly listPrice: Money;
  readonly floorPrice: Money;
  readonly unitCost: Money;
  readonly retired: boolean;
};

/** The facts of a product, or undefined when it was never published (a NotFound for the caller). */
export const productFacts = (state: Product): ProductFacts | undefined => {
  if (state.status === 'none') return undefined;
  const { sku, name, capabilities, maxSla, leadTimeDays, listPrice, floorPrice, unitCost } = state;
  return { sku, name, capabilities, maxSla, leadTimeDays, listPrice, floorPrice, unitCost, retired: state.status === 'retired' };
};

// Commands

export type PublishProduct = {
  type: 'PublishProduct';
  sku: string;
  name: string;
  capabilities: string[];
  maxSla: MaxSla;
  leadTimeDays: number;
  listPrice: Money;
  floorPrice: Money;
  unitCost: Money;
};
export type ReviseProductPrice = { type: 'ReviseProductPrice'; listPrice: Money; floorPrice: Money; unitCost?: Money; reason?: string };
export type RetireProduct = { type: 'RetireProduct'; reason?: string };

export type ProductCommand = PublishProduct | ReviseProductPrice | RetireProduct;

export const productRules = {
  publishedOnce: { id: 'PRD-01', name: 'A product is published once' },
  publishedFirst: { id: 'PRD-02', name: 'A product is published before it is repriced or retired' },
  retiredIsFinal: { id: 'PRD-03', name: 'A retired product is no longer changed' },
  realPrices: { id: 'PRD-04', name: 'A product is listed above zero and no price is negative' },
  oneCurrency: { id: 'PRD-05', name: 'A product is priced in one currency' },
  floorNotAboveList: { id: 'PRD-06', name: 'The floor price is never above the list price' },
  belowCostNeedsReason: { id: 'PRD-07', name: 'A floor below cost needs a stated reason' },
  realServiceLevels: { id: 'PRD-08', name: 'Service levels and lead time are stated as real figures' },
} as const satisfies Record<string, Rule>;

type Prices = { listPrice: Money; floorPrice: Money; unitCost: Money };

/** The price rules shared by publishing and revising; `currency` is the product's, once it has one. */
const checkPrices = ({ listPrice, floorPrice, unitCost }: Prices, currency: string, reason: string | undefined): Refusal | undefined => {
  if (listPrice.minor <= 0 || floorPrice.minor < 0 || unitCost.minor < 0) {
    return refuse(productRules.realPrices, 'The list price must be above zero, the floor and the cost not negative');
  }
  const strayCurrency = [listPrice, floorPrice, unitCost].find((price) => price.currency !== currency);
  if (strayCurrency) return refuse(productRules.oneCurrency, `The product is priced in ${currency}, not ${strayCurrency.currency}`);
  if (floorPrice.minor > listPrice.minor) {
    return refuse(productRules.floorNotAboveList, `The floor ${floorPrice.minor} is above the list price ${listPrice.minor}`);
  }
  if (floorPrice.minor < unitCost.minor && !reason?.trim()) {
    return refuse(productRules.belowCostNeedsReason, `The floor ${floorPrice.minor} is below the cost ${unitCost.minor}; say why`);
  }
  return undefined;
};

const hasRealServiceLevels = ({ maxSla: { availabilityPct, responseHours }, leadTimeDays }: PublishProduct) =>
  availabilityPct > 0 && availabilityPct <= 100 && responseHours > 0 && Number.isInteger(leadTimeDays) && leadTimeDays >= 0;

export const decide = (command: ProductCommand, state: Product, _context: DecisionContext): ProductEvent[] | Refusal => {
  if (command.type === 'PublishProduct') {
    if (state.status !== 'none') return refuse(productRules.publishedOnce, `Product ${state.sku} is already published`);
    // A new product has no reason field: a floor below cost is set later, by a revision that says why.
    const priceRefusal = checkPrices(command, command.listPrice.currency, undefined);
    if (priceRefusal) return priceRefusal;
    if (!hasRealServiceLevels(command)) {
      return refuse(
        productRules.realServiceLevels,
        'Availability must be above 0% and at most 100%, response time above zero hours, lead time whole days, not negative',
      );
    }
    const { sku, name, capabilities, maxSla, leadTimeDays, listPrice, floorPrice, unitCost } = command;
    return [{ type: 'ProductPublished', data: { sku, name, capabilities, maxSla, leadTimeDays, listPrice, floorPrice, unitCost } }];
  }
  if (state.status === 'none') return refuse(productRules.publishedFirst, 'The product was never published');
  if (state.status === 'retired') return refuse(productRules.retiredIsFinal, `Product ${state.sku} is retired`);

  switch (command.type) {
    case 'ReviseProductPrice': {
      const prices = { listPrice: command.listPrice, floorPrice: command.floorPrice, unitCost: command.unitCost ?? state.unitCost };
      const priceRefusal = checkPrices(prices, state.listPrice.currency, command.reason);
      if (priceRefusal) return priceRefusal;
      return [{ type: 'ProductPriceRevised', data: { sku: state.sku, ...prices, ...(command.reason ? { reason: command.reason } : {}) } }];
    }
    case 'RetireProduct':
      return [{ type: 'ProductRetired', data: { sku: state.sku, ...(command.reason ? { reason: command.reason } : {}) } }];
  }
};

export const productDecider: Decider<Product, ProductCommand, ProductEvent> = { initialState, evolve, decide };

export const productAggregate: Aggregate<Product, ProductCommand, ProductEvent> = {
  category: PRODUCT_CATEGORY,
  name: 'Product',
  streamId: productStreamId,
  decider: productDecider,
  events: productEventSchemas,
};
