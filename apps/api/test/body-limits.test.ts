import { connect } from 'node:net';
import { loadApiConfig } from '@wagw/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, TEST_API_KEY, type TestApp } from './api-test-app.js';
import { type MediaApp, startMediaApp } from './media-test-app.js';

// Issue #18: one 16 MiB body limit on every route let 24 concurrent bodies freeze the API. Now a
// small default (BODY_LIMIT) and larger limits only on the routes that carry files or many messages.
const MiB = 1024 * 1024;
const defaults = loadApiConfig({ API_KEY: TEST_API_KEY });

/** Sends only the head of a request that declares `length` bytes and returns the raw answer. */
function declareOnly(address: string, path: string, length: number): Promise<string> {
  const { hostname, port } = new URL(address);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => {
      answer += String(chunk);
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    // Waiting for the rest of the body would be the bug: give up rather than hang.
    socket.setTimeout(5000, () => socket.destroy());
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: x\r\nX-Api-Key: ${TEST_API_KEY}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n{"url":`,
    );
  });
}

describe('the default body limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      config: { bodyLimit: defaults.bodyLimit, bulkBodyLimit: defaults.bulkBodyLimit },
    });
  });
  afterAll(() => t.close());

  it('refuses a 2 MiB body to POST /api/webhooks with 413 PAYLOAD_TOO_LARGE in the envelope', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers: AUTH,
      payload: { url: `https://example.com/${'x'.repeat(2 * MiB)}` },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.any(String),
      requestId: res.headers['x-request-id'],
    });
  });

  it('answers from Content-Length alone, before the body arrives', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    // 7 bytes of a declared 2 MiB: the answer comes without waiting for the rest.
    const answer = await declareOnly(address, '/api/webhooks', 2 * MiB);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/"code":"PAYLOAD_TOO_LARGE"/);
  });

  it('lets a bulk send be larger (BULK_BODY_LIMIT)', async () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      to: '4915112345678',
      text: `hello ${i} ${'x'.repeat(150)}`,
    }));
    const payload = JSON.stringify({ messages });
    expect(payload.length).toBeGreaterThan(defaults.bodyLimit);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/sessions/no-such-session/messages/bulk',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload,
    });
    // Read and parsed: refused for what it says (no such session), not for its size.
    expect(res.json()).toMatchObject({ statusCode: 404, code: 'SESSION_NOT_FOUND' });
  });
});

describe('the body limit of a send', () => {
  let m: MediaApp;
  beforeAll(async () => {
    // BODY_LIMIT 1 MiB (startMediaApp), inline files up to 3 MiB.
    m = await startMediaApp({ media: { base64MaxBytes: 3 * MiB, maxBytes: 4 * MiB } });
  });
  afterAll(() => m.close());

  it('accepts an inline file within MEDIA_BASE64_MAX_BYTES though its body is over BODY_LIMIT', async () => {
    const bytes = Buffer.alloc(3 * MiB - 1024, 'a');
    const res = await m.app.inject({
      method: 'POST',
      url: `/api/sessions/${m.sessionId}/messages`,
      headers: AUTH,
      payload: {
        to: '4915112345678',
        type: 'document',
        media: { base64: bytes.toString('base64') },
        mimetype: 'text/plain',
      },
    });
    expect(res.statusCode).toBe(202);
  });

  it('refuses a send body past its own cap with 413 before reading it', async () => {
    const res = await m.app.inject({
      method: 'POST',
      url: `/api/sessions/${m.sessionId}/messages`,
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: JSON.stringify({ to: '4915112345678', text: 'x'.repeat(6 * MiB) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
  });
});
