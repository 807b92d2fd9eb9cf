import { createTempDir, freePort } from '@wagw/testing';
import S3rver from 's3rver';

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
