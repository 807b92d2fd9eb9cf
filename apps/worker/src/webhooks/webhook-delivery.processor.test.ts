import type { PostResult } from '@wagw/webhooks';
import { describe, expect, it } from 'vitest';
import { verdictOf } from './webhook-delivery.processor.js';

const result = (status: number | null, error: string | null = null): PostResult => ({
  ok: status !== null && status >= 200 && status < 300,
  status,
  body: null,
  error,
  durationMs: 1,
  retryAfterMs: null,
});

describe('verdictOf', () => {
  it.each([
    [200, 'ok'],
    [204, 'ok'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [301, 'permanent'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [410, 'permanent'],
    [422, 'permanent'],
  ] as const)('HTTP %i → %s', (status, verdict) => {
    expect(verdictOf(result(status))).toBe(verdict);
  });

  it('no response (timeout, refused) is retried; a target that turned private is refused for good', () => {
    expect(verdictOf(result(null, 'timeout after 1000 ms'))).toBe('retry');
    expect(verdictOf(result(null, 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9'))).toBe('retry');
    expect(verdictOf(result(null, 'EWEBHOOKFORBIDDEN: 10.0.0.1 is a private address'))).toBe('permanent');
  });
});
