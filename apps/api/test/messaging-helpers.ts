import { sendQueueName } from '@wagw/queue';
import { Queue } from 'bullmq';
import type { TestApp } from './helpers.js';
import { AUTH } from './helpers.js';

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
