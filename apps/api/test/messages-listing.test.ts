import { waMessageIdFor } from '@wagw/queue';
import { describe, expect, it } from 'vitest';
import { get, post, sessionWithQueue, useMessagingApp } from './messaging-helpers.js';

const ctx = useMessagingApp('reader');
const url = () => `/api/sessions/${ctx.sessionId}/messages`;

describe('GET /api/messages/:id and the session listing', () => {
  it('returns the stored message', async () => {
    const { id } = (
      await post(ctx.t, url(), { to: '4915112345678', type: 'text', text: 'look me up' })
    ).json();
    const res = await get(ctx.t, `/api/messages/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id,
      sessionId: ctx.sessionId,
      direction: 'outbound',
      to: '4915112345678@s.whatsapp.net',
      from: null,
      type: 'text',
      payload: { type: 'text', text: 'look me up' },
      status: 'queued',
      statusReason: null,
      waMessageId: waMessageIdFor(id),
      batchId: null,
      attempts: 0,
      sentAt: null,
      deliveredAt: null,
      readAt: null,
    });
    expect(Date.parse(res.json().createdAt)).not.toBeNaN();
    const missing = await get(ctx.t, '/api/messages/01NOPE');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('MESSAGE_NOT_FOUND');
  });

  it('filters by status and direction, windows by time and pages with nextCursor', async () => {
    const { session, queue: q } = await sessionWithQueue(ctx.t, 'lister');
    await q.close();
    const listUrl = `/api/sessions/${session.id}/messages`;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await post(ctx.t, listUrl, { to: '4915112345678', type: 'text', text: `m${i}` })).json().id);
    }
    await ctx.t.db.repos.messages.updateStatus(ids[0]!, 'sent');
    await ctx.t.db.repos.messages.insert({
      sessionId: session.id,
      direction: 'inbound',
      waMessageId: 'IN-1',
      remoteJid: '4915199999999@s.whatsapp.net',
      type: 'text',
      payload: { type: 'text', text: 'hi' },
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(ctx.t, `${listUrl}?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items.map((m: { id: string }) => m.id));
      cursor = res.json().nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(8);
    expect(seen.slice(1)).toEqual([...ids].reverse());

    const inbound = (await get(ctx.t, `${listUrl}?direction=inbound`)).json();
    expect(inbound.items).toHaveLength(1);
    expect(inbound.items[0]).toMatchObject({
      from: '4915199999999@s.whatsapp.net',
      to: null,
      status: 'received',
    });
    expect(
      (await get(ctx.t, `${listUrl}?status=sent`)).json().items.map((m: { id: string }) => m.id),
    ).toEqual([ids[0]]);
    expect((await get(ctx.t, `${listUrl}?status=queued&direction=outbound`)).json().items).toHaveLength(6);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await get(ctx.t, `${listUrl}?after=${future}`)).json().items).toEqual([]);
    expect((await get(ctx.t, `${listUrl}?before=${future}&limit=1000`)).json().items).toHaveLength(8);

    for (const query of ['status=bogus', 'limit=0', 'limit=1001', 'before=yesterday', 'direction=up']) {
      const res = await get(ctx.t, `${listUrl}?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    expect((await get(ctx.t, '/api/sessions/nope/messages')).statusCode).toBe(404);
  });
});
