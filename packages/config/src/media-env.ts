import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { bool, int, networkList, oneOf, optionalHttpUrl, optionalSecret, optionalString } from './fields.js';
import { ConfigError } from './load.js';

/**
 * Media variables. Every process reads the same block: the API stores uploads and signs links, the
 * worker stores what it fetches and receives and signs the links in events, the scheduler runs
 * retention; all three must agree on where the store is and how links are signed.
 */
export const mediaEnv = {
  // Where media is kept: `fs` (a directory, one host or a shared volume) or `s3` (any
  // S3-compatible object store, which every process on every host can reach).
  MEDIA_STORE: oneOf(['fs', 's3'], 'fs'),
  // The directory of the `fs` store, relative to the working directory, next to the SQLite default.
  MEDIA_DIR: z.string().trim().default('./data/media'),
  // The bucket of the `s3` store; required with MEDIA_STORE=s3 (there is no sensible default bucket).
  MEDIA_S3_BUCKET: optionalString(),
  // The bucket's region; most S3-compatible servers accept the SDK's default.
  MEDIA_S3_REGION: z.string().trim().default('us-east-1'),
  // The endpoint of a non-AWS store (MinIO, Ceph, R2); unset: AWS. No credentials in it: URLs get logged.
  MEDIA_S3_ENDPOINT: optionalHttpUrl(),
  // Bucket in the path rather than the host name, which most self-hosted stores need.
  MEDIA_S3_FORCE_PATH_STYLE: bool(false),
  // Static credentials, both or neither; neither: the SDK's chain (AWS_* variables, profile, instance role).
  MEDIA_S3_ACCESS_KEY_ID: optionalString(),
  // The other half of that pair; never logged or echoed in a config error.
  MEDIA_S3_SECRET_ACCESS_KEY: optionalString(),
  // Largest media file in bytes, uploaded, fetched or received (64 MiB default: every image, voice
  // note and most videos and documents, while one temp file stays bounded); at most 5 GiB, the S3
  // single-PUT limit. Received media is also held to WhatsApp's own limit for its type.
  MEDIA_MAX_BYTES: int(64 * 1024 * 1024, { min: 1024, max: 5 * 1024 ** 3 }),
  // HMAC secret of signed media links. Unset: derived from API_KEY, which every process shares, so a
  // link signed by one process verifies on all; set it to rotate API_KEY without breaking links.
  MEDIA_URL_SECRET: optionalSecret(32),
  // Lifetime of a signed media link, in ms (24 h: long enough to hand on, and to outlast a
  // webhook's retries, short enough that a leaked link soon stops working).
  MEDIA_URL_TTL: int(24 * 3600_000, { min: 1000, max: 366 * 24 * 3600_000 }),
  // The gateway's address as clients reach it (https://wagw.example.com). Signed media links in
  // webhooks, events and message views are absolute when it is set, paths (/api/media/…) otherwise.
  PUBLIC_URL: optionalHttpUrl(),
  // Largest file sent inline as `media.base64`, decoded bytes (5 MiB: well under BODY_LIMIT, since
  // base64 adds a third); larger files go through POST /api/media or a URL.
  MEDIA_BASE64_MAX_BYTES: int(5 * 1024 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
  // One fetch of a `media.url` (connect, headers and body together) gives up after this many ms.
  MEDIA_FETCH_TIMEOUT: int(60_000, { min: 100, max: 3_600_000 }),
  // CIDRs exempted from the SSRF guard for `media.url` fetches (private, loopback, link-local...
  // are refused otherwise), like WEBHOOK_ALLOWED_NETWORKS for webhooks.
  MEDIA_FETCH_ALLOWED_NETWORKS: networkList(),
  // Inbound media downloads in flight per session, so a burst of videos cannot starve its sends.
  MEDIA_INBOUND_CONCURRENCY: int(2, { min: 1, max: 32 }),
  // Media older than this many days that no queued message uses is deleted by the scheduler; 0 = keep.
  MEDIA_RETENTION_DAYS: int(30, { min: 0, max: 36_500 }),
  // How often the retention task runs, in ms.
  MEDIA_RETENTION_INTERVAL: int(3_600_000, { min: 1000 }),
  // The ffmpeg binary that turns other audio into voice notes (Ogg/Opus) and makes video thumbnails;
  // without it those are refused (422) or sent without a thumbnail.
  FFMPEG_PATH: z.string().trim().min(1).default('ffmpeg'),
} as const;

type MediaEnv = z.infer<z.ZodObject<typeof mediaEnv>>;

/** Where signed media links get their secret when MEDIA_URL_SECRET is unset. */
function deriveMediaUrlSecret(apiKey: string): string {
  // One-way and labelled: a link secret never reveals the admin key, nor equals any other derived value.
  return createHmac('sha256', apiKey).update('wagw-media-url-secret:v1').digest('base64url');
}

/**
 * The media settings; the S3 ones are checked together because they are only needed together.
 * `apiKey` is the API_KEY the link secret is derived from when MEDIA_URL_SECRET is unset. A worker
 * given neither has no `urlSecret`: its events then carry media without a link (and it says so at
 * start); the API always has API_KEY.
 */
export function mediaConfig<K extends string | undefined>(env: MediaEnv, apiKey: K) {
  const issues: Array<{ variable: string; message: string }> = [];
  const keyId = env.MEDIA_S3_ACCESS_KEY_ID;
  const keySecret = env.MEDIA_S3_SECRET_ACCESS_KEY;
  if (env.MEDIA_STORE === 's3') {
    if (!env.MEDIA_S3_BUCKET)
      issues.push({ variable: 'MEDIA_S3_BUCKET', message: 'is required with MEDIA_STORE=s3' });
    // One half of a key pair is a mistake: falling back to the SDK's chain would hide it.
    if (keyId && !keySecret)
      issues.push({
        variable: 'MEDIA_S3_SECRET_ACCESS_KEY',
        message: 'is required with MEDIA_S3_ACCESS_KEY_ID',
      });
    if (keySecret && !keyId)
      issues.push({
        variable: 'MEDIA_S3_ACCESS_KEY_ID',
        message: 'is required with MEDIA_S3_SECRET_ACCESS_KEY',
      });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const store =
    env.MEDIA_STORE === 's3'
      ? {
          kind: 's3' as const,
          bucket: env.MEDIA_S3_BUCKET ?? '',
          region: env.MEDIA_S3_REGION,
          endpoint: env.MEDIA_S3_ENDPOINT,
          forcePathStyle: env.MEDIA_S3_FORCE_PATH_STYLE,
          credentials: keyId && keySecret ? { accessKeyId: keyId, secretAccessKey: keySecret } : undefined,
        }
      : { kind: 'fs' as const, dir: env.MEDIA_DIR };
  return {
    store,
    maxBytes: env.MEDIA_MAX_BYTES,
    // With an API_KEY (always, in the API) there is a secret, and the type says so.
    urlSecret: (env.MEDIA_URL_SECRET ??
      (apiKey ? deriveMediaUrlSecret(apiKey) : undefined)) as K extends string ? string : string | undefined,
    urlTtlMs: env.MEDIA_URL_TTL,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    base64MaxBytes: env.MEDIA_BASE64_MAX_BYTES,
    fetch: { timeoutMs: env.MEDIA_FETCH_TIMEOUT, allowedNetworks: env.MEDIA_FETCH_ALLOWED_NETWORKS },
    inboundConcurrency: env.MEDIA_INBOUND_CONCURRENCY,
    retention: { days: env.MEDIA_RETENTION_DAYS, intervalMs: env.MEDIA_RETENTION_INTERVAL },
    ffmpegPath: env.FFMPEG_PATH,
  };
}

export type MediaConfig = ReturnType<typeof mediaConfig<string | undefined>>;
