import { AppError } from '@wagw/errors';
import type { FastifyInstance } from 'fastify';

/** Deeper than any body the API takes (a bulk send is 4 levels); far below a recursion limit. */
const MAX_DEPTH = 32;

/** Nesting depth of a parsed JSON value, counted without recursion (a hostile body can be 10,000 deep). */
function tooDeep(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_DEPTH) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Refuses absurdly nested JSON bodies with 400 before any code walks them recursively (the fuzzer
 * found a 12,000-deep array in a bulk body answered 500: a recursive walk overflowed the stack).
 */
export function registerBodyDepthLimit(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined && tooDeep(request.body)) {
      throw new AppError('VALIDATION_FAILED', `request body is nested deeper than ${MAX_DEPTH} levels`);
    }
  });
}
