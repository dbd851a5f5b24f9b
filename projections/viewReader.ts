import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidCursor, type Document, type FindQuery, type FindResult, type ReadStore } from '../application/ports/readStore.js';
import { physicalCollection, readRegistration } from './generations.js';

export class ViewNotReady extends Error {
  constructor(readonly projection: string) {
    super(`The ${projection} view has not been built yet`);
    this.name = 'ViewNotReady';
  }
}

/** How routes read a view: the live one, or one replayed as of a past moment (pointInTime.ts). */
export type ViewSource = Pick<ViewReader, 'get' | 'find' | 'all'>;

/**
 * Signs the cursors the API hands out and binds each to the query that made it, so a cursor edited
 * by hand, or carried over to another query, is refused (InvalidCursor) rather than followed.
 */
export class CursorSigner {
  constructor(private readonly key: Buffer) {}

  sign(cursor: string, bound: string): string {
    return `${cursor}.${this.mac(cursor, bound)}`;
  }

  /** The cursor `sign` was given for this same `bound`; InvalidCursor for anything else. */
  open(sealed: string, bound: string): string {
    const dot = sealed.lastIndexOf('.');
    const cursor = sealed.slice(0, dot);
    const given = Buffer.from(sealed.slice(dot + 1));
    const expected = Buffer.from(this.mac(cursor, bound));
    if (dot < 1 || given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidCursor();
    return cursor;
  }

  private mac(cursor: string, bound: string) {
    return createHmac('sha256', this.key).update(bound).update('\n').update(cursor).digest('base64url').slice(0, 22);
  }
}

/**
 * Reads a projection's documents from whichever generation currently serves reads. The cursors it
 * hands out are signed by `cursors` and bound to the query that made them.
 */
export class ViewReader {
  /** Signs the views' cursors, and any other the API pages by (the audit history's). */
  readonly cursors: CursorSigner;

  constructor(
    private readonly store: ReadStore,
    cursorKey: Buffer,
  ) {
    this.cursors = new CursorSigner(cursorKey);
  }

  async get(projection: string, collection: string, id: string): Promise<Document | null> {
    return this.store.get(await this.collection(projection, collection), id);
  }

  async find(projection: string, collection: string, query: FindQuery): Promise<FindResult> {
    const { cursor, ...rest } = query;
    const bound = JSON.stringify([projection, collection, rest.where ?? null, rest.orderBy ?? null]);
    const page = await this.store.find(await this.collection(projection, collection), {
      ...rest,
      ...(cursor !== undefined ? { cursor: this.cursors.open(cursor, bound) } : {}),
    });
    return { items: page.items, nextCursor: page.nextCursor === null ? null : this.cursors.sign(page.nextCursor, bound) };
  }

  /**
   * Every document of a small collection (summaries, totals), or those matching `where`, page by page, by id or in `orderBy`.
   * `sinceVersion` names the projection version that added the collection: until a rebuild at that
   * version serves reads, the active generation has no such collection, so the view is not ready.
   */
  async all(projection: string, collection: string, options: { where?: FindQuery['where']; orderBy?: FindQuery['orderBy']; sinceVersion?: number } = {}): Promise<Document[]> {
    const { where, orderBy, sinceVersion = 0 } = options;
    const physical = await this.collection(projection, collection, sinceVersion);
    const docs: Document[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.find(physical, { limit: 500, ...(where ? { where } : {}), ...(orderBy ? { orderBy } : {}), ...(cursor ? { cursor } : {}) });
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
