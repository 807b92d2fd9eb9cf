import { createEvent, publishEvent } from '@wagw/queue';
import { openEventStream } from '@wagw/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp, testRedis } from './api-test-app.js';
import { createSession, signedIn, storeKey } from './dashboard-api-helpers.js';

// The page's EventSource('/api/events') sends the cookie and nothing else.
const OWN_KEY = 'wagw_events-own-key-0123456789';

let t: TestApp;
let base: string;
let redis: Redis;
let own: string;
beforeAll(async () => {
  t = await createTestApp({ eventStreamPingMs: 200 });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  redis = testRedis();
  own = await createSession(t, 'own');
  await storeKey(t, OWN_KEY, own);
});
afterAll(async () => {
  redis.disconnect();
  // Node's fetch keeps a spare keep-alive socket after an aborted stream (see events-stream.test.ts).
  t.app.server.closeAllConnections();
  await t.close();
});

const publish = (event: string, sessionId: string) =>
  publishEvent(redis, t.prefix, createEvent(event, sessionId, {}));

describe('GET /api/events with the dashboard cookie', () => {
  it('streams every session to an admin sign-in', async () => {
    const { cookie } = await signedIn(t, TEST_API_KEY);
    const stream = await openEventStream(`${base}/api/events`, { cookie });
    expect(stream.res.status).toBe(200);
    const id = await publish('session.status', 'any-session');
    expect((await stream.next(5000)).id).toBe(id);
    stream.close();
  });

  it("streams only its own session's events to a per-session sign-in", async () => {
    const { cookie } = await signedIn(t, OWN_KEY);
    const stream = await openEventStream(`${base}/api/events`, { cookie });
    expect(stream.res.status).toBe(200);
    await publish('session.status', 'other');
    const wanted = await publish('session.qr', own);
    expect((await stream.next(5000)).id).toBe(wanted);
    stream.close();
    const theirs = await fetch(`${base}/api/events?sessionId=other`, { headers: { cookie } });
    expect(theirs.status).toBe(403);
  });

  it('refuses a stream without a valid cookie with 401', async () => {
    const res = await fetch(`${base}/api/events`, { headers: { cookie: 'wagw_session=forged.value' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('UNAUTHORIZED');
  });
});
