import { productAggregate, type PublishProduct, type RetireProduct, type ReviseProductPrice } from '../../domain/catalog/product.js';
import { promotionAggregate, type EndPromotion, type LaunchPromotion } from '../../domain/catalog/promotion.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { mustExist } from '../loadAggregate.js';
import type { EventStore } from '../ports/eventStore.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** The catalog (articles 4, 16): what may be promised of each product and at what price. Streams are named by sku. */
export const productCommands = (pipeline: CommandPipeline) => {
  const products = new AggregateCommands(pipeline, productAggregate);
  return {
    publish: (product: Payload<PublishProduct>, envelope: CommandEnvelope) => products.create(product.sku, { type: 'PublishProduct', ...product }, envelope),
    revisePrice: (sku: string, prices: Payload<ReviseProductPrice>, envelope: CommandEnvelope) =>
      products.act(sku, { type: 'ReviseProductPrice', ...prices }, envelope),
    retire: (sku: string, retirement: Payload<RetireProduct>, envelope: CommandEnvelope) => products.act(sku, { type: 'RetireProduct', ...retirement }, envelope),
  };
};

/** Promotions on published products, for a window and the customers eligible. */
export const promotionCommands = (pipeline: CommandPipeline, eventStore: EventStore) => {
  const promotions = new AggregateCommands(pipeline, promotionAggregate);
  return {
    /** NotFound for a sku the catalog does not hold. */
    async launch(promotion: Payload<LaunchPromotion>, envelope: CommandEnvelope) {
      for (const sku of new Set(promotion.skus)) await mustExist(eventStore, productAggregate, sku);
      return promotions.create(promotion.promotionId, { type: 'LaunchPromotion', ...promotion }, envelope);
    },
    end: (promotionId: string, ending: Payload<EndPromotion>, envelope: CommandEnvelope) =>
      promotions.act(promotionId, { type: 'EndPromotion', ...ending }, envelope),
  };
};

export type ProductCommands = ReturnType<typeof productCommands>;
export type PromotionCommands = ReturnType<typeof promotionCommands>;
