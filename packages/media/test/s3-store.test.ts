import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createTempDir, freePort, type LocalS3, startLocalS3 } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3MediaStore } from '../src/index.js';
import { describeMediaStoreContract } from './contract/media-store.contract.js';

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
      // Copies go as soon as they are released, so the contract can check nothing is left.
      localCopyLingerMs: 0,
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

  it('keeps a released local copy for the next user, then removes it; refuses a damaged object', async () => {
    const spool = createTempDir('wagw-media-spool-');
    try {
      const options = {
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: s3.credentials,
        tempDir: spool.path,
      };
      const store = createS3MediaStore({ ...options, localCopyLingerMs: 300 });
      const info = await store.put(Readable.from([Buffer.from('spooled once')]), { maxBytes: 100 });
      const first = await store.localFile(info.id);
      await first.release();
      expect(existsSync(first.path)).toBe(true);
      const again = await store.localFile(info.id);
      expect(again.path).toBe(first.path);
      expect(await readFile(again.path, 'utf8')).toBe('spooled once');
      await again.release();
      await waitUntil(async () => (await readdir(spool.path)).length === 0, 5000);

      // An object whose bytes do not hash to its key (damaged, or written around the store).
      const forged = 'a'.repeat(64);
      await new S3Client({
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: s3.credentials,
      }).send(
        new PutObjectCommand({
          Bucket: s3.bucket,
          Key: `media/${forged}`,
          Body: 'not what the address says',
          Metadata: { sha256: forged, created: new Date().toISOString() },
        }),
      );
      await expect(store.localFile(forged)).rejects.toThrow(/does not match its address/);
      await waitUntil(async () => (await readdir(spool.path)).length === 0, 5000);
    } finally {
      spool.cleanup();
    }
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

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
