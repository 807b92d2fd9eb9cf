import { Writable } from 'node:stream';
import { createLogger } from '@wagw/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

const logs: Array<Record<string, unknown>> = [];
const destination = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
    done();
  },
});

let t: TestApp;
let aborted = false;
beforeAll(async () => {
  t = await createTestApp({
    config: { requestTimeoutMs: 200 },
    logger: createLogger({ name: 'api-test', level: 'info', destination }),
    routes(app) {
      // Test-only: waits 10 s unless the request is cancelled, as a well-behaved handler does.
      app.get('/test/slow/:n', async (request) => {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 10_000);
          request.signal.addEventListener('abort', () => {
            aborted = true;
            clearTimeout(timer);
            resolve();
          });
        });
        return { finished: true };
      });
      app.get('/test/quick', async () => ({ quick: true }));
    },
  });
});
afterAll(() => t.close());

describe('request timeout', () => {
  it('answers 504 REQUEST_TIMEOUT in the envelope, cancels the work and logs the route', async () => {
    const started = performance.now();
    const res = await t.app.inject({ method: 'GET', url: '/test/slow/42', headers: AUTH });
    const elapsed = performance.now() - started;
    expect(res.statusCode).toBe(504);
    expect(res.json()).toMatchObject({
      statusCode: 504,
      code: 'REQUEST_TIMEOUT',
      requestId: res.headers['x-request-id'],
    });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1000);
    expect(aborted).toBe(true);
    const line = logs.find((entry) => entry.msg === 'request timed out');
    expect(line).toMatchObject({ route: '/test/slow/:n', method: 'GET', timeoutMs: 200 });
  });

  it('keeps serving the next requests', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/quick', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ quick: true });
  });

  it('answers over a real socket too, and the keep-alive connection stays usable', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const slow = await fetch(`${address}/test/slow/1`, { headers: AUTH });
    expect(slow.status).toBe(504);
    expect(await slow.json()).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    const quick = await fetch(`${address}/test/quick`, { headers: AUTH });
    expect(quick.status).toBe(200);
  });
});
