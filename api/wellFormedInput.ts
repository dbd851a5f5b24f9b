import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './problems.js';

/** The dotted path of the first string (or key) that is not well-formed Unicode, or undefined when all are. */
const illFormedAt = (value: unknown, path: string): string | undefined => {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : path;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = illFormedAt(item, path ? `${path}.${index}` : String(index));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (!key.isWellFormed()) return at;
      const found = illFormedAt(item, at);
      if (found !== undefined) return found;
    }
  }
  return undefined;
};

const decodesAsUtf8 = (query: string) => {
  try {
    decodeURIComponent(query.replaceAll('+', ' '));
    return true;
  } catch {
    return false;
  }
};

/**
 * A lone surrogate (half of a UTF-16 pair, which JSON's \u escapes can spell) is not text: stored,
 * sealed or hashed it would be replaced or refused somewhere down the line. It is refused at the
 * edge, naming the field, so nothing a client sent is ever silently altered.
 */
export const registerWellFormedInput = (app: FastifyInstance) => {
  app.addHook('preValidation', async (request) => {
    // A query's escapes that decode to no text (%ED%A0%80 is a surrogate in UTF-8) would reach the route replaced by U+FFFD.
    const query = request.url.split('?', 2)[1];
    if (query !== undefined && !decodesAsUtf8(query)) {
      const message = 'is not valid percent-encoded UTF-8';
      throw new HttpProblem(400, 'invalid-input', 'The request is not valid', `querystring: ${message}`, {
        errors: [{ in: 'querystring', field: '(root)', message, code: 'ill_formed_unicode' }],
      });
    }
    for (const [where, value] of [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const) {
      const field = illFormedAt(value, '');
      if (field === undefined) continue;
      const message = 'is not well-formed Unicode: it holds a lone surrogate';
      throw new HttpProblem(400, 'invalid-input', 'The request is not valid', `${where}.${field || '(root)'}: ${message}`, {
        errors: [{ in: where, field: field || '(root)', message, code: 'ill_formed_unicode' }],
      });
    }
  });
};
