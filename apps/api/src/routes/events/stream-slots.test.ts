import { AppError } from '@wagw/errors';
import { describe, expect, it } from 'vitest';
import { compareIds } from './stream-entries.js';
import { createStreamSlots } from './stream-slots.js';

function refusal(fn: () => unknown): { code: string; statusCode: number } | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, statusCode: err.statusCode };
    throw err;
  }
  return undefined;
}

describe('createStreamSlots', () => {
  it('caps each key separately, with 429 TOO_MANY_EVENT_STREAMS', () => {
    const slots = createStreamSlots({ maxTotal: 100, maxPerKey: 2 });
    slots.acquire('a');
    slots.acquire('a');
    expect(refusal(() => slots.acquire('a'))).toEqual({ code: 'TOO_MANY_EVENT_STREAMS', statusCode: 429 });
    expect(refusal(() => slots.acquire('admin'))).toBeUndefined();
  });

  it('caps the replica with 503 SERVICE_OVERLOADED', () => {
    const slots = createStreamSlots({ maxTotal: 3, maxPerKey: 2 });
    slots.acquire('a');
    slots.acquire('a');
    slots.acquire('b');
    expect(refusal(() => slots.acquire('c'))).toEqual({ code: 'SERVICE_OVERLOADED', statusCode: 503 });
  });

  it('frees a slot once however often it is released', () => {
    const slots = createStreamSlots({ maxTotal: 10, maxPerKey: 2 });
    const first = slots.acquire('a');
    slots.acquire('a');
    first.release();
    first.release();
    expect([slots.count('a'), slots.count()]).toEqual([1, 1]);
    slots.acquire('a');
    expect(refusal(() => slots.acquire('a'))?.code).toBe('TOO_MANY_EVENT_STREAMS');
  });
});

describe('compareIds', () => {
  it.each([
    ['1-0', '1-0', 0],
    ['1-1', '1-0', 1],
    ['9-0', '10-0', -1],
    ['1700000000000-12', '1700000000000-2', 1],
  ])('%s vs %s', (a, b, expected) => {
    expect(Math.sign(compareIds(a, b))).toBe(expected);
  });
});
