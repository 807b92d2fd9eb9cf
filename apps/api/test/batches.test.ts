import { redisKeys } from '@wagw/queue';
import { describe, expect, it } from 'vitest';
import { get, pendingJobs, post, useMessagingApp } from './messaging-helpers.js';

const ctx = useMessagingApp('bulk-sender');

const bulkUrl = () => `/api/sessions/${ctx.sessionId}/messages/bulk`;
const texts = (n: number, offset = 0) =>
  Array.from({ length: n }, (_, i) => ({
    to: `+4915${String(10_000_000 + offset + i)}`,
    type: 'text',
    text: `hello ${i}`,
  }));

describe('POST /api/sessions/:id/messages/bulk', () => {
  it('accepts 10,000 messages in one request: one transaction, jobs with id = message id', async () => {
    const started = performance.now();
    const res = await post(ctx.t, bulkUrl(), { messages: texts(10_000) });
    const ms = performance.now() - started;
    console.log(`bulk: 10,000 messages accepted in ${ms.toFixed(0)} ms (validate + insertMany + addBulk)`);
    expect(res.statusCode).toBe(202);
    const { batchId, count, statusUrl } = res.json();
    expect(count).toBe(10_000);
    expect(statusUrl).toBe(`/api/batches/${batchId}`);

    const counts = await get(ctx.t, statusUrl);
    expect(counts.json()).toMatchObject({
      batchId,
      sessionId: ctx.sessionId,
      total: 10_000,
      counts: { queued: 10_000 },
    });
    const jobs = await pendingJobs(ctx.queue);
    expect(jobs).toHaveLength(10_000);
    const rows = await ctx.t.db.repos.messages.listBySession({ sessionId: ctx.sessionId, limit: 1000 });
    const sample = rows.items[0]!;
    expect(sample).toMatchObject({ batchId, status: 'queued', waMessageId: expect.stringMatching(/^3EB0/) });
    expect((await ctx.queue.getJob(sample.id))?.data).toEqual({
      messageId: sample.id,
      sessionId: ctx.sessionId,
      batchId,
    });
    await ctx.queue.drain(true);
  }, 60_000);

  it('items without `type` are text messages', async () => {
    const items = texts(2, 50_000).map(({ to, text }) => ({ to, text }));
    const res = await post(ctx.t, bulkUrl(), { messages: items });
    expect(res.statusCode).toBe(202);
    const counts = await get(ctx.t, res.json().statusUrl);
    expect(counts.json()).toMatchObject({ total: 2, counts: { queued: 2 } });
    const rows = await ctx.t.db.repos.messages.listBySession({ sessionId: ctx.sessionId, limit: 2 });
    expect(rows.items.map((row) => row.payload)).toEqual(
      expect.arrayContaining([
        { type: 'text', text: 'hello 0' },
        { type: 'text', text: 'hello 1' },
      ]),
    );
    await ctx.queue.drain(true);
  });

  it('reports every bad item by index and writes nothing', async () => {
    const queuedBefore = (await ctx.t.db.repos.messages.countByStatus(ctx.sessionId)).queued;
    const messages: unknown[] = texts(50);
    messages[3] = { to: '123', type: 'text', text: 'x' };
    messages[17] = { to: '4915112345678', type: 'location', latitude: 200, longitude: 0 };
    messages[42] = { to: '4915112345678', type: 'reply', text: 'x', quotedMessageId: 'missing' };
    messages[49] = 'not an object';
    const res = await post(ctx.t, bulkUrl(), { messages });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.message).toContain('4 of 50');
    const byIndex = Object.fromEntries(
      body.details.errors.map((e: { index: number; code: string }) => [e.index, e]),
    );
    expect(Object.keys(byIndex).map(Number)).toEqual([3, 17, 42, 49]);
    expect(byIndex[3]).toMatchObject({ code: 'INVALID_RECIPIENT', path: 'to' });
    expect(byIndex[17]).toMatchObject({ code: 'VALIDATION_FAILED', path: 'latitude' });
    expect(byIndex[42]).toMatchObject({ code: 'REFERENCED_MESSAGE_NOT_FOUND', path: 'quotedMessageId' });
    expect(byIndex[49]).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await ctx.t.db.repos.messages.countByStatus(ctx.sessionId)).queued).toBe(queuedBefore);
    expect(await ctx.queue.count()).toBe(0);
  });

  it('more than 10,000 → 413 PAYLOAD_TOO_LARGE; empty or malformed → 400; unknown session → 404', async () => {
    const tooMany = await post(ctx.t, bulkUrl(), { messages: Array.from({ length: 10_001 }, () => ({})) });
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json()).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { max: 10_000, count: 10_001 },
    });
    for (const body of [{ messages: [] }, {}, { messages: 'x' }]) {
      const res = await post(ctx.t, bulkUrl(), body);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    const unknown = await post(ctx.t, '/api/sessions/nope/messages/bulk', { messages: texts(1) });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('batches', () => {
  it('GET /api/batches/:id counts by status; unknown → 404 BATCH_NOT_FOUND', async () => {
    const { batchId } = (await post(ctx.t, bulkUrl(), { messages: texts(5) })).json();
    const rows = (await ctx.t.db.repos.messages.listBySession({ sessionId: ctx.sessionId, limit: 5 })).items;
    await ctx.t.db.repos.messages.updateStatus(rows[0]!.id, 'sent');
    await ctx.t.db.repos.messages.updateStatus(rows[1]!.id, 'failed', 'not on WhatsApp');
    const res = await get(ctx.t, `/api/batches/${batchId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      batchId,
      sessionId: ctx.sessionId,
      total: 5,
      counts: { queued: 3, sent: 1, failed: 1 },
    });
    const missing = await get(ctx.t, '/api/batches/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('BATCH_NOT_FOUND');
    await ctx.queue.drain(true);
  });

  it('cancel removes queued jobs, marks those rows cancelled and leaves taken ones alone', async () => {
    const { batchId } = (await post(ctx.t, bulkUrl(), { messages: texts(20, 100) })).json();
    const rows = (
      await ctx.t.db.repos.messages.listBySession({ sessionId: ctx.sessionId, status: 'queued', limit: 20 })
    ).items;
    // A worker took two: one is `sending`, one already `sent`.
    await ctx.t.db.repos.messages.updateStatus(rows[0]!.id, 'sending');
    await ctx.t.db.repos.messages.updateStatus(rows[1]!.id, 'sent');

    const res = await post(ctx.t, `/api/batches/${batchId}/cancel`, undefined);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      batchId,
      sessionId: ctx.sessionId,
      total: 20,
      cancelled: 18,
      jobsRemoved: 18,
      counts: { cancelled: 18, sending: 1, sent: 1, queued: 0 },
    });
    const left = (await pendingJobs(ctx.queue)).map((j) => j.id).sort();
    expect(left).toEqual([rows[0]!.id, rows[1]!.id].sort());
    expect(await ctx.t.db.repos.messages.getById(rows[5]!.id)).toMatchObject({ status: 'cancelled' });

    const again = await post(ctx.t, `/api/batches/${batchId}/cancel`, undefined);
    expect(again.json()).toMatchObject({ cancelled: 0, jobsRemoved: 0 });
    expect((await post(ctx.t, '/api/batches/nope/cancel', undefined)).statusCode).toBe(404);
    // One message is still being sent: the worker sending it will report the batch complete.
    expect(await completedEvent(batchId)).toBeUndefined();
    await ctx.queue.drain(true);
  });

  it('a cancel that empties the outbox publishes batch.completed (id derived from the batch)', async () => {
    const { batchId } = (await post(ctx.t, bulkUrl(), { messages: texts(5, 200) })).json();
    expect((await post(ctx.t, `/api/batches/${batchId}/cancel`, undefined)).statusCode).toBe(200);
    expect(await completedEvent(batchId)).toMatchObject({
      event: 'batch.completed',
      sessionId: ctx.sessionId,
      data: { batchId, total: 5, counts: { cancelled: 5, queued: 0 } },
    });
    // Written in the cancel's transaction (event outbox), then deleted once published.
    const left = await ctx.t.db.repos.eventOutbox.claimStale(new Date(Date.now() + 60_000), 1, 1000);
    expect(left.filter((e) => e.id === `batch.${batchId}.completed`)).toEqual([]);
  });
});

/** The batch's `batch.completed` on the event stream, if published. */
async function completedEvent(batchId: string) {
  const entries = await ctx.t.redis.xrevrange(redisKeys(ctx.t.prefix).events, '+', '-', 'COUNT', 1000);
  return entries
    .map(([, fields]) => JSON.parse(fields[1] ?? '{}'))
    .find((event) => event.id === `batch.${batchId}.completed`);
}
