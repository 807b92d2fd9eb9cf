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

describe('waiting for an endpoint slot', () => {
  it('hands a freed slot to the longest waiter when one is expected within the budget', async () => {
    guards = createEndpointGuards({ concurrency: 1, breaker: { threshold: 3, resetMs: 1000 } });
    const first = await guards.acquire('fast', 250);
    expect(first).not.toBeNull();
    const order: string[] = [];
    const second = guards.acquire('fast', 250).then((release) => {
      order.push('second');
      return release;
    });
    const third = guards.acquire('fast', 250).then((release) => {
      order.push('third');
      return release;
    });
    first?.();
    (await second)?.();
    (await third)?.();
    expect(order).toEqual(['second', 'third']);
    // Every slot is free again: as many as the concurrency can be taken at once.
    expect(guards.tryAcquire('fast')).toBe(true);
    expect(guards.tryAcquire('fast')).toBe(false);
  });

  it('does not wait behind a delivery in flight for longer than the budget (a hanging receiver)', async () => {
    guards = createEndpointGuards({ concurrency: 1, breaker: { threshold: 3, resetMs: 1000 } });
    const hanging = await guards.acquire('slow', 20);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = Date.now();
    expect(await guards.acquire('slow', 20)).toBeNull();
    expect(Date.now() - started).toBeLessThan(20);
    hanging?.();
  });

  it('gives up after twice the budget when no slot came', async () => {
    guards = createEndpointGuards({ concurrency: 1, breaker: { threshold: 3, resetMs: 1000 } });
    const held = await guards.acquire('busy', 25);
    const started = Date.now();
    expect(await guards.acquire('busy', 25)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    held?.();
    // The waiter that gave up is gone: the freed slot is free, not handed to it.
    expect(guards.tryAcquire('busy')).toBe(true);
  });
});
