import { describe, expect, it } from 'vitest';
import { mediaView, verifyMediaSignature } from './index.js';

const id = 'c'.repeat(64);
const stored = { id, sha256: id, size: 1234, mimetype: 'image/jpeg' };
const links = { secret: 'view-secret', ttlMs: 3600_000 };
const now = new Date('2030-01-01T00:00:00.400Z');

describe('mediaView', () => {
  it('is undefined for messages without media', () => {
    for (const type of ['text', 'reply', 'location', 'contact', 'reaction', 'unknown'])
      expect(mediaView(type, { type, text: 'x', media: stored }, links, now)).toBeUndefined();
  });

  it('a stored file: its description, caption and file name, and a signed link until now + ttl', () => {
    const view = mediaView('document', { media: stored, caption: 'c', fileName: 'a.pdf' }, links, now);
    expect(view).toEqual({
      type: 'document',
      id,
      sha256: id,
      size: 1234,
      mimetype: 'image/jpeg',
      caption: 'c',
      fileName: 'a.pdf',
      url: expect.stringMatching(new RegExp(`^/api/media/${id}\\?expires=\\d+&signature=[\\w-]+$`)),
      urlExpiresAt: '2030-01-01T01:00:00.000Z',
    });
    const query = new URL(view?.url ?? '', 'http://x').searchParams;
    const check = (at: Date) =>
      verifyMediaSignature(
        id,
        { expires: query.get('expires') ?? undefined, signature: query.get('signature') ?? undefined },
        { secret: links.secret, now: at },
      );
    expect(check(now)).toEqual({ ok: true });
    expect(check(new Date('2030-01-01T01:00:00Z'))).toEqual({ ok: false, reason: 'expired' });
  });

  it('PUBLIC_URL makes the link absolute; without link settings there is no link', () => {
    const absolute = mediaView(
      'image',
      { media: stored },
      { ...links, publicUrl: 'https://gw.example' },
      now,
    );
    expect(absolute?.url).toMatch(new RegExp(`^https://gw\\.example/api/media/${id}\\?expires=`));
    const bare = mediaView('image', { media: stored }, undefined, now);
    expect(bare).toEqual({ type: 'image', id, sha256: id, size: 1234, mimetype: 'image/jpeg' });
  });

  it('a URL not fetched yet: the source and the declared type, no id and no link', () => {
    const url = 'https://example.com/a.mp3';
    expect(mediaView('voice', { media: { url }, mimetype: 'audio/mpeg' }, links, now)).toEqual({
      type: 'voice',
      mimetype: 'audio/mpeg',
      sourceUrl: url,
    });
  });

  it('the stored type wins over the declared one; a stored file hides its former source', () => {
    const view = mediaView(
      'image',
      { media: { ...stored, url: 'https://x/a' }, mimetype: 'image/jpg' },
      links,
      now,
    );
    expect(view?.mimetype).toBe('image/jpeg');
    expect(view).not.toHaveProperty('sourceUrl');
  });

  it('inbound: pending while it downloads, error when that failed for good', () => {
    expect(mediaView('video', { media: { pending: true } }, links, now)).toEqual({
      type: 'video',
      pending: true,
    });
    expect(mediaView('sticker', { media: { error: 'gone' } }, links, now)).toEqual({
      type: 'sticker',
      error: 'gone',
    });
  });

  it('tolerates payloads without media and fields of the wrong type', () => {
    expect(mediaView('audio', {}, links, now)).toEqual({ type: 'audio' });
    expect(
      mediaView(
        'image',
        { media: { id, size: '12', sha256: 5, pending: 'yes' }, caption: 7 },
        undefined,
        now,
      ),
    ).toEqual({ type: 'image', id });
  });
});
