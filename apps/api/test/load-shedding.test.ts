import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './api-test-app.js';

/** Blocks the event loop the way a CPU-bound handler or a long GC pause does. */
function stallEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy-wait on purpose
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('load shedding on event-loop delay', () => {
  let t: TestApp;
  async function recoversWithin(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (performance.now() < deadline) {
      if ((await t.app.inject({ method: 'GET', url: '/api/health/ready' })).statusCode === 200) return true;
      await pause(20);
    }
    return false;
  }
  beforeAll(async () => {
    t = await createTestApp({ loadShedding: { maxEventLoopDelayMs: 50, sampleIntervalMs: 100 } });
  });
  afterAll(() => t.close());

  it('answers 503 SERVICE_OVERLOADED with Retry-After after a stall, then recovers', async () => {
    // Start-up (migrations, plugin loading) may itself count as load: wait for a calm sample.
    expect(await recoversWithin(2000)).toBe(true);
    stallEventLoop(400);
    // The stall shows in the next sample; poll until it does (at most a few sample intervals).
    let shed: Awaited<ReturnType<typeof t.app.inject>> | undefined;
    for (let i = 0; i < 100 && !shed; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/api/health/ready' });
      if (res.statusCode === 503) shed = res;
      else await pause(5);
    }
    expect(shed, 'expected a 503 while the loop delay was high').toBeDefined();
    expect(shed?.headers['retry-after']).toBe('5');
    expect(shed?.json()).toMatchObject({
      statusCode: 503,
      code: 'SERVICE_OVERLOADED',
      requestId: shed?.headers['x-request-id'],
    });
    const live = await t.app.inject({ method: 'GET', url: '/api/health/live' });
    expect(live.statusCode).toBe(200);

    // The next sample without a stall lifts the shedding.
    expect(await recoversWithin(2000)).toBe(true);
  });
});

describe('load shedding on memory', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A heap limit no process can meet: every request is over it after the first sample.
    t = await createTestApp({ loadShedding: { maxHeapUsedBytes: 1, sampleIntervalMs: 10 } });
    await pause(50);
  });
  afterAll(() => t.close());

  it('sheds a flood of requests at once instead of letting them queue, liveness exempt', async () => {
    const started = performance.now();
    const flood = await Promise.all(
      Array.from({ length: 200 }, () => t.app.inject({ method: 'GET', url: '/api/health' })),
    );
    const elapsed = performance.now() - started;
    expect(flood.every((res) => res.statusCode === 503)).toBe(true);
    expect(flood.every((res) => res.headers['retry-after'] === '5')).toBe(true);
    expect(flood[0]?.json().code).toBe('SERVICE_OVERLOADED');
    expect(elapsed).toBeLessThan(1000);
    expect((await t.app.inject({ method: 'GET', url: '/api/health/live' })).statusCode).toBe(200);
  });

  it('answers over a real socket with 503 and Retry-After', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const responses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${address}/api/health`)));
    expect(responses.map((res) => res.status)).toEqual(Array(50).fill(503));
    expect(responses[0]?.headers.get('retry-after')).toBe('5');
    expect(await responses[0]?.json()).toMatchObject({ code: 'SERVICE_OVERLOADED' });
  });
});
