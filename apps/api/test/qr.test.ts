import { redisKeys } from '@wagw/queue';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp, testRedis } from './api-test-app.js';

const QR = '2@abcDEF123,xyz456,ghi789==,extra';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let t: TestApp;
let redis: Redis;
let sessionId: string;
beforeAll(async () => {
  t = await createTestApp();
  redis = testRedis();
  const session = await t.db.repos.sessions.create({ name: 'qr', desiredState: 'running' });
  sessionId = session.id;
  await t.db.repos.sessions.transitionStatus(sessionId, { to: 'qr' });
  // What the owning worker does when Baileys emits a QR.
  await redis.set(redisKeys(t.prefix).qr(sessionId), QR, 'PX', 60_000);
});
afterAll(async () => {
  redis.disconnect();
  await t.close();
});

function getQr(query = '', headers: { accept?: string } = {}) {
  return t.app.inject({
    method: 'GET',
    url: `/api/sessions/${sessionId}/qr${query}`,
    headers: { ...AUTH, ...headers },
  });
}

describe('GET /api/sessions/:id/qr', () => {
  it('answers JSON by default with the QR and its remaining lifetime', async () => {
    const res = await getQr();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.qr).toBe(QR);
    expect(body.expiresInMs).toBeGreaterThan(50_000);
    expect(body.expiresInMs).toBeLessThanOrEqual(60_000);
  });

  it.each([
    { via: '?format=png', query: '?format=png', headers: {} },
    { via: 'Accept: image/png', query: '', headers: { accept: 'image/png' } },
  ])('renders a PNG ($via)', async ({ query, headers }) => {
    const res = await getQr(query, headers);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.rawPayload.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it.each([
    { via: '?format=svg', query: '?format=svg', headers: {} },
    { via: 'Accept: image/svg+xml', query: '', headers: { accept: 'image/svg+xml' } },
  ])('renders an SVG ($via)', async ({ query, headers }) => {
    const res = await getQr(query, headers);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(res.body).toContain('<svg');
  });

  it.each([
    { via: '?format=raw', query: '?format=raw', headers: {} },
    { via: 'Accept: text/plain', query: '', headers: { accept: 'text/plain' } },
  ])('returns the raw string ($via)', async ({ query, headers }) => {
    const res = await getQr(query, headers);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe(QR);
  });

  it('the query wins over Accept, and a browser Accept gets JSON', async () => {
    expect((await getQr('?format=raw', { accept: 'image/png' })).body).toBe(QR);
    const browser = await getQr('', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(browser.json().qr).toBe(QR);
  });

  it('an unknown format is 400', async () => {
    const res = await getQr('?format=gif');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });

  it('without a QR: 404 QR_NOT_AVAILABLE naming the current status', async () => {
    const other = await t.db.repos.sessions.create({ name: 'no-qr' });
    const res = await t.app.inject({ method: 'GET', url: `/api/sessions/${other.id}/qr`, headers: AUTH });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('QR_NOT_AVAILABLE');
    expect(res.json().message).toMatch(/status is stopped/);
  });

  it('an unknown session is 404 SESSION_NOT_FOUND', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions/ghost/qr', headers: AUTH });
    expect(res.json().code).toBe('SESSION_NOT_FOUND');
  });
});
