import { hashApiKey } from '@wagw/db';
import {
  createConsumerConnection,
  redisKeys,
  SessionRpcError,
  startSessionRpcServer,
  writeContactChecks,
} from '@wagw/queue';
import { redisUrl } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

let t: TestApp;
let own: string;
let other: string;
const KEY = 'contacts-session-key-0123456789';

beforeAll(async () => {
  t = await createTestApp();
  own = (await t.db.repos.sessions.create({ name: 'contacts-own' })).id;
  other = (await t.db.repos.sessions.create({ name: 'contacts-other' })).id;
  await t.db.repos.apiKeys.create({
    name: 'own',
    keyHash: hashApiKey(KEY),
    prefix: KEY.slice(0, 8),
    sessionId: own,
  });
});
afterAll(() => t.close());

const check = (sessionId: string, numbers: string[], headers: Record<string, string> = AUTH) =>
  t.app.inject({
    method: 'POST',
    url: `/api/sessions/${sessionId}/contacts/check`,
    headers,
    payload: { numbers },
  });

describe('contacts routes without a worker', () => {
  it('answers cached numbers without the session socket, and 409 SESSION_NOT_OPEN for the rest', async () => {
    await writeContactChecks(
      t.redis,
      t.prefix,
      own,
      [
        { phone: '15550001111', exists: true, jid: '15550001111@s.whatsapp.net', lid: '4242@lid' },
        { phone: '15550002222', exists: false, jid: null, lid: null },
      ],
      60_000,
    );
    const cached = await check(own, ['+1 555 000 1111', '15550002222@s.whatsapp.net']);
    expect(cached.statusCode).toBe(200);
    expect(cached.json()).toEqual({
      results: [
        { number: '+1 555 000 1111', exists: true, jid: '15550001111@s.whatsapp.net', lid: '4242@lid' },
        { number: '15550002222@s.whatsapp.net', exists: false, jid: null, lid: null },
      ],
    });
    const uncached = await check(own, ['15550001111', '15550003333']);
    expect(uncached.statusCode).toBe(409);
    expect(uncached.json().code).toBe('SESSION_NOT_OPEN');
  });

  it('answers a LID from the stored mapping, with its phone-number JID', async () => {
    await t.db.repos.contacts.recordLidMappings(own, [
      { pn: '15550004444@s.whatsapp.net', lid: '123456789012345@lid' },
    ]);
    const res = await check(own, ['123456789012345@lid']);
    expect(res.json()).toEqual({
      results: [
        {
          number: '123456789012345@lid',
          exists: true,
          jid: '15550004444@s.whatsapp.net',
          lid: '123456789012345@lid',
        },
      ],
    });
  });

  it('lets a session key check and list its own session only', async () => {
    const headers = { 'x-api-key': KEY };
    expect((await check(own, ['15550001111'], headers)).statusCode).toBe(200);
    expect((await check(other, ['15550001111'], headers)).statusCode).toBe(403);
    const list = await t.app.inject({ method: 'GET', url: `/api/sessions/${own}/contacts`, headers });
    expect(list.json().items).toEqual([
      expect.objectContaining({
        id: '15550004444@s.whatsapp.net',
        jid: '15550004444@s.whatsapp.net',
        lid: '123456789012345@lid',
      }),
    ]);
    const theirs = await t.app.inject({ method: 'GET', url: `/api/sessions/${other}/contacts`, headers });
    expect(theirs.statusCode).toBe(403);
  });

  it("answers a worker's failures with their codes: 429 + Retry-After, 502, and 500 without details", async () => {
    await t.redis.set(redisKeys(t.prefix).lease(other), 'w-api-test|1', 'PX', 60_000);
    const worker = startSessionRpcServer<string>({
      connection: createConsumerConnection(redisUrl()),
      redis: t.redis,
      prefix: t.prefix,
      workerId: 'w-api-test',
      logger: { warn: () => {}, debug: () => {} },
      resolveSession: (id) => id,
      handlers: {
        'contacts.check': async () => {
          throw new SessionRpcError('RATE_LIMITED', 'slow down', 120);
        },
        'contacts.picture': async ({ jid }) => {
          if (jid.startsWith('1555')) throw new SessionRpcError('WHATSAPP_QUERY_FAILED', 'no answer');
          throw new Error('secret internals');
        },
      },
    });
    try {
      const limited = await check(other, ['15550005555']);
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('120');
      const picture = (id: string) =>
        t.app.inject({ method: 'GET', url: `/api/sessions/${other}/contacts/${id}/picture`, headers: AUTH });
      const failed = await picture('15550005555');
      expect([failed.statusCode, failed.json().code]).toEqual([502, 'WHATSAPP_QUERY_FAILED']);
      const broken = await picture('4915112345678');
      expect([broken.statusCode, broken.json().code]).toEqual([500, 'INTERNAL_ERROR']);
      expect(broken.body).not.toContain('secret internals');
    } finally {
      await worker.close();
    }
  });
});
