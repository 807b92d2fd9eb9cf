import { signMediaUrl } from '@wagw/media';
import { metricsKeys } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH } from './api-test-app.js';
import {
  MAX_BYTES,
  type MediaApp,
  multipart,
  pdf,
  png,
  SECRET,
  SESSION_KEY,
  sha256,
  startMediaApp,
} from './media-test-app.js';

// POST /api/media and GET /api/media/:id on a filesystem store in a temp dir (docs/media.md).
let m: MediaApp;
const upload = (bytes: Buffer, headers: Record<string, string> = AUTH, filename = 'file.bin') => {
  const body = multipart([{ name: 'file', filename, type: 'application/x-anything', data: bytes }]);
  return m.app.inject({
    method: 'POST',
    url: '/api/media',
    headers: { ...headers, ...body.headers },
    payload: body.payload,
  });
};
const download = (url: string, headers: Record<string, string> = AUTH) =>
  m.app.inject({ method: 'GET', url, headers });
async function storedIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of m.store.list()) ids.push(item.id);
  return ids;
}

beforeAll(async () => {
  m = await startMediaApp();
});
afterAll(() => m.close());

describe('POST /api/media', () => {
  it('stores a PNG and a PDF with the type sniffed from the bytes, not the part header', async () => {
    for (const [bytes, mimetype] of [
      [png(), 'image/png'],
      [pdf, 'application/pdf'],
    ] as const) {
      const res = await upload(bytes);
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        id: sha256(bytes),
        sha256: sha256(bytes),
        size: bytes.length,
        mimetype,
      });
    }
    // Counted on the app's own connection, so the count's MULTI is ahead of this read.
    expect(await m.redis.hgetall(metricsKeys(m.prefix).media)).toEqual({
      'stored:count': '2',
      'stored:bytes': String(png().length + pdf.length),
    });
  });

  it('refuses a file over MEDIA_MAX_BYTES with 413 while it streams, and keeps nothing', async () => {
    const before = await storedIds();
    const res = await upload(Buffer.alloc(MAX_BYTES + 5000, 1));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { maxBytes: MAX_BYTES } });
    expect(await storedIds()).toEqual(before);
  });

  it('refuses a declared length far over the limit before reading the body', async () => {
    const res = await upload(Buffer.alloc(1024 * 1024, 2));
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('stops reading a chunked upload (no Content-Length) soon after the limit', async () => {
    const address = await m.app.listen({ port: 0, host: '127.0.0.1' });
    let sent = 0;
    const chunk = Buffer.alloc(4096, 9);
    const head = multipart([{ name: 'file', filename: 'big.bin', data: '' }]);
    const prefix = head.payload.subarray(0, head.payload.indexOf('\r\n--', 10));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(prefix);
      },
      pull(controller) {
        // 64 MiB on offer; a server that read it all would take it all.
        if (sent >= 64 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${address}/api/media`, {
      method: 'POST',
      headers: { ...AUTH, ...head.headers },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    // The connection is closed with the answer: nothing more is read, however much the client offers.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent).toBeLessThan(4 * 1024 * 1024);
  });

  it('accepts exactly MEDIA_MAX_BYTES', async () => {
    expect((await upload(Buffer.alloc(MAX_BYTES, 3))).statusCode).toBe(201);
  });

  it('answers 400 MEDIA_FILE_MISSING without a file part, 415 for a JSON body, 400 for a broken multipart', async () => {
    const fieldsOnly = multipart([{ name: 'caption', data: 'no file here' }]);
    const noFile = await m.app.inject({
      method: 'POST',
      url: '/api/media',
      headers: { ...AUTH, ...fieldsOnly.headers },
      payload: fieldsOnly.payload,
    });
    expect([noFile.statusCode, noFile.json().code]).toEqual([400, 'MEDIA_FILE_MISSING']);
    const json = await m.app.inject({
      method: 'POST',
      url: '/api/media',
      headers: AUTH,
      payload: { file: 'x' },
    });
    expect([json.statusCode, json.json().code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const text = await m.app.inject({
      method: 'POST',
      url: '/api/media',
      headers: { ...AUTH, 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect([text.statusCode, text.json().code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const noBoundary = await m.app.inject({
      method: 'POST',
      url: '/api/media',
      headers: { ...AUTH, 'content-type': 'multipart/form-data' },
      payload: 'x',
    });
    expect([noBoundary.statusCode, noBoundary.json().code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('needs a key (401) and accepts a per-session key', async () => {
    expect((await upload(pdf, {})).statusCode).toBe(401);
    expect((await upload(pdf, { 'x-api-key': SESSION_KEY })).statusCode).toBe(201);
  });
});

describe('GET /api/media/:id', () => {
  let id: string;
  const bytes = png();
  beforeAll(async () => {
    id = (await upload(bytes)).json().id;
  });

  it('streams the whole file with type, length, ETag and Accept-Ranges', async () => {
    const res = await download(`/api/media/${id}`);
    expect(res.statusCode).toBe(200);
    expect(sha256(res.rawPayload)).toBe(sha256(bytes));
    expect(res.headers).toMatchObject({
      'content-type': 'image/png',
      'content-length': String(bytes.length),
      etag: `"${sha256(bytes)}"`,
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
    });
  });

  it('answers Range: bytes=0-99 with 206 and the first 100 bytes', async () => {
    const res = await download(`/api/media/${id}`, { ...AUTH, range: 'bytes=0-99' });
    expect(res.statusCode).toBe(206);
    expect(res.rawPayload).toEqual(bytes.subarray(0, 100));
    expect(res.headers['content-range']).toBe(`bytes 0-99/${bytes.length}`);
    expect(res.headers['content-length']).toBe('100');
  });

  it('serves open and suffix ranges; several ranges, other units and If-Range mismatches get it all', async () => {
    const open = await download(`/api/media/${id}`, { ...AUTH, range: 'bytes=100-' });
    expect([open.statusCode, open.rawPayload]).toEqual([206, bytes.subarray(100)]);
    const suffix = await download(`/api/media/${id}`, { ...AUTH, range: 'bytes=-10' });
    expect([suffix.statusCode, suffix.rawPayload]).toEqual([206, bytes.subarray(-10)]);
    for (const headers of <Array<Record<string, string>>>[
      { range: 'bytes=0-1,5-9' },
      { range: 'items=0-1' },
      { range: 'bytes=0-1', 'if-range': '"x"' },
    ]) {
      const res = await download(`/api/media/${id}`, { ...AUTH, ...headers });
      expect([res.statusCode, res.rawPayload.length]).toEqual([200, bytes.length]);
    }
  });

  it('answers 416 with Content-Range bytes */size for a range past the end', async () => {
    for (const range of [`bytes=${bytes.length}-`, 'bytes=-0']) {
      const res = await download(`/api/media/${id}`, { ...AUTH, range });
      expect(res.statusCode).toBe(416);
      expect(res.json().code).toBe('MEDIA_RANGE_NOT_SATISFIABLE');
      expect(res.headers['content-range']).toBe(`bytes */${bytes.length}`);
    }
  });

  it('answers If-None-Match with the ETag by 304 and no body', async () => {
    const etag = `"${sha256(bytes)}"`;
    const res = await download(`/api/media/${id}`, { ...AUTH, 'if-none-match': `"other", ${etag}` });
    expect([res.statusCode, res.rawPayload.length, res.headers.etag]).toEqual([304, 0, etag]);
  });

  it('answers 404 MEDIA_NOT_FOUND for an unknown or malformed id', async () => {
    for (const unknown of ['0'.repeat(64), 'not-an-id', '..%2F..%2Fetc%2Fpasswd']) {
      const res = await download(`/api/media/${unknown}`);
      expect([res.statusCode, res.json().code]).toEqual([404, 'MEDIA_NOT_FOUND']);
    }
  });

  it('opens with a signed link and no key: the upload answer’s own, or one signed later', async () => {
    const uploaded = (await upload(bytes)).json();
    expect(new Date(uploaded.urlExpiresAt).getTime()).toBeGreaterThan(Date.now());
    const own = await download(uploaded.url, {});
    expect([own.statusCode, sha256(own.rawPayload)]).toEqual([200, sha256(bytes)]);
    const link = signMediaUrl(id, { secret: SECRET, expiresAt: new Date(Date.now() + 60_000) });
    const ranged = await download(`/api/media/${id}?${link.query}`, { range: 'bytes=0-99' });
    expect([ranged.statusCode, ranged.rawPayload.length]).toEqual([206, 100]);
  });

  it('refuses an expired, tampered or foreign link with 403 MEDIA_LINK_INVALID', async () => {
    const expired = signMediaUrl(id, { secret: SECRET, expiresAt: new Date(Date.now() - 1000) });
    const valid = signMediaUrl(id, { secret: SECRET, expiresAt: new Date(Date.now() + 60_000) });
    const flipped = `${valid.signature.startsWith('A') ? 'B' : 'A'}${valid.signature.slice(1)}`;
    const other = signMediaUrl(sha256(pdf), { secret: SECRET, expiresAt: new Date(Date.now() + 60_000) });
    const wrongSecret = signMediaUrl(id, {
      secret: 'another-secret-0123456789abcdef',
      expiresAt: new Date(Date.now() + 60_000),
    });
    for (const query of [
      expired.query,
      `expires=${valid.expires}&signature=${flipped}`,
      `expires=${valid.expires + 1}&signature=${valid.signature}`,
      other.query,
      wrongSecret.query,
      `signature=${valid.signature}`,
    ]) {
      const res = await download(`/api/media/${id}?${query}`, {});
      expect([res.statusCode, res.json().code], query).toEqual([403, 'MEDIA_LINK_INVALID']);
    }
  });

  it('without a key or a link is 401; a link opens only the media route', async () => {
    expect((await download(`/api/media/${id}`, {})).statusCode).toBe(401);
    const link = signMediaUrl(id, { secret: SECRET, expiresAt: new Date(Date.now() + 60_000) });
    expect((await download(`/api/sessions?${link.query}`, {})).statusCode).toBe(401);
  });

  it('answers HEAD with the headers only', async () => {
    const res = await m.app.inject({ method: 'HEAD', url: `/api/media/${id}`, headers: AUTH });
    expect([res.statusCode, res.headers['content-length'], res.rawPayload.length]).toEqual([
      200,
      String(bytes.length),
      0,
    ]);
  });

  it('is readable with a per-session key (media belongs to no session)', async () => {
    expect((await download(`/api/media/${id}`, { 'x-api-key': SESSION_KEY })).statusCode).toBe(200);
  });
});

describe('health of the media store', () => {
  it('reports the store in /api/health', async () => {
    const res = await m.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.json().checks.media).toMatchObject({ ok: true, backend: 'fs' });
    expect(res.json().reasons).not.toContain('media store unavailable');
  });

  it('a hanging store degrades health within the check budget, never hangs it', async () => {
    const hung = await startMediaApp({
      wrapStore: (store) => ({ ...store, health: () => new Promise(() => {}) }),
    });
    try {
      const started = Date.now();
      const res = await hung.app.inject({ method: 'GET', url: '/api/health' });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.json().checks.media).toMatchObject({ ok: false, error: expect.stringMatching(/timed out/) });
      expect(res.json().status).toBe('degraded');
      expect(res.json().reasons).toContain('media store unavailable');
    } finally {
      await hung.close();
    }
  });
});
