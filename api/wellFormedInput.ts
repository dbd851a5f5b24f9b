import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './problems.js';

/** Deeper than any body of this API goes; a body nested past it is refused before anything walks it. */
export const MAX_BODY_DEPTH = 32;

type Finding = { path: string; problem: 'ill_formed_unicode' | 'too_deep' };

/**
 * The dotted path of the first string (or key) that is not well-formed Unicode, or of the first
 * value nested deeper than MAX_BODY_DEPTH, in document order. Walked with a stack of its own, so no
 * nesting can exhaust the call stack.
 */
const firstProblem = (root: unknown): Finding | undefined => {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return { path, problem: 'ill_formed_unicode' };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) return { path, problem: 'too_deep' };
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value);
    const children: typeof stack = [];
    for (const [key, item] of entries) {
      const at = path ? `${path}.${key}` : key;
      if (!key.isWellFormed()) return { path: at, problem: 'ill_formed_unicode' };
      children.push({ value: item, path: at, depth: depth + 1 });
    }
    // Pushed in reverse, so the first child is looked at first.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return undefined;
};

const MESSAGES: Record<Finding['problem'], string> = {
  ill_formed_unicode: 'is not well-formed Unicode: it holds a lone surrogate',
  too_deep: `is nested deeper than ${MAX_BODY_DEPTH} levels`,
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
 * sealed or hashed it would be replaced or refused somewhere down the line; bytes that are not
 * UTF-8 would be replaced by U+FFFD as they are read. Both are refused at the edge, naming the
 * field, so nothing a client sent is ever silently altered.
 */
export const registerWellFormedInput = (app: FastifyInstance) => {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body);
    } catch {
      const message = 'is not valid UTF-8';
      done(new HttpProblem(400, 'invalid-json', 'The body is not valid JSON', `body: ${message}`, { errors: [{ in: 'body', field: '(root)', message, code: 'ill_formed_unicode' }] }), undefined);
      return;
    }
    parseJson(request, text, done);
  });

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
      const found = firstProblem(value);
      if (found === undefined) continue;
      const field = found.path || '(root)';
      const message = MESSAGES[found.problem];
      throw new HttpProblem(400, 'invalid-input', 'The request is not valid', `${where}.${field}: ${message}`, {
        errors: [{ in: where, field, message, code: found.problem }],
      });
    }
  });
};
