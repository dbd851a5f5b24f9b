import type { z } from 'zod';
import { aggregates } from '../domain/aggregates.js';

/** Every stored event type and the schema its data must satisfy when written. */
export class EventSchemaRegistry {
  private readonly schemas = new Map<string, z.ZodType>();

  register(schemas: Record<string, z.ZodType>): this {
    for (const [type, schema] of Object.entries(schemas)) {
      if (this.schemas.has(type)) throw new Error(`Event type ${type} is registered twice`);
      this.schemas.set(type, schema);
    }
    return this;
  }

  /** Returns the data as the schema parsed it; an unknown type or bad data is a programming error. */
  validate(type: string, data: unknown): unknown {
    const schema = this.schemas.get(type);
    if (!schema) throw new Error(`Event type ${type} has no registered schema`);
    return schema.parse(data);
  }

  types(): string[] {
    return [...this.schemas.keys()];
  }
}

/** The registry of every aggregate's event schemas, from the catalog of aggregates. */
export const storedEventSchemas = () => aggregates.reduce((registry, aggregate) => registry.register(aggregate.events), new EventSchemaRegistry());
