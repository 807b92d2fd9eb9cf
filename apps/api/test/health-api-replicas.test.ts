import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@wagw/logger';
import { redisKeys } from '@wagw/queue';
import { tempSqliteUrl } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplicaHeartbeat } from '../src/lib/replica-heartbeat.js';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

// Two API replicas on one Redis prefix and one database, each beating as apps/api/src/main.ts does.
const sqlite = tempSqliteUrl();
const logger = createLogger({ name: 'replica-heartbeat-test', level: 'silent' });
let a: TestApp;
let b: TestApp;
let releaseSlow: () => void = () => {};
const beats: Array<ReturnType<typeof startReplicaHeartbeat>> = [];

const testRoutes = (app: TestApp['app']) => {
  app.get('/test/boom', async () => {
    throw new Error('boom');
  });
  app.get('/test/slow', async () => {
    await new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    return { ok: true };
  });
};

function beat(t: TestApp, instanceId: string) {
  const heartbeat = startReplicaHeartbeat({
    redis: t.redis,
    prefix: t.prefix,
    instanceId,
    intervalMs: 100,
    logger,
    requestStats: () => t.app.requestStats(),
  });
  beats.push(heartbeat);
  return heartbeat;
}

async function replicas(t: TestApp) {
  const res = await t.app.inject({ method: 'GET', url: '/api/health' });
  return res.json() as {
    apiReplicas: Array<{
      instanceId: string;
      served: number;
      serverErrors: number;
      inFlight: number;
      rss: number;
    }>;
    missingApiReplicas: string[];
  };
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  a = await createTestApp({ databaseUrl: sqlite.url, routes: testRoutes });
  b = await createTestApp({ databaseUrl: sqlite.url, prefix: a.prefix, routes: testRoutes });
});
afterAll(async () => {
  releaseSlow();
  for (const heartbeat of beats) await heartbeat.stop();
  await b.close();
  await a.close();
  sqlite.cleanup();
});

describe('API replicas in /api/health', () => {
  it('every replica sees every replica, with its own requests and server errors', async () => {
    await Promise.all([beat(a, 'api-a').ready, beat(b, 'api-b').ready]);
    for (let i = 0; i < 3; i++) await a.app.inject({ method: 'GET', url: '/api/health/live' });
    expect((await a.app.inject({ method: 'GET', url: '/test/boom', headers: AUTH })).statusCode).toBe(500);

    const seen = await until(
      () => replicas(b),
      (h) => (h.apiReplicas.find((r) => r.instanceId === 'api-a')?.served ?? 0) >= 4,
    );
    expect(seen.apiReplicas.map((r) => r.instanceId)).toEqual(['api-a', 'api-b']);
    const replicaA = seen.apiReplicas.find((r) => r.instanceId === 'api-a');
    expect(replicaA?.served).toBeGreaterThanOrEqual(4);
    expect(replicaA?.serverErrors).toBe(1);
    expect(replicaA?.rss).toBeGreaterThan(0);
    expect(seen.apiReplicas.find((r) => r.instanceId === 'api-b')?.serverErrors).toBe(0);
    expect(seen.missingApiReplicas).toEqual([]);
  });

  it('a replica that stopped cleanly is gone; one whose beat expired is reported missing', async () => {
    await beats[1]?.stop();
    // A crash: the heartbeat key expires but the replica stays in the recently-seen set.
    const crashed = beat(b, 'api-crashed');
    await crashed.ready;
    await crashed.stop();
    await a.redis.zadd(redisKeys(a.prefix).heartbeatSeen('api'), Date.now(), 'api-crashed');

    const seen = await replicas(a);
    expect(seen.apiReplicas.map((r) => r.instanceId)).toEqual(['api-a']);
    expect(seen.missingApiReplicas).toEqual(['api-crashed']);
  });
});

describe('request counters', () => {
  it('count an open request in flight, and a request the client abandoned as ended', async () => {
    await a.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = a.app.server.address() as AddressInfo;
    const before = a.app.requestStats();
    const req = request({ host: '127.0.0.1', port, path: '/test/slow', headers: AUTH });
    req.on('error', () => {});
    req.end();
    const during = await until(
      async () => a.app.requestStats(),
      (s) => s.inFlight > before.inFlight,
    );
    expect(during.inFlight).toBe(before.inFlight + 1);

    req.destroy();
    const after = await until(
      async () => a.app.requestStats(),
      (s) => s.inFlight === before.inFlight,
    );
    expect(after.inFlight).toBe(before.inFlight);
    expect(after.served).toBe(before.served + 1);
    expect(after.serverErrors).toBe(before.serverErrors);
    releaseSlow();
  });
});
