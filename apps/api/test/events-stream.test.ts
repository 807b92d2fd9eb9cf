import { createEvent, publishEvent } from '@wagw/queue';
import { openEventStream } from '@wagw/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp, testRedis } from './api-test-app.js';

/** The SSE client with this file's API key. */
function openStream(url: string, headers: Record<string, string> = {}) {
  return openEventStream(url, { ...AUTH, ...headers });
}

let t: TestApp;
let base: string;
let redis: Redis;
beforeAll(async () => {
  t = await createTestApp({ maxEventStreams: 2, eventStreamPingMs: 200 });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  redis = testRedis();
});
afterAll(async () => {
  redis.disconnect();
  // After an aborted fetch, Node's fetch (undici) opens a spare keep-alive socket that never sends a
  // request; server.close() waits for it until undici's 4 s idle timeout. It is the test client's
  // socket, not a stream, so drop it here (the last test checks that open streams end on close).
  t.app.server.closeAllConnections();
  await t.close();
});

function publish(event: string, sessionId: string | null, data: Record<string, unknown> = {}) {
  return publishEvent(redis, t.prefix, createEvent(event, sessionId, data));
}

describe('GET /api/events (SSE)', () => {
  it('streams events published after it opened, with id, event name and the JSON envelope', async () => {
    await publish('session.status', 's0', { before: true });
    const stream = await openStream(`${base}/api/events`);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const streamId = await publish('message.received', 's1', { text: 'hi' });
    const message = await stream.next();
    expect(message.id).toBe(streamId);
    expect(message.event).toBe('message.received');
    expect(JSON.parse(message.data ?? '')).toMatchObject({
      event: 'message.received',
      sessionId: 's1',
      data: { text: 'hi' },
    });
    stream.close();
  });

  it('filters by session and by event name', async () => {
    const stream = await openStream(`${base}/api/events?sessionId=a&event=session.status,session.qr`);
    await publish('session.status', 'b');
    await publish('message.received', 'a');
    const wanted = await publish('session.qr', 'a');
    expect((await stream.next()).id).toBe(wanted);
    stream.close();
  });

  it('resumes after Last-Event-ID', async () => {
    const first = await publish('session.status', 'r', { n: 1 });
    const second = await publish('session.status', 'r', { n: 2 });
    const third = await publish('session.status', 'r', { n: 3 });
    const stream = await openStream(`${base}/api/events?sessionId=r`, { 'last-event-id': first });
    expect((await stream.next()).id).toBe(second);
    expect((await stream.next()).id).toBe(third);
    stream.close();
  });

  it('rejects a malformed Last-Event-ID with 400', async () => {
    const res = await fetch(`${base}/api/events`, { headers: { ...AUTH, 'last-event-id': 'nope' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('VALIDATION_FAILED');
  });

  it('sends keep-alive comments on an idle stream', async () => {
    const stream = await openStream(`${base}/api/events?sessionId=idle`);
    await new Promise((r) => setTimeout(r, 500));
    await publish('session.status', 'idle');
    await stream.next();
    expect(stream.comments).toContain(': ping');
    stream.close();
  });

  it('refuses streams beyond the per-replica limit with 503, and frees the slot on disconnect', async () => {
    const a = await openStream(`${base}/api/events`);
    const b = await openStream(`${base}/api/events`);
    const refused = await fetch(`${base}/api/events`, { headers: AUTH });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { code: string }).code).toBe('SERVICE_OVERLOADED');
    a.close();
    b.close();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const again = await openStream(`${base}/api/events`);
      status = again.res.status;
      again.close();
    }
    expect(status).toBe(200);
  });

  it('requires the API key', async () => {
    const res = await fetch(`${base}/api/events`);
    expect(res.status).toBe(401);
  });

  it('open streams do not keep app.close() from finishing', async () => {
    const own = await createTestApp();
    const url = await own.app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await openStream(`${url}/api/events`);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(stream.next(1000)).rejects.toThrow();
  });
});
