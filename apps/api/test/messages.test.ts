import { waMessageIdFor } from '@wagw/queue';
import { describe, expect, it } from 'vitest';
import { pendingJobs, post, sessionWithQueue, useMessagingApp } from './messaging-helpers.js';

const ctx = useMessagingApp('sender');

const url = () => `/api/sessions/${ctx.sessionId}/messages`;

describe('POST /api/sessions/:id/messages', () => {
  it('text: commits the row queued, enqueues send with jobId = message id, answers 202', async () => {
    const res = await post(ctx.t, url(), { to: '+49 151 1234 5678', type: 'text', text: 'hello' });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toEqual({ id: expect.any(String), status: 'queued', statusUrl: `/api/messages/${body.id}` });
    const row = await ctx.t.db.repos.messages.getById(body.id);
    expect(row).toMatchObject({
      sessionId: ctx.sessionId,
      direction: 'outbound',
      status: 'queued',
      remoteJid: '4915112345678@s.whatsapp.net',
      waMessageId: waMessageIdFor(body.id),
      type: 'text',
      payload: { type: 'text', text: 'hello' },
      batchId: null,
    });
    const job = await ctx.queue.getJob(body.id);
    expect(job).toMatchObject({
      id: body.id,
      name: 'send',
      data: { messageId: body.id, sessionId: ctx.sessionId },
    });
    expect(job?.opts.attempts).toBe(5);
  });

  it('text without `type` ({ to, text }) is a text message', async () => {
    const res = await post(ctx.t, url(), { to: '4915112345678', text: 'no type given' });
    expect(res.statusCode).toBe(202);
    const row = await ctx.t.db.repos.messages.getById(res.json().id);
    expect(row).toMatchObject({ type: 'text', payload: { type: 'text', text: 'no type given' } });
    expect(await ctx.queue.getJob(res.json().id)).toMatchObject({ name: 'send' });
  });

  it('reply: resolves the quoted message into its WhatsApp key and text', async () => {
    const original = (
      await post(ctx.t, url(), { to: '4915112345678', type: 'text', text: 'question?' })
    ).json();
    const inbound = await ctx.t.db.repos.messages.insert({
      sessionId: ctx.sessionId,
      direction: 'inbound',
      waMessageId: 'ABCDEF123',
      remoteJid: '4915199999999@s.whatsapp.net',
      type: 'text',
      payload: { type: 'text', text: 'from them' },
    });
    const res = await post(ctx.t, url(), {
      to: '4915112345678',
      type: 'reply',
      text: 'answer',
      quotedMessageId: original.id,
    });
    expect(res.statusCode).toBe(202);
    expect((await ctx.t.db.repos.messages.getById(res.json().id))?.payload).toEqual({
      type: 'reply',
      text: 'answer',
      quoted: {
        id: waMessageIdFor(original.id),
        remoteJid: '4915112345678@s.whatsapp.net',
        fromMe: true,
        text: 'question?',
      },
    });
    const toInbound = await post(ctx.t, url(), {
      to: '4915199999999',
      type: 'reply',
      text: 'ok',
      quotedMessageId: inbound.id,
    });
    expect((await ctx.t.db.repos.messages.getById(toInbound.json().id))?.payload).toMatchObject({
      quoted: { id: 'ABCDEF123', fromMe: false, text: 'from them' },
    });
  });

  it('location, contact (structured → vCard 3.0, or raw vcard) and reaction', async () => {
    const location = await post(ctx.t, url(), {
      to: '4915112345678',
      type: 'location',
      latitude: 52.52,
      longitude: 13.405,
      name: 'Berlin',
    });
    expect((await ctx.t.db.repos.messages.getById(location.json().id))?.payload).toEqual({
      type: 'location',
      latitude: 52.52,
      longitude: 13.405,
      name: 'Berlin',
    });

    const contact = await post(ctx.t, url(), {
      to: '4915112345678',
      type: 'contact',
      contact: { fullName: 'Ada Lovelace', phone: '+44 20 7946 0000', organization: 'Analytical; Engines' },
    });
    expect(contact.statusCode).toBe(202);
    const card = (await ctx.t.db.repos.messages.getById(contact.json().id))?.payload;
    expect(card).toMatchObject({ type: 'contact', displayName: 'Ada Lovelace' });
    expect(String(card?.vcard).split('\n')).toEqual([
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Ada Lovelace',
      'ORG:Analytical\\; Engines',
      'TEL;type=CELL;type=VOICE;waid=442079460000:+44 20 7946 0000',
      'END:VCARD',
    ]);
    const raw = await post(ctx.t, url(), {
      to: '4915112345678',
      type: 'contact',
      vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Grace\nEND:VCARD',
    });
    expect((await ctx.t.db.repos.messages.getById(raw.json().id))?.payload).toMatchObject({
      displayName: 'Grace',
    });

    const target = location.json().id;
    for (const emoji of ['👍', '']) {
      const reaction = await post(ctx.t, url(), {
        to: '4915112345678',
        type: 'reaction',
        messageId: target,
        emoji,
      });
      expect(reaction.statusCode).toBe(202);
      expect((await ctx.t.db.repos.messages.getById(reaction.json().id))?.payload).toEqual({
        type: 'reaction',
        emoji,
        target: { id: waMessageIdFor(target), remoteJid: '4915112345678@s.whatsapp.net', fromMe: true },
      });
    }
  });

  it.each([
    ['unknown type', { to: '4915112345678', type: 'sticker' }],
    ['text without text', { to: '4915112345678', type: 'text' }],
    ['neither type nor text', { to: '4915112345678' }],
    ['no type, empty text', { to: '4915112345678', text: '' }],
    ['no type, a field of another type', { to: '4915112345678', text: 'x', quotedMessageId: 'y' }],
    ['empty text', { to: '4915112345678', type: 'text', text: '' }],
    ['unknown field', { to: '4915112345678', type: 'text', text: 'x', colour: 'red' }],
    ['missing to', { type: 'text', text: 'x' }],
    ['reply without quotedMessageId', { to: '4915112345678', type: 'reply', text: 'x' }],
    ['latitude out of range', { to: '4915112345678', type: 'location', latitude: 91, longitude: 0 }],
    ['longitude not a number', { to: '4915112345678', type: 'location', latitude: 0, longitude: 'east' }],
    ['contact with neither card nor vcard', { to: '4915112345678', type: 'contact' }],
    [
      'contact with both',
      {
        to: '4915112345678',
        type: 'contact',
        vcard: 'x',
        contact: { fullName: 'A', phone: '+4915112345678' },
      },
    ],
    [
      'contact with a bad phone',
      { to: '4915112345678', type: 'contact', contact: { fullName: 'A', phone: 'call me' } },
    ],
    ['reaction without emoji', { to: '4915112345678', type: 'reaction', messageId: 'x' }],
    [
      'reaction emoji too long',
      { to: '4915112345678', type: 'reaction', messageId: 'x', emoji: 'x'.repeat(33) },
    ],
  ])('%s → 400 VALIDATION_FAILED, nothing stored or enqueued', async (_name, body) => {
    const before = await ctx.queue.count();
    const res = await post(ctx.t, url(), body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: expect.any(Array) });
    expect(await ctx.queue.count()).toBe(before);
  });

  it.each(['12345', '0151 1234567', 'someone@g.us', 'abc@s.whatsapp.net', 'hello'])(
    'recipient %s → 400 INVALID_RECIPIENT with the reason',
    async (to) => {
      const res = await post(ctx.t, url(), { to, type: 'text', text: 'x' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_RECIPIENT', details: { path: 'to' } });
      expect(res.json().message).toContain(to);
    },
  );

  it('reply/reaction to a message this session does not have → 400 REFERENCED_MESSAGE_NOT_FOUND', async () => {
    const other = await sessionWithQueue(ctx.t, 'other-session');
    const foreign = (
      await post(ctx.t, `/api/sessions/${other.session.id}/messages`, {
        to: '4915112345678',
        type: 'text',
        text: 'x',
      })
    ).json();
    await other.queue.close();
    for (const body of [
      { to: '4915112345678', type: 'reply', text: 'x', quotedMessageId: 'nope' },
      { to: '4915112345678', type: 'reply', text: 'x', quotedMessageId: foreign.id },
      { to: '4915112345678', type: 'reaction', emoji: '👍', messageId: foreign.id },
    ]) {
      const res = await post(ctx.t, url(), body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'REFERENCED_MESSAGE_NOT_FOUND' });
    }
  });

  it('unknown or deleted session → 404 SESSION_NOT_FOUND', async () => {
    const res = await post(ctx.t, '/api/sessions/01NOSUCHSESSION/messages', {
      to: '4915112345678',
      type: 'text',
      text: 'x',
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'SESSION_NOT_FOUND' });
    const gone = await ctx.t.db.repos.sessions.create({ name: 'gone' });
    await ctx.t.db.repos.sessions.softDelete(gone.id);
    const deleted = await post(ctx.t, `/api/sessions/${gone.id}/messages`, {
      to: '4915112345678',
      type: 'text',
      text: 'x',
    });
    expect(deleted.statusCode).toBe(404);
  });
});

describe('read receipts and presence', () => {
  it('POST messages/read enqueues a read job on the session queue', async () => {
    const keys = [{ remoteJid: '4915199999999@s.whatsapp.net', id: 'ABCDEF123' }];
    const res = await post(ctx.t, `${url()}/read`, { messages: keys });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ jobId: expect.any(String), status: 'queued' });
    const job = await ctx.queue.getJob(res.json().jobId);
    expect(job).toMatchObject({ name: 'read', data: { sessionId: ctx.sessionId, keys } });
  });

  it('POST presence enqueues a presence job with the normalised recipient', async () => {
    const res = await post(ctx.t, `/api/sessions/${ctx.sessionId}/presence`, {
      to: '+4915112345678',
      state: 'composing',
    });
    expect(res.statusCode).toBe(202);
    const job = await ctx.queue.getJob(res.json().jobId);
    expect(job).toMatchObject({
      name: 'presence',
      data: { sessionId: ctx.sessionId, to: '4915112345678@s.whatsapp.net', state: 'composing' },
    });
  });

  it.each([
    ['read: empty list', 'messages/read', { messages: [] }, 'VALIDATION_FAILED'],
    [
      'read: missing id',
      'messages/read',
      { messages: [{ remoteJid: 'x@s.whatsapp.net' }] },
      'VALIDATION_FAILED',
    ],
    ['presence: bad state', 'presence', { to: '4915112345678', state: 'dancing' }, 'VALIDATION_FAILED'],
    ['presence: bad recipient', 'presence', { to: '123', state: 'paused' }, 'INVALID_RECIPIENT'],
  ])('%s → 400 %s', async (_name, path, body, code) => {
    const res = await post(ctx.t, `/api/sessions/${ctx.sessionId}/${path}`, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(code);
  });

  it('unknown session → 404 for read and presence', async () => {
    const read = await post(ctx.t, '/api/sessions/nope/messages/read', {
      messages: [{ remoteJid: 'a@b', id: 'x' }],
    });
    const presence = await post(ctx.t, '/api/sessions/nope/presence', {
      to: '4915112345678',
      state: 'paused',
    });
    expect([read.statusCode, presence.statusCode]).toEqual([404, 404]);
  });
});

describe('every accepted message has its job', () => {
  it('jobs in send.<id> match the queued rows one to one', async () => {
    const jobs = await pendingJobs(ctx.queue);
    const page = await ctx.t.db.repos.messages.listBySession({
      sessionId: ctx.sessionId,
      status: 'queued',
      direction: 'outbound',
      limit: 1000,
    });
    const sendJobs = jobs.filter((j) => j.name === 'send').map((j) => j.id);
    expect(sendJobs.sort()).toEqual(page.items.map((m) => m.id).sort());
  });
});
