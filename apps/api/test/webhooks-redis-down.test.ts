import type { WebhookDeadLetter } from '@wagw/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

// Nothing listens on port 1: the producer connection never becomes ready and fails fast.
let t: TestApp;
let webhookId: string;
const rows: WebhookDeadLetter[] = [];
beforeAll(async () => {
  t = await createTestApp({ redisUrlOverride: 'redis://127.0.0.1:1' });
  const sessionId = (await t.db.repos.sessions.create({ name: 'offline' })).id;
  webhookId = (await t.db.repos.webhooks.create({ sessionId, url: 'https://93.184.215.14/x', events: ['*'] }))
    .id;
  for (let i = 0; i < 3; i++) {
    rows.push(
      await t.db.repos.deadLetters.record({
        webhookId,
        sessionId,
        eventId: `evt-${i}`,
        event: 'session.status',
        payload: {
          id: `evt-${i}`,
          event: 'session.status',
          sessionId,
          timestamp: '2025-01-01T00:00:00Z',
          data: {},
        },
        attempts: 12,
        lastStatus: null,
        lastResponse: null,
        lastError: 'timeout after 10000 ms',
      }),
    );
  }
});
afterAll(() => t.close());

const statuses = async () =>
  Promise.all(rows.map(async (row) => (await t.db.repos.deadLetters.getById(row.id))?.status));

describe('dead-letter replay with Redis unreachable', () => {
  it('replaying one answers 503 QUEUE_UNAVAILABLE at once and the row is dead again', async () => {
    const started = performance.now();
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/webhooks/${webhookId}/dead-letters/${rows[0]!.id}/replay`,
      headers: AUTH,
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ code: 'QUEUE_UNAVAILABLE', details: { replayed: 0 } });
    expect(await statuses()).toEqual(['dead', 'dead', 'dead']);
  });

  it('replaying all answers 503 and leaves every row dead, to be replayed later', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/webhooks/${webhookId}/dead-letters/replay`,
      headers: AUTH,
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('QUEUE_UNAVAILABLE');
    expect(await statuses()).toEqual(['dead', 'dead', 'dead']);
  });

  it('listing, discarding and webhook CRUD need no Redis', async () => {
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/webhooks/${webhookId}/dead-letters`,
      headers: AUTH,
    });
    expect(list.json().items).toHaveLength(3);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers: AUTH,
      payload: { url: 'https://93.184.215.14/y' },
    });
    expect(created.statusCode).toBe(201);
    const discard = await t.app.inject({
      method: 'DELETE',
      url: `/api/webhooks/${webhookId}/dead-letters/${rows[2]!.id}`,
      headers: AUTH,
    });
    expect(discard.statusCode).toBe(204);
  });
});
