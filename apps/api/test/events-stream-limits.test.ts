import { createEvent, publishEvent, waitUntilReady } from '@wagw/queue';
import { type EventStreamClient, openEventStream, redisUrl } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';
import { createSession, signedIn, storeKey } from './dashboard-api-helpers.js';

// Issue #18: the stream cap was checked before an await and counted after it (a burst held 600
// streams against a cap of 100), was global (the admin was refused), and every stream held its
// own Redis connection. Real HTTP: inject() cannot hold a stream open.

const SESSION_KEY = 'wagw_limits-session-key-0123456789';
const PER_KEY = 10;
const BURST = 300;

/** A stream request that keeps the response: 200s stay open until aborted, refusals carry JSON. */
async function request(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const code = res.status === 200 ? undefined : ((await res.json()) as { code: string }).code;
  // `res` is kept: undici cancels the body of a Response that is garbage collected unread, which
  // would close the stream behind the test's back.
  return { res, status: res.status, code, close: () => controller.abort() };
}

/** Opens `count` streams, retrying while slots of closed streams are still being released. */
async function openAll(url: string, headers: Record<string, string>, count: number) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const all = await Promise.all(Array.from({ length: count }, () => request(url, headers)));
    if (all.every((r) => r.status === 200)) return all;
    for (const r of all) r.close();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`could not open ${count} streams`);
}

describe('GET /api/events caps', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ maxEventStreamsPerKey: PER_KEY, maxEventStreams: 1000 });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    await storeKey(t, SESSION_KEY, await createSession(t, 'limits'));
  });
  afterAll(async () => {
    // Node's fetch keeps a spare keep-alive socket after an aborted stream (see events-stream.test.ts).
    t.app.server.closeAllConnections();
    await t.close();
  });

  it(`a burst of ${BURST} with one key opens exactly ${PER_KEY}; the admin still gets a stream; slots return`, async () => {
    const key = { 'x-api-key': SESSION_KEY };
    const burst = await Promise.all(Array.from({ length: BURST }, () => request(`${base}/api/events`, key)));
    const opened = burst.filter((r) => r.status === 200);
    const refused = burst.filter((r) => r.status !== 200);
    expect(opened).toHaveLength(PER_KEY);
    expect(new Set(refused.map((r) => `${r.status} ${r.code}`))).toEqual(
      new Set(['429 TOO_MANY_EVENT_STREAMS']),
    );

    const admin = await request(`${base}/api/events`, AUTH);
    expect(admin.status).toBe(200);

    // A dashboard sign-in with the same key draws from the same share.
    const { cookie } = await signedIn(t, SESSION_KEY);
    const viaCookie = await request(`${base}/api/events`, { cookie });
    expect([viaCookie.status, viaCookie.code]).toEqual([429, 'TOO_MANY_EVENT_STREAMS']);

    for (const r of opened) r.close();
    admin.close();
    const again = await openAll(`${base}/api/events`, key, PER_KEY);
    expect(again).toHaveLength(PER_KEY);
    for (const r of again) r.close();
  });
});

describe('GET /api/events shares one Redis reader', () => {
  // A database of its own, so CLIENT LIST can count this file's connections among other files'.
  const url = new URL(redisUrl());
  url.pathname = '/9';
  const DB = ` db=9 `;
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ redisUrlOverride: url.toString(), maxEventStreamsPerKey: 100 });
    await waitUntilReady(t.redis);
    // createTestApp skips this for an override; without it BullMQ's meta write can outlive close().
    await t.sessionCommands.getVersion();
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    t.app.server.closeAllConnections();
    await t.close();
  });

  async function connections(): Promise<number> {
    const list = (await t.redis.client('LIST')) as string;
    return list.split('\n').filter((line) => line.includes(DB)).length;
  }

  async function until(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
  }

  it('50 streams hold one extra Redis connection, each stream gets every event, and it goes with the last', async () => {
    const before = await connections();
    const streams: EventStreamClient[] = await Promise.all(
      Array.from({ length: 50 }, () => openEventStream(`${base}/api/events`, AUTH)),
    );
    expect(streams.every((s) => s.res.status === 200)).toBe(true);
    expect((await connections()) - before).toBe(1);

    const id = await publishEvent(t.redis, t.prefix, createEvent('session.status', 's1', {}));
    const received = await Promise.all(streams.map((s) => s.next()));
    expect(received.map((m) => m.id)).toEqual(streams.map(() => id));

    for (const s of streams) s.close();
    await until(async () => (await connections()) === before);
    expect(await connections()).toBe(before);
  });

  it('a resume older than the shared reader catches up from Redis, then goes live without gaps or repeats', async () => {
    const publish = (n: number) => publishEvent(t.redis, t.prefix, createEvent('session.status', 'r', { n }));
    // A live stream keeps the reader running and moves it past the events below.
    const live = await openEventStream(`${base}/api/events?sessionId=r`, AUTH);
    const ids = [await publish(1), await publish(2), await publish(3)];
    for (const id of ids) expect((await live.next()).id).toBe(id);

    const resumed = await openEventStream(`${base}/api/events?sessionId=r`, {
      ...AUTH,
      'last-event-id': ids[0] as string,
    });
    const fourth = await publish(4);
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await resumed.next()).id);
    expect(got).toEqual([ids[1], ids[2], fourth]);
    await expect(resumed.next(300)).rejects.toThrow('no SSE message in time');
    live.close();
    resumed.close();
  });
});
