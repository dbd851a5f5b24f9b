export const cny = (minor: number) => ({ minor, currency: 'CNY' });

/** The product both walkthroughs sell: what it does and the SLA it can carry are what promises are judged against. */
export const FIREWALL = {
  sku: 'FW-100',
  name: 'Firewall 100',
  capabilities: ['threat inspection', 'vpn'],
  maxSla: { availabilityPct: 99.9, responseHours: 4 },
  leadTimeDays: 14,
  listPrice: cny(100_000),
  floorPrice: cny(70_000),
  unitCost: cny(40_000),
};
