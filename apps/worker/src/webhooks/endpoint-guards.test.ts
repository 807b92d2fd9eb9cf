import { afterEach, describe, expect, it } from 'vitest';
import { createEndpointGuards, type EndpointGuards } from './endpoint-guards.js';

let guards: EndpointGuards;
afterEach(() => guards?.close());

describe('endpoint guards', () => {
  it('limits deliveries in flight per endpoint, independently of other endpoints', () => {
    guards = createEndpointGuards({ concurrency: 2, breaker: { threshold: 3, resetMs: 1000 } });
    expect(guards.tryAcquire('a')).toBe(true);
    expect(guards.tryAcquire('a')).toBe(true);
    expect(guards.tryAcquire('a')).toBe(false);
    expect(guards.tryAcquire('b')).toBe(true);
    guards.release('a');
    expect(guards.tryAcquire('a')).toBe(true);
  });

  it('opens one endpoint breaker after consecutive failures and reports it by name', async () => {
    guards = createEndpointGuards({ concurrency: 5, breaker: { threshold: 2, resetMs: 60_000 } });
    const fail = () => Promise.reject(new Error('HTTP 500'));
    for (let i = 0; i < 2; i++)
      await guards
        .breaker('dead')
        .execute(fail)
        .catch(() => undefined);
    await guards.breaker('alive').execute(async () => 'ok');
    expect(guards.states()).toEqual({ 'webhook:dead': 'open', 'webhook:alive': 'closed' });
    expect(guards.breaker('dead').retryAfterMs()).toBeGreaterThan(59_000);
  });

  it('forgets idle endpoints with a closed breaker, keeps open and busy ones', async () => {
    guards = createEndpointGuards({ concurrency: 5, breaker: { threshold: 1, resetMs: 60_000 }, idleMs: 10 });
    guards.tryAcquire('busy');
    guards.breaker('idle');
    await guards
      .breaker('open')
      .execute(() => Promise.reject(new Error('x')))
      .catch(() => undefined);
    guards.sweep(Date.now() + 1000);
    expect(Object.keys(guards.states()).sort()).toEqual(['webhook:busy', 'webhook:open']);
  });
});
