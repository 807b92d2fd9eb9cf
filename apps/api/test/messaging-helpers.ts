import { sendQueueName } from '@wagw/queue';
import { Queue } from 'bullmq';
import { afterAll, beforeAll } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

/** A session row plus a handle on its send queue (`send.<id>`) under the test app's prefix. */
export async function sessionWithQueue(t: TestApp, name: string) {
  const session = await t.db.repos.sessions.create({ name });
  const queue = new Queue(sendQueueName(session.id), { connection: t.redis, prefix: t.prefix });
  queue.on('error', () => {});
  return { session, queue };
}

export function post(t: TestApp, url: string, payload: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url, headers: { ...AUTH, ...headers }, payload: payload as object });
}

export function get(t: TestApp, url: string) {
  return t.app.inject({ method: 'GET', url, headers: AUTH });
}

/** Jobs not yet finished (nobody consumes in these tests, so: every job added). */
export async function pendingJobs(queue: Queue) {
  return queue.getJobs(['waiting', 'delayed', 'prioritized', 'active']);
}

/**
 * One app and one session with its send queue for a whole test file. Load shedding is off: bulk
 * requests of thousands keep the event loop busy for a moment on purpose, and load shedding (tested
 * on its own) would answer the next request 503 SERVICE_OVERLOADED.
 */
export function useMessagingApp(sessionName: string) {
  const ctx = {} as { t: TestApp; sessionId: string; queue: Queue };
  beforeAll(async () => {
    ctx.t = await createTestApp({ loadShedding: { maxEventLoopUtilization: 0, maxEventLoopDelayMs: 0 } });
    const { session, queue } = await sessionWithQueue(ctx.t, sessionName);
    ctx.sessionId = session.id;
    ctx.queue = queue;
  });
  afterAll(async () => {
    await ctx.queue.close();
    await ctx.t.close();
  });
  return ctx;
}
