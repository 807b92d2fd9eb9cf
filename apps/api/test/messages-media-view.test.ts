import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';
import { sample } from './media-samples.js';
import { type MediaApp, sha256, startMediaApp } from './media-test-app.js';

// The `media` of GET /api/messages/:id and of listings: a signed link to the stored file that
// GET /api/media/:id accepts without an API key; `payload` stays as it was.
let m: MediaApp;
beforeAll(async () => {
  m = await startMediaApp({ media: { base64MaxBytes: 64 * 1024 } });
});
afterAll(() => m.close());

const to = '4915112345678';
const send = (body: object) =>
  m.app.inject({
    method: 'POST',
    url: `/api/sessions/${m.sessionId}/messages`,
    headers: AUTH,
    payload: body,
  });
const getMessage = async (id: string) =>
  (await m.app.inject({ method: 'GET', url: `/api/messages/${id}`, headers: AUTH })).json();

describe('message views with media', () => {
  it('a stored file: its description and a signed link that opens it without a key', async () => {
    const image = sample('jpeg', 400);
    const sent = await send({
      to,
      type: 'image',
      media: { base64: image.toString('base64') },
      caption: 'look',
    });
    expect(sent.statusCode).toBe(202);
    const started = Date.now();
    const view = await getMessage(sent.json().id);
    expect(view.media).toEqual({
      type: 'image',
      id: sha256(image),
      sha256: sha256(image),
      size: image.length,
      mimetype: 'image/jpeg',
      caption: 'look',
      url: expect.stringMatching(
        new RegExp(`^/api/media/${sha256(image)}\\?expires=\\d+&signature=[\\w-]+$`),
      ),
      urlExpiresAt: expect.any(String),
    });
    // MEDIA_URL_TTL is 1 h in the test app; the link's expiry has whole seconds.
    const expiresIn = Date.parse(view.media.urlExpiresAt) - started;
    expect(expiresIn).toBeGreaterThan(3600_000 - 2000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000 + 1000);
    expect(view.payload).toMatchObject({ type: 'image', media: { id: sha256(image) }, caption: 'look' });

    const opened = await m.app.inject({ method: 'GET', url: view.media.url });
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['content-type']).toBe('image/jpeg');
    expect(opened.rawPayload).toEqual(image);
    const tampered = view.media.url.replace(/signature=(.)/, (_: string, c: string) =>
      c === 'A' ? 'signature=B' : 'signature=A',
    );
    expect((await m.app.inject({ method: 'GET', url: tampered })).statusCode).toBe(403);
  });

  it('a URL not fetched yet shows as sourceUrl, without a link; a text message has no media', async () => {
    const url = 'https://example.com/files/report.pdf';
    const sent = await send({ to, type: 'document', media: { url }, fileName: 'report.pdf' });
    const view = await getMessage(sent.json().id);
    expect(view.media).toEqual({ type: 'document', fileName: 'report.pdf', sourceUrl: url });
    const text = await send({ to, text: 'plain' });
    expect(await getMessage(text.json().id)).not.toHaveProperty('media');
  });

  it('listings carry the same media', async () => {
    const sticker = sample('webp', 401);
    const sent = await send({ to, type: 'sticker', media: { base64: sticker.toString('base64') } });
    const list = await m.app.inject({
      method: 'GET',
      url: `/api/sessions/${m.sessionId}/messages?limit=1000`,
      headers: AUTH,
    });
    const item = list.json().items.find((row: { id: string }) => row.id === sent.json().id);
    expect(item.media).toMatchObject({ type: 'sticker', id: sha256(sticker), mimetype: 'image/webp' });
    expect((await m.app.inject({ method: 'GET', url: item.media.url })).statusCode).toBe(200);
  });
});

describe('an API built without a media store', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('refuses media messages with 503 MEDIA_STORE_UNAVAILABLE and writes nothing; text still works', async () => {
    const session = await t.db.repos.sessions.create({ name: 'no-store' });
    const url = `/api/sessions/${session.id}/messages`;
    for (const media of [{ base64: 'QUJD' }, { url: 'https://example.com/a.jpg' }, { id: 'f'.repeat(64) }]) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: AUTH,
        payload: { to, type: 'image', media },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('MEDIA_STORE_UNAVAILABLE');
    }
    expect((await t.db.repos.messages.countByStatus(session.id)).queued).toBe(0);
    const text = await t.app.inject({ method: 'POST', url, headers: AUTH, payload: { to, text: 'hi' } });
    expect(text.statusCode).toBe(202);
  });
});
