import { readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createTempDir, freePort } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3MediaStore } from '../src/index.js';
import { describeMediaStoreContract } from './contract/media-store.contract.js';
import { type LocalS3, startLocalS3 } from './local-s3.js';

describeMediaStoreContract('S3 (s3rver)', async () => {
  const s3 = await startLocalS3();
  const spool = createTempDir('wagw-media-spool-');
  return {
    store: createS3MediaStore({
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
      tempDir: spool.path,
    }),
    spoolLeftovers: () => readdir(spool.path),
    async cleanup() {
      await s3.stop();
      spool.cleanup();
    },
  };
});

describe('S3 media store', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3('wagw-media-extra');
  });
  afterAll(async () => {
    await s3.stop();
  });

  it('keeps objects under the key prefix with the type and hash as object metadata', async () => {
    const store = createS3MediaStore({
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
      prefix: 'tenant-a/',
    });
    const other = createS3MediaStore({
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
      prefix: 'tenant-b/',
    });
    const info = await store.put(Readable.from([Buffer.from('prefixed')]), {
      maxBytes: 100,
      mimetype: 'text/plain',
    });
    expect(await store.stat(info.id)).toEqual(info);
    await expect(other.stat(info.id)).rejects.toMatchObject({ code: 'MEDIA_NOT_FOUND' });
  });

  it('reports a missing bucket and an unreachable endpoint as unhealthy, within its timeout', async () => {
    const missing = createS3MediaStore({
      bucket: 'no-such-bucket',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    expect(await missing.health()).toMatchObject({ ok: false, backend: 's3' });

    const closedPort = await freePort();
    const unreachable = createS3MediaStore({
      bucket: s3.bucket,
      endpoint: `http://127.0.0.1:${closedPort}`,
      forcePathStyle: true,
      credentials: s3.credentials,
      healthTimeoutMs: 500,
    });
    const started = Date.now();
    expect(await unreachable.health()).toMatchObject({ ok: false, backend: 's3' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
