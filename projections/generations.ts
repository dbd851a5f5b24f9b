import type { ReadStore } from '../application/ports/readStore.js';

/** One build of a projection's collections: a version of its code, a generation of its data. */
export type Generation = { version: number; generation: number };

export type ProjectionRegistration = { active: Generation | null; building: Generation | null };

const metaKey = (projection: string) => `projection:${projection}`;

export const physicalCollection = (collection: string, generation: number) => `${collection}__g${generation}`;
export const checkpointName = (projection: string, generation: number) => `${projection}@g${generation}`;

export const readRegistration = async (store: Pick<ReadStore, 'getMeta'>, projection: string): Promise<ProjectionRegistration> =>
  ((await store.getMeta(metaKey(projection))) as ProjectionRegistration | null) ?? { active: null, building: null };

export const writeRegistration = (store: ReadStore, projection: string, registration: ProjectionRegistration) =>
  store.setMeta(metaKey(projection), registration);
