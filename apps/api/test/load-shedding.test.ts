import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { createLogger } from '@wagw/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

/** Blocks the event loop the way a CPU-bound handler or a long GC pause does. */
function stallEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy-wait on purpose
  }
}

/** MAX_EVENT_LOOP_DELAY's default (packages/config/src/api-env.ts). */
const DEFAULT_MAX_DELAY_MS = 1000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ name: 'api-test', level: 'info', destination }) };
}

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
    // 100 ms: far above what a loaded test machine lags, so only the stall below can trip it.
    t = await createTestApp({ loadShedding: { maxEventLoopDelayMs: 100, sampleIntervalMs: 100 } });
  });
  afterAll(() => t.close());

  it('answers 503 SERVICE_OVERLOADED with Retry-After after a stall, then recovers', async () => {
    // Start-up (migrations, plugin loading) may itself count as load: wait for a calm sample.
    expect(await recoversWithin(10_000)).toBe(true);
    let shed: Awaited<ReturnType<typeof t.app.inject>> | undefined;
    // The sample is a mean over ~10 ticks of 10 ms: a 1500 ms stall lifts it over 100 ms wherever in
    // the sample it falls. It shows in the next sample or the one after; poll for a second.
    for (let attempt = 0; attempt < 3 && !shed; attempt++) {
      stallEventLoop(1500);
      const deadline = performance.now() + 1000;
      while (!shed && performance.now() < deadline) {
        await pause(5);
        const res = await t.app.inject({ method: 'GET', url: '/api/health/ready' });
        if (res.statusCode === 503) shed = res;
      }
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
    expect(await recoversWithin(10_000)).toBe(true);
  });
});

describe('load shedding defaults: a busy but responsive loop', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Only the sampling is sped up (to 250 ms: a sample must hold several loop turns, or
    // under-pressure reads its empty delay histogram as an endless stall); every limit is the default.
    t = await createTestApp({
      loadShedding: { sampleIntervalMs: 250 },
      routes(app) {
        // Test-only: 2 ms of CPU per request, like JSON and validation work of a send.
        app.get('/test/busy', async () => {
          stallEventLoop(2);
          return { ok: true };
        });
      },
    });
  });
  afterAll(() => t.close());

  it('serves a saturated loop that answers in milliseconds (utilisation ~1, delay low)', async () => {
    /** 1.5 s of 10 clients back to back: the loop is never idle, yet each request takes a few ms. */
    const window = async () => {
      const statuses: number[] = [];
      // The loop's real delay, measured beside under-pressure's: on a machine with more runnable
      // processes than cores the OS can hold this process off the CPU for over a second, and then
      // shedding is the right answer, not a fault. Such a window does not count and is run again.
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const until = performance.now() + 1500;
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (performance.now() < until) {
            const res = await t.app.inject({ method: 'GET', url: '/test/busy', headers: AUTH });
            statuses.push(res.statusCode);
            // A macrotask turn, so the sampling timers run as they do on a real socket.
            await new Promise((resolve) => setImmediate(resolve));
          }
        }),
      );
      delay.disable();
      return { statuses, starved: delay.max / 1e6 >= DEFAULT_MAX_DELAY_MS };
    };
    let result = await window();
    for (let retry = 0; retry < 3 && result.starved; retry++) {
      await pause(500); // a sample without the stall, so a shed started by it is lifted
      result = await window();
    }
    expect(result.starved, 'the loop was never held off the CPU for a whole window').toBe(false);
    expect(result.statuses.length).toBeGreaterThan(100);
    expect(result.statuses.filter((status) => status !== 200)).toEqual([]);
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

describe('logging of shed requests', () => {
  it('logs one summary line per interval with the count, never a line or a stack per refusal', async () => {
    const { lines, logger } = capturingLogger();
    const t = await createTestApp({
      logger,
      loadShedding: {
        maxHeapUsedBytes: 1,
        maxEventLoopDelayMs: 0,
        sampleIntervalMs: 10,
        refusalLogIntervalMs: 1000,
      },
    });
    try {
      await pause(50);
      const shedLines = () => lines.filter((line) => line.msg === 'load shed: requests refused with 503');
      const flood = await Promise.all(
        Array.from({ length: 200 }, () => t.app.inject({ method: 'GET', url: '/api/health' })),
      );
      expect(flood.every((res) => res.statusCode === 503)).toBe(true);
      // Within the interval nothing is logged yet; at its end, one line counts all 200.
      await pause(1300);
      expect(shedLines()).toHaveLength(1);
      expect(shedLines()[0]).toMatchObject({ level: 40, refused: 200, pressure: 'heapUsedBytes' });
      // Nothing logged an error or a stack for the refusals.
      expect(lines.filter((line) => (line.level as number) >= 50 || 'err' in line)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
