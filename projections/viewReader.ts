import type { Document, FindQuery, FindResult, ReadStore } from '../application/ports/readStore.js';
import { physicalCollection, readRegistration } from './generations.js';

export class ViewNotReady extends Error {
  constructor(readonly projection: string) {
    super(`The ${projection} view has not been built yet`);
    this.name = 'ViewNotReady';
  }
}

/** Reads a projection's documents from whichever generation currently serves reads. */
export class ViewReader {
  constructor(private readonly store: ReadStore) {}

  async get(projection: string, collection: string, id: string): Promise<Document | null> {
    return this.store.get(await this.collection(projection, collection), id);
  }

  async find(projection: string, collection: string, query: FindQuery): Promise<FindResult> {
    return this.store.find(await this.collection(projection, collection), query);
  }

  /**
   * Every document of a small collection (summaries, totals), or those matching `where`, page by page.
   * `sinceVersion` names the projection version that added the collection: until a rebuild at that
   * version serves reads, the active generation has no such collection, so the view is not ready.
   */
  async all(projection: string, collection: string, options: { where?: FindQuery['where']; sinceVersion?: number } = {}): Promise<Document[]> {
    const { where, sinceVersion = 0 } = options;
    const physical = await this.collection(projection, collection, sinceVersion);
    const docs: Document[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.find(physical, { limit: 500, ...(where ? { where } : {}), ...(cursor ? { cursor } : {}) });
      docs.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return docs;
  }

  private async collection(projection: string, collection: string, sinceVersion = 0): Promise<string> {
    const { active } = await readRegistration(this.store, projection);
    if (!active || active.version < sinceVersion) throw new ViewNotReady(projection);
    return physicalCollection(collection, active.generation);
  }
}
