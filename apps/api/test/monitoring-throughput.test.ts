import { hashApiKey, type NewMessage } from '@wagw/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastHourThroughput } from '../src/routes/monitoring/throughput.routes.js';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

let t: TestApp;
let sessionId: string;
const MINUTE = 60_000;
const SESSION_KEY = 'wagw_throughput_key_0123456789abcdef';

let seq = 0;
const inbound = (createdAt: Date): NewMessage => {
  seq += 1;
  return {
    sessionId,
    direction: 'inbound',
    waMessageId: `TP${seq}`,
    remoteJid: '15550001111@s.whatsapp.net',
    type: 'text',
    payload: { text: `m${seq}` },
    createdAt,
  };
};

beforeAll(async () => {
  t = await createTestApp();
  sessionId = (await t.db.repos.sessions.create({ name: 'throughput' })).id;
  await t.db.repos.apiKeys.create({
    name: 'tp',
    keyHash: hashApiKey(SESSION_KEY),
    prefix: SESSION_KEY.slice(0, 13),
    sessionId,
  });
});
afterAll(() => t.close());

describe('GET /api/monitoring/throughput', () => {
  it('answers 60 minutes, oldest first, with this minute’s sends and receipts in the last one', async () => {
    const now = Date.now();
    for (let i = 0; i < 2; i++) {
      const row = await t.db.repos.messages.insert({ ...inbound(new Date()), direction: 'outbound' });
      await t.db.repos.messages.updateStatus(row.id, 'sending');
      await t.db.repos.messages.updateStatus(row.id, 'sent');
    }
    await t.db.repos.messages.insert(inbound(new Date(now)));
    await t.db.repos.messages.insert(inbound(new Date(now - 10 * MINUTE)));
    await t.db.repos.messages.insert(inbound(new Date(now - 61 * MINUTE))); // outside the hour
    const res = await t.app.inject({ method: 'GET', url: '/api/monitoring/throughput', headers: AUTH });
    expect(res.statusCode).toBe(200);
    const { minutes } = res.json() as { minutes: Array<{ at: string; sent: number; received: number }> };
    expect(minutes).toHaveLength(60);
    const starts = minutes.map((m) => Date.parse(m.at));
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(MINUTE);
    // Requests straddling a minute boundary: the last bucket is the current one either way.
    expect(Math.floor(Date.now() / MINUTE) * MINUTE - starts.at(-1)!).toBeLessThanOrEqual(MINUTE);
    const total = minutes.reduce(
      (sum, m) => ({ sent: sum.sent + m.sent, received: sum.received + m.received }),
      {
        sent: 0,
        received: 0,
      },
    );
    expect(total).toEqual({ sent: 2, received: 2 });
  });

  it('is admin only: a session key gets 403 FORBIDDEN', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/monitoring/throughput',
      headers: { 'x-api-key': SESSION_KEY },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });
});

describe('lastHourThroughput', () => {
  it('asks for [now − 59 min, end of this minute) and fills quiet minutes with zeros', async () => {
    const now = Date.parse('2024-05-06T10:30:45.000Z');
    const asked: Array<[Date, Date]> = [];
    const result = await lastHourThroughput({
      now: () => now,
      messages: {
        async countPerMinute(since, until) {
          asked.push([since, until]);
          return [
            { minute: new Date('2024-05-06T09:32:00.000Z'), sent: 4, received: 1 },
            { minute: new Date('2024-05-06T10:30:00.000Z'), sent: 0, received: 7 },
          ];
        },
      },
    });
    expect(asked).toEqual([[new Date('2024-05-06T09:31:00.000Z'), new Date('2024-05-06T10:31:00.000Z')]]);
    expect(result.minutes).toHaveLength(60);
    expect(result.minutes[0]).toEqual({ at: '2024-05-06T09:31:00.000Z', sent: 0, received: 0 });
    expect(result.minutes[1]).toEqual({ at: '2024-05-06T09:32:00.000Z', sent: 4, received: 1 });
    expect(result.minutes[59]).toEqual({ at: '2024-05-06T10:30:00.000Z', sent: 0, received: 7 });
    expect(result.minutes.slice(2, 59).every((m) => m.sent === 0 && m.received === 0)).toBe(true);
  });
});
