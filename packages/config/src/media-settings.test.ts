import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './index.js';

// The API's media store variables (MEDIA_*), one test per rule.
const KEY = 'k'.repeat(32);
const S3 = { API_KEY: KEY, MEDIA_STORE: 's3', MEDIA_S3_BUCKET: 'wagw-media' };

const media = (env: Record<string, string> = {}) => loadApiConfig({ API_KEY: KEY, ...env }).media;

describe('MEDIA_STORE', () => {
  it('defaults to the filesystem under ./data/media', () => {
    expect(media().store).toEqual({ kind: 'fs', dir: './data/media' });
  });

  it('MEDIA_DIR moves the filesystem store', () => {
    expect(media({ MEDIA_DIR: '/var/lib/wagw/media' }).store).toEqual({
      kind: 'fs',
      dir: '/var/lib/wagw/media',
    });
  });

  it('rejects anything but fs or s3', () => {
    expect(() => media({ MEDIA_STORE: 'gcs' })).toThrow(/MEDIA_STORE expected one of fs, s3, got "gcs"/);
  });
});

describe('MEDIA_S3_*', () => {
  it('s3 needs a bucket, and the error names it', () => {
    expect(() => loadApiConfig({ API_KEY: KEY, MEDIA_STORE: 's3' })).toThrow(
      'Invalid configuration: MEDIA_S3_BUCKET is required with MEDIA_STORE=s3',
    );
  });

  it('s3 with only a bucket: region us-east-1, AWS endpoint, virtual-host style, the SDK credential chain', () => {
    expect(loadApiConfig(S3).media.store).toEqual({
      kind: 's3',
      bucket: 'wagw-media',
      region: 'us-east-1',
      endpoint: undefined,
      forcePathStyle: false,
      credentials: undefined,
    });
  });

  it('takes region, endpoint, path style and a key pair', () => {
    const store = loadApiConfig({
      ...S3,
      MEDIA_S3_REGION: 'eu-central-1',
      MEDIA_S3_ENDPOINT: 'http://127.0.0.1:9000',
      MEDIA_S3_FORCE_PATH_STYLE: 'true',
      MEDIA_S3_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      MEDIA_S3_SECRET_ACCESS_KEY: 'secret-example',
    }).media.store;
    expect(store).toEqual({
      kind: 's3',
      bucket: 'wagw-media',
      region: 'eu-central-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' },
    });
  });

  it.each([
    [
      { MEDIA_S3_ACCESS_KEY_ID: 'AKIDEXAMPLE' },
      /MEDIA_S3_SECRET_ACCESS_KEY is required with MEDIA_S3_ACCESS_KEY_ID/,
    ],
    [
      { MEDIA_S3_SECRET_ACCESS_KEY: 'secret' },
      /MEDIA_S3_ACCESS_KEY_ID is required with MEDIA_S3_SECRET_ACCESS_KEY/,
    ],
  ])('half a key pair is refused: %j', (pair, message) => {
    expect(() => loadApiConfig({ ...S3, ...pair })).toThrow(message);
  });

  it('refuses an endpoint that is not http(s) or carries credentials', () => {
    expect(() => loadApiConfig({ ...S3, MEDIA_S3_ENDPOINT: 'ftp://store' })).toThrow(
      /MEDIA_S3_ENDPOINT expected an http/,
    );
    expect(() => loadApiConfig({ ...S3, MEDIA_S3_ENDPOINT: 'http://u:p@store' })).toThrow(
      /MEDIA_S3_ENDPOINT must not contain a user name or password/,
    );
  });

  it('refuses a path style that is not a boolean', () => {
    expect(() => loadApiConfig({ ...S3, MEDIA_S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(
      /MEDIA_S3_FORCE_PATH_STYLE expected true or false/,
    );
  });

  it('S3 settings are ignored by the filesystem store', () => {
    expect(media({ MEDIA_S3_ACCESS_KEY_ID: 'AKIDEXAMPLE' }).store.kind).toBe('fs');
  });
});

describe('MEDIA_MAX_BYTES', () => {
  it('defaults to 64 MiB', () => {
    expect(media().maxBytes).toBe(64 * 1024 * 1024);
  });

  it('accepts up to 5 GiB, the S3 single-PUT limit', () => {
    expect(media({ MEDIA_MAX_BYTES: String(5 * 1024 ** 3) }).maxBytes).toBe(5 * 1024 ** 3);
  });

  it.each(['1023', String(5 * 1024 ** 3 + 1), '1e6', 'big'])('rejects %s', (value) => {
    expect(() => media({ MEDIA_MAX_BYTES: value })).toThrow(
      /MEDIA_MAX_BYTES expected an integer from 1024 to/,
    );
  });
});

describe('MEDIA_URL_SECRET', () => {
  it('when set, signs links', () => {
    expect(media({ MEDIA_URL_SECRET: 's'.repeat(32) }).urlSecret).toBe('s'.repeat(32));
  });

  it('must be at least 32 characters', () => {
    expect(() => media({ MEDIA_URL_SECRET: 'short' })).toThrow(
      /MEDIA_URL_SECRET must be at least 32 characters/,
    );
  });

  it('when unset, is derived from API_KEY: the same on every replica, never the key itself', () => {
    const derived = media().urlSecret;
    expect(derived).toBe(media().urlSecret);
    expect(derived).toBe(createHmac('sha256', KEY).update('wagw-media-url-secret:v1').digest('base64url'));
    expect(derived).not.toContain(KEY);
    expect(loadApiConfig({ API_KEY: 'o'.repeat(32) }).media.urlSecret).not.toBe(derived);
  });
});

describe('MEDIA_URL_TTL', () => {
  it('defaults to 24 hours', () => {
    expect(media().urlTtlMs).toBe(24 * 3600_000);
  });

  it.each(['999', String(367 * 24 * 3600_000), 'soon'])('rejects %s', (value) => {
    expect(() => media({ MEDIA_URL_TTL: value })).toThrow(/MEDIA_URL_TTL expected an integer from 1000 to/);
  });
});
