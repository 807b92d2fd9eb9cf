import { describe, expect, it } from 'vitest';
import { get, post, useMessagingApp } from './messaging-helpers.js';

const ctx = useMessagingApp('mentions');

const url = () => `/api/sessions/${ctx.sessionId}/messages`;
const bulkUrl = () => `/api/sessions/${ctx.sessionId}/messages/bulk`;
const GROUP = '120363000000000001@g.us';

async function storedPayload(id: string) {
  return (await ctx.t.db.repos.messages.getById(id))?.payload;
}

describe('mentions in sends', () => {
  it('text: phones, PN and LID JIDs become JIDs, each once; the view lists them with their LID', async () => {
    const res = await post(ctx.t, url(), {
      to: '+49 151 1234 5678',
      text: 'hi @4915199999999 and @100200300400500',
      mentions: ['+49 151 9999 9999', '4915199999999@s.whatsapp.net', '100200300400500@lid'],
    });
    expect(res.statusCode).toBe(202);
    expect(await storedPayload(res.json().id)).toEqual({
      type: 'text',
      text: 'hi @4915199999999 and @100200300400500',
      mentions: ['4915199999999@s.whatsapp.net', '100200300400500@lid'],
    });
    const view = await get(ctx.t, `/api/messages/${res.json().id}`);
    expect(view.json().mentions).toEqual([
      { jid: '4915199999999@s.whatsapp.net', lid: null },
      { jid: '100200300400500@lid', lid: '100200300400500@lid' },
    ]);
  });

  // Captions of images, videos and documents carry mentions too: the media e2e sends one through the API
  // (apps/worker/test/mentions.e2e.test.ts); this app has no media store.
  it('to a group and in a reply; a message without mentions has none', async () => {
    const group = await post(ctx.t, url(), {
      to: GROUP,
      text: '@4915112345678 see this',
      mentions: ['4915112345678'],
    });
    expect(group.statusCode).toBe(202);
    const row = await ctx.t.db.repos.messages.getById(group.json().id);
    expect(row).toMatchObject({ remoteJid: GROUP, payload: { mentions: ['4915112345678@s.whatsapp.net'] } });

    const reply = await post(ctx.t, url(), {
      to: GROUP,
      type: 'reply',
      text: 'agreed',
      quotedMessageId: group.json().id,
      mentions: ['4915112345678'],
    });
    expect(reply.statusCode).toBe(202);
    expect(await storedPayload(reply.json().id)).toMatchObject({
      type: 'reply',
      mentions: ['4915112345678@s.whatsapp.net'],
      quoted: { remoteJid: GROUP, fromMe: true },
    });

    const plain = await post(ctx.t, url(), { to: '4915112345678', text: 'nobody' });
    expect(await storedPayload(plain.json().id)).toEqual({ type: 'text', text: 'nobody' });
    expect((await get(ctx.t, `/api/messages/${plain.json().id}`)).json()).not.toHaveProperty('mentions');
  });

  it('takes up to 1,024 mentions (a full group)', async () => {
    const mentions = Array.from({ length: 1024 }, (_, i) => `4915100${String(i).padStart(5, '0')}`);
    const res = await post(ctx.t, url(), { to: GROUP, text: 'everyone', mentions });
    expect(res.statusCode).toBe(202);
    expect((await storedPayload(res.json().id))?.mentions).toHaveLength(1024);
  });

  it.each([
    ['a group', ['4915112345678', GROUP], '/mentions/1'],
    ['text that is no address', ['hello'], '/mentions/0'],
    ['a number without country code', ['0151 1234567'], '/mentions/0'],
    ['a newsletter JID', ['12345678@newsletter'], '/mentions/0'],
    ['an empty list', [], '/mentions'],
    ['a string instead of a list', '4915112345678', '/mentions'],
    [
      '1,025 of them',
      Array.from({ length: 1025 }, (_, i) => `4915100${String(i).padStart(5, '0')}`),
      '/mentions',
    ],
  ])(
    '%s → 400 VALIDATION_FAILED naming the field, nothing stored or enqueued',
    async (_name, mentions, path) => {
      const before = await ctx.queue.count();
      const res = await post(ctx.t, url(), { to: '4915112345678', text: 'x', mentions });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(res.json().details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      expect(await ctx.queue.count()).toBe(before);
    },
  );

  it('says why a mention is invalid', async () => {
    const res = await post(ctx.t, url(), { to: '4915112345678', text: 'x', mentions: [GROUP] });
    expect(res.json().details[0].message).toContain(`invalid mention "${GROUP}"`);
  });

  it('kinds without a caption (audio, voice, sticker), locations and reactions take no mentions', async () => {
    for (const body of [
      { type: 'audio', media: { url: 'https://media.example.com/a.mp3' } },
      { type: 'voice', media: { url: 'https://media.example.com/a.ogg' } },
      { type: 'sticker', media: { url: 'https://media.example.com/a.webp' } },
      { type: 'location', latitude: 1, longitude: 2 },
      { type: 'reaction', messageId: 'x', emoji: '👍' },
    ]) {
      const res = await post(ctx.t, url(), { to: '4915112345678', ...body, mentions: ['4915199999999'] });
      expect(res.statusCode, body.type).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('mentions in bulk sends', () => {
  it('accepts group recipients with mentions, and reports a bad mention by index and path', async () => {
    const ok = await post(ctx.t, bulkUrl(), {
      messages: [
        { to: GROUP, text: 'hi @4915112345678', mentions: ['+49 151 1234 5678'] },
        { to: '4915199999999', text: 'hi @100200300400500', mentions: ['100200300400500@lid'] },
      ],
    });
    expect(ok.statusCode).toBe(202);
    const rows = (await ctx.t.db.repos.messages.listBySession({ sessionId: ctx.sessionId, limit: 1000 }))
      .items;
    const batch = rows.filter((row) => row.batchId === ok.json().batchId);
    expect(batch.map((row) => [row.remoteJid, row.payload.mentions]).sort()).toEqual([
      [GROUP, ['4915112345678@s.whatsapp.net']],
      ['4915199999999@s.whatsapp.net', ['100200300400500@lid']],
    ]);

    const queuedBefore = (await ctx.t.db.repos.messages.countByStatus(ctx.sessionId)).queued;
    const bad = await post(ctx.t, bulkUrl(), {
      messages: [
        { to: GROUP, text: 'fine', mentions: ['4915112345678'] },
        { to: GROUP, text: 'not fine', mentions: ['4915112345678', 'nobody'] },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.errors).toEqual([
      expect.objectContaining({ index: 1, code: 'VALIDATION_FAILED', path: 'mentions.1' }),
    ]);
    expect((await ctx.t.db.repos.messages.countByStatus(ctx.sessionId)).queued).toBe(queuedBefore);
  });
});

describe('mentions in the view of a received message', () => {
  it('shows what the worker stored: by phone number with the LID when the session knew it', async () => {
    const row = await ctx.t.db.repos.messages.insert({
      sessionId: ctx.sessionId,
      direction: 'inbound',
      waMessageId: 'MENTIONS1',
      remoteJid: GROUP,
      type: 'text',
      payload: {
        text: '@4915112345678 @100900',
        from: { jid: '4915199999999@s.whatsapp.net', lid: null, pushName: 'Eve' },
        chatId: GROUP,
        author: '4915199999999@s.whatsapp.net',
        mentions: [
          { jid: '4915112345678@s.whatsapp.net', lid: '100100@lid' },
          { jid: '100900@lid', lid: '100900@lid' },
        ],
      },
    });
    const view = (await get(ctx.t, `/api/messages/${row.id}`)).json();
    expect(view).toMatchObject({
      chatId: GROUP,
      author: '4915199999999@s.whatsapp.net',
      mentions: [
        { jid: '4915112345678@s.whatsapp.net', lid: '100100@lid' },
        { jid: '100900@lid', lid: '100900@lid' },
      ],
    });
  });
});
