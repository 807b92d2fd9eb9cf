/// <reference path="./s3rver-module.d.ts" />
import S3rver from 's3rver';
import { freePort } from './ports.js';
import { createTempDir } from './temp-dir.js';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** What s3rver accepts: it checks signatures against this fixed pair. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

/**
 * An S3-compatible server in this process (s3rver) on a free port of 127.0.0.1, its data in a
 * temp dir, with one empty bucket. `stop()` closes it and removes the data.
 */
export async function startLocalS3(bucket = 'wagw-media'): Promise<LocalS3> {
  const dir = createTempDir('wagw-s3rver-');
  const port = await freePort();
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: dir.path,
    configureBuckets: [{ name: bucket }],
  });
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async stop() {
      await server.close();
      dir.cleanup();
    },
  };
}

/** The MEDIA_* variables that point a gateway process at `s3` (API, worker and scheduler alike). */
export function s3MediaEnv(s3: LocalS3): Record<string, string> {
  return {
    MEDIA_STORE: 's3',
    MEDIA_S3_BUCKET: s3.bucket,
    MEDIA_S3_ENDPOINT: s3.endpoint,
    MEDIA_S3_FORCE_PATH_STYLE: 'true',
    MEDIA_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    MEDIA_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  };
}
