import { hashApiKey, type NewMessage } from '@wagw/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

let t: TestApp;
let own: { id: string; headers: Record<string, string> };
let otherId: string;
const HOUR = 3_600_000;

let seq = 0;
const message = (sessionId: string, direction: NewMessage['direction'], createdAt?: Date): NewMessage => {
  seq += 1;
  return {
    sessionId,
    direction,
    waMessageId: `STATS${seq}`,
    remoteJid: '15550001111@s.whatsapp.net',
    type: 'text',
    payload: { text: `m${seq}` },
    ...(createdAt ? { createdAt } : {}),
  };
};

async function sent(sessionId: string, count: number) {
  for (let i = 0; i < count; i++) {
    const row = await t.db.repos.messages.insert(message(sessionId, 'outbound'));
    await t.db.repos.messages.updateStatus(row.id, 'sending');
    await t.db.repos.messages.updateStatus(row.id, 'sent');
  }
}

beforeAll(async () => {
  t = await createTestApp();
  const session = await t.db.repos.sessions.create({ name: 'stats-own' });
  const key = 'wagw_stats_own_key_0123456789abcdef';
  await t.db.repos.apiKeys.create({
    name: 'stats',
    keyHash: hashApiKey(key),
    prefix: key.slice(0, 13),
    sessionId: session.id,
  });
  own = { id: session.id, headers: { 'x-api-key': key } };
  otherId = (await t.db.repos.sessions.create({ name: 'stats-other' })).id;
  const now = Date.now();
  await sent(own.id, 3);
  await t.db.repos.messages.insert(message(own.id, 'outbound')); // queued: not sent
  await t.db.repos.messages.insert(message(own.id, 'inbound', new Date(now - 2 * HOUR)));
  await t.db.repos.messages.insert(message(own.id, 'inbound', new Date(now - 23 * HOUR)));
  await t.db.repos.messages.insert(message(own.id, 'inbound', new Date(now - 25 * HOUR))); // too old
  await sent(otherId, 1);
});
afterAll(() => t.close());

describe('GET /api/sessions/:id/stats', () => {
  it("counts the session's messages sent and received in the last 24 hours", async () => {
    const before = Date.now();
    const res = await t.app.inject({ method: 'GET', url: `/api/sessions/${own.id}/stats`, headers: AUTH });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ sent24h: 3, received24h: 2 });
    expect(Math.abs(Date.parse(body.since) - (before - 24 * HOUR))).toBeLessThan(5000);
    const other = await t.app.inject({ method: 'GET', url: `/api/sessions/${otherId}/stats`, headers: AUTH });
    expect(other.json()).toMatchObject({ sent24h: 1, received24h: 0 });
  });

  it('a session key reads its own session only; 404 SESSION_NOT_FOUND for an unknown one', async () => {
    const mine = await t.app.inject({
      method: 'GET',
      url: `/api/sessions/${own.id}/stats`,
      headers: own.headers,
    });
    expect(mine.json()).toMatchObject({ sent24h: 3, received24h: 2 });
    const theirs = await t.app.inject({
      method: 'GET',
      url: `/api/sessions/${otherId}/stats`,
      headers: own.headers,
    });
    expect(theirs.statusCode).toBe(403);
    expect(theirs.json().code).toBe('FORBIDDEN');
    const unknown = await t.app.inject({ method: 'GET', url: '/api/sessions/nope/stats', headers: AUTH });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('SESSION_NOT_FOUND');
  });
});
