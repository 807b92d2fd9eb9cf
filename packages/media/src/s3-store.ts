import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { withTimeout } from '@wagw/resilience';
import { resolveRange } from './byte-range.js';
import { errorMessage, MediaNotFoundError, unlessMissing } from './errors.js';
import { createLocalCopies } from './local-copies.js';
import { assertMediaId, etagFor, mediaIdFor } from './media-id.js';
import { FALLBACK_MIMETYPE } from './sniff.js';
import { spoolToFile } from './spool.js';
import type { ByteRange, GetResult, ListedMedia, MediaInfo, MediaStore } from './store-types.js';

export interface S3MediaStoreOptions {
  bucket: string;
  /** Default: `us-east-1` (what most S3-compatible servers accept when they ignore regions). */
  region?: string;
  /** For S3-compatible stores (MinIO, Ceph, R2, …), e.g. `http://127.0.0.1:9000`. Default: AWS S3. */
  endpoint?: string;
  /** `bucket` in the path rather than the host name; most self-hosted stores need it. Default: false. */
  forcePathStyle?: boolean;
  /** Default: the SDK's provider chain (AWS_* environment variables, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Prefix of every object key. Default: `media/`. */
  prefix?: string;
  /** Where uploads are spooled while they are hashed. Default: `os.tmpdir()`. */
  tempDir?: string;
  /** Upper bound of `health()`, in ms. Default: 2000. */
  healthTimeoutMs?: number;
  /**
   * How long a local copy (`localFile`) nobody holds is kept for the next user, in ms. Default:
   * 60000, so the sends of a bulk, a few seconds apart, download a file once, not once each.
   */
  localCopyLingerMs?: number;
  /** Bound on establishing a connection, in ms. Default: 5000. */
  connectTimeoutMs?: number;
  /** Bound on a request's socket being idle, in ms. Default: 30000. */
  requestTimeoutMs?: number;
}

type S3Sdk = typeof import('@aws-sdk/client-s3');

// Loaded on a store's first call, not with the module: the SDK takes ~110-150 ms of CPU to load,
// which every API, worker and scheduler start paid before, on the filesystem store too (the default).
let sdkLoad: Promise<S3Sdk> | undefined;
const loadSdk = (): Promise<S3Sdk> => {
  sdkLoad ??= import('@aws-sdk/client-s3');
  return sdkLoad;
};

/** S3's limit for one PUT; larger objects would need a multipart upload (see README). */
const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/**
 * Media in an S3-compatible bucket under `<prefix><id>`, the metadata (SHA-256, first-stored time)
 * in the object's user metadata and the type as its Content-Type.
 *
 * Atomicity: the input is spooled to a local temp file while it is hashed, and uploaded under its
 * final key only then, in one PUT of known length. S3 makes a PUT visible whole or not at all, so
 * an interrupted upload leaves nothing; the SHA-256 goes along as `x-amz-checksum-sha256` so a
 * store that checks it refuses bytes damaged in transit.
 */
export function createS3MediaStore(options: S3MediaStoreOptions): MediaStore {
  const { bucket } = options;
  const prefix = options.prefix ?? 'media/';
  const tempDir = options.tempDir ?? tmpdir();
  const healthTimeoutMs = options.healthTimeoutMs ?? 2000;
  let connected: Promise<{ sdk: S3Sdk; client: S3Client }> | undefined;
  const s3 = () => {
    connected ??= loadSdk().then((sdk) => ({ sdk, client: newClient(sdk) }));
    return connected;
  };
  const newClient = (sdk: S3Sdk) =>
    new sdk.S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Since early 2025 the SDK adds CRC32 trailers (aws-chunked encoding) to every upload by
      // default, which many S3-compatible servers refuse; we send our own SHA-256 instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: options.connectTimeoutMs ?? 5000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
      },
    });

  const keyOf = (id: string) => `${prefix}${id}`;
  // Named per store instance: processes sharing a temp dir never remove each other's copies.
  const localCopies = createLocalCopies({
    dir: join(tempDir, `wagw-media-copies-${randomUUID()}`),
    lingerMs: options.localCopyLingerMs ?? 60_000,
  });

  async function stat(id: string): Promise<MediaInfo> {
    assertMediaId(id);
    try {
      const { sdk, client } = await s3();
      const head = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: keyOf(id) }));
      const created = head.Metadata?.created;
      return {
        id,
        sha256: head.Metadata?.sha256 ?? id,
        size: head.ContentLength ?? 0,
        mimetype: head.ContentType ?? FALLBACK_MIMETYPE,
        createdAt: created ? new Date(created) : (head.LastModified ?? new Date(0)),
      };
    } catch (err) {
      if (isNotFound(err)) throw new MediaNotFoundError(id);
      throw err;
    }
  }

  const existing = (id: string): Promise<MediaInfo | undefined> => unlessMissing(stat(id));

  async function get(id: string, getOptions: { range?: ByteRange } = {}): Promise<GetResult> {
    const info = await stat(id);
    const range = getOptions.range ? resolveRange(getOptions.range, info.size) : undefined;
    try {
      const { sdk, client } = await s3();
      const object = await client.send(
        new sdk.GetObjectCommand({
          Bucket: bucket,
          Key: keyOf(id),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      // In Node the body is an http.IncomingMessage: a Readable that streams from the socket.
      const stream = object.Body as Readable;
      return { ...info, stream, etag: etagFor(info.sha256), ...(range ? { range } : {}) };
    } catch (err) {
      if (isNotFound(err)) throw new MediaNotFoundError(id);
      throw err;
    }
  }

  return {
    async put(source, putOptions) {
      if (putOptions.maxBytes > MAX_SINGLE_PUT_BYTES) {
        throw new RangeError(
          `maxBytes above ${MAX_SINGLE_PUT_BYTES} needs a multipart upload, which this store does not do`,
        );
      }
      const temp = join(tempDir, `wagw-media-${randomUUID()}`);
      try {
        const spooled = await spoolToFile(source, temp, putOptions);
        const id = mediaIdFor(spooled.sha256);
        const stored = await existing(id);
        if (stored) return stored;
        const info: MediaInfo = { id, ...spooled, createdAt: new Date() };
        const { sdk, client } = await s3();
        await client.send(
          new sdk.PutObjectCommand({
            Bucket: bucket,
            Key: keyOf(id),
            Body: createReadStream(temp),
            ContentLength: info.size,
            ContentType: info.mimetype,
            ChecksumSHA256: Buffer.from(info.sha256, 'hex').toString('base64'),
            Metadata: { sha256: info.sha256, created: info.createdAt.toISOString() },
          }),
        );
        return info;
      } finally {
        await rm(temp, { force: true });
      }
    },

    get,

    stat,

    async localFile(id) {
      const info = await stat(id);
      return localCopies.acquire(info, async () => (await get(id)).stream);
    },

    async delete(id) {
      // S3 answers a delete of a missing key with success, so ask first to tell the caller.
      if (!(await existing(id))) return false;
      const { sdk, client } = await s3();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: keyOf(id) }));
      return true;
    },

    async *list(listOptions = {}): AsyncGenerator<ListedMedia> {
      let token: string | undefined;
      const { sdk, client } = await s3();
      do {
        const page = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const entry of page.Contents ?? []) {
          const id = entry.Key?.slice(prefix.length) ?? '';
          if (!/^[0-9a-f]{64}$/.test(id) || !entry.LastModified) continue;
          // A listing carries no user metadata; LastModified is the first-stored time because an
          // object is never rewritten (a second put of the same bytes uploads nothing).
          if (listOptions.olderThan && entry.LastModified >= listOptions.olderThan) continue;
          yield { id, size: entry.Size ?? 0, createdAt: entry.LastModified };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    async health() {
      try {
        await withTimeout(async (signal) => {
          const { sdk, client } = await s3();
          return client.send(new sdk.HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
        }, healthTimeoutMs);
        return { ok: true, backend: 's3' };
      } catch (err) {
        return { ok: false, backend: 's3', error: errorMessage(err) };
      }
    },
  };
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
