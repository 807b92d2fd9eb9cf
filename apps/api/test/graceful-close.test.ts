import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

// A load balancer (nginx upstream keepalive) holds connections open between requests. A request in
// flight when SIGTERM arrives must end its connection, or server.close() waits out the 65 s
// keep-alive timeout and the 30 s shutdown budget forces the exit.
let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await createTestApp({
    serverOptions: { keepAliveTimeout: 65_000 },
    routes(app) {
      app.get('/test/slow', async () => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return { finished: true };
      });
    },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(() => t.close());

function get(agent: http.Agent, path: string): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent, headers: AUTH }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      })
      .on('error', reject);
  });
}

describe('graceful close behind a keep-alive load balancer', () => {
  it('a request in flight at shutdown is answered with Connection: close and close() ends promptly', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    // Warm keep-alive connections, as an upstream pool has.
    await Promise.all([get(agent, '/test/slow'), get(agent, '/test/slow')]);
    const inFlight = get(agent, '/test/slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    t.app.markShuttingDown();
    const started = Date.now();
    const closed = t.app.close();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.connection).toBe('close');
    await closed;
    expect(Date.now() - started).toBeLessThan(5000);
    agent.destroy();
  });
});
