import { createTempDir, type LocalS3, startLocalS3, type TempDir } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsMediaStore, createS3MediaStore, type MediaStore } from '../src/index.js';
import { generatedBytes, hashStream } from './byte-sources.js';

const MiB = 1024 * 1024;
const FILE_BYTES = 100 * MiB;
// Well under the file size: a store that buffered the file whole would grow by 100 MiB or more.
// Measured here: ~30 MiB on the filesystem (the first heavy buffer churn grows V8's heap once; a
// second round trip in the same process grows ~2 MiB) and ~2 MiB on S3, which runs after it.
// The precise figure (peak growth / file size) is the benchmark's job; this guards the design.
const RSS_GROWTH_LIMIT = 64 * MiB;

/** Runs `work` while sampling RSS every 10 ms; returns the peak growth over the RSS at the start. */
async function peakRssGrowth(work: () => Promise<void>): Promise<number> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage.rss()) - start;
}

async function roundTrip(store: MediaStore): Promise<void> {
  const input = generatedBytes(FILE_BYTES);
  const info = await store.put(input.source, { maxBytes: FILE_BYTES });
  expect(info.size).toBe(FILE_BYTES);
  const readBack = await hashStream((await store.get(info.id)).stream);
  expect(readBack).toEqual({ sha256: info.sha256, size: FILE_BYTES });
}

describe('memory: a 100 MiB file streams through without being held', () => {
  let dir: TempDir;
  let s3: LocalS3;
  beforeAll(async () => {
    dir = createTempDir('wagw-media-memory-');
    s3 = await startLocalS3('wagw-media-memory');
  });
  afterAll(async () => {
    await s3?.stop();
    dir?.cleanup();
  });

  it('filesystem store: put and read back', async () => {
    const store = createFsMediaStore({ root: dir.path });
    expect(await peakRssGrowth(() => roundTrip(store))).toBeLessThan(RSS_GROWTH_LIMIT);
  });

  // s3rver runs in this process, so its own buffers count too: the bound holds for both sides.
  it('S3 store: put and read back', async () => {
    const store = createS3MediaStore({
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
      tempDir: dir.path,
    });
    expect(await peakRssGrowth(() => roundTrip(store))).toBeLessThan(RSS_GROWTH_LIMIT);
  });
});
