import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { commonConfig, commonEnv } from './common-env.js';
import {
  bool,
  decimal,
  host,
  int,
  oneOf,
  optionalHttpUrl,
  optionalSecret,
  optionalString,
  secret,
} from './fields.js';
import { ConfigError, parseEnv } from './load.js';
import { schedulerEnv } from './scheduler-env.js';

/** Variables of the API process (apps/api) on top of the common ones. */
export const apiEnv = {
  ...commonEnv,
  // TCP port the API listens on.
  PORT: int(3000, { min: 0, max: 65535 }),
  // Interface to bind. Loopback by default; set 0.0.0.0 inside a container behind a load balancer.
  HOST: host('127.0.0.1'),
  // Admin API key (at least 16 characters). Every route but health needs a key. `npm start` generates one.
  API_KEY: secret(16),
  // Requests running longer than this get a 504 in the standard error envelope, in ms.
  REQUEST_TIMEOUT: int(30_000, { min: 100 }),
  // Largest accepted request body in bytes (bulk sends of 10,000 messages need a few MB).
  BODY_LIMIT: int(16 * 1024 * 1024, { min: 1024 }),
  // Trust X-Forwarded-* from the load balancer in front of the API replicas.
  TRUST_PROXY: bool(false),
  // Load shedding: above this event-loop delay (ms) the API answers 503 + Retry-After instead of queueing; 0 = off.
  MAX_EVENT_LOOP_DELAY: int(1000, { min: 0 }),
  // Load shedding on V8 heap used, in bytes; 0 = off (the heap limit is the container's business by default).
  MAX_HEAP_USED_BYTES: int(0, { min: 0 }),
  // Load shedding on resident memory, in bytes; 0 = off. Set it below the container memory limit.
  MAX_RSS_BYTES: int(0, { min: 0 }),
  // Load shedding on event-loop utilisation (0-1): a loop busy 98 % of the time cannot answer in time; 0 = off.
  MAX_EVENT_LOOP_UTILIZATION: decimal(0.98, { min: 0, max: 1 }),
  // Bearer token for GET /metrics (at least 16 characters). Unset: /metrics is open, so keep it off the internet.
  METRICS_TOKEN: optionalSecret(16),
  // POST /api/monitoring/cleanup runs the scheduler's stale-session cleanup, so it reads the same age.
  STALE_SESSION_AGE: schedulerEnv.STALE_SESSION_AGE,
  // Requests per API key per minute, counted in Redis so every replica shares one budget; 0 = off.
  RATE_LIMIT_PER_MINUTE: int(600, { min: 0, max: 1_000_000 }),
  // Bull Board (/admin/queues) only shows queues and jobs unless false: retry/clean/remove need intent.
  BULL_BOARD_READ_ONLY: bool(true),
  // Where uploaded media is kept: `fs` (a directory, one host or a shared volume) or `s3` (any
  // S3-compatible object store, which every API replica on every host can reach).
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
  // Largest upload in bytes (64 MiB default: every image, voice note and most videos and documents,
  // while one upload's temp file stays bounded); at most 5 GiB, the S3 single-PUT limit.
  MEDIA_MAX_BYTES: int(64 * 1024 * 1024, { min: 1024, max: 5 * 1024 ** 3 }),
  // HMAC secret of signed media links. Unset: derived from API_KEY, which every replica shares, so a
  // link signed by one replica verifies on all; set it to rotate API_KEY without breaking links.
  MEDIA_URL_SECRET: optionalSecret(32),
  // Lifetime of the signed link an upload answers with, in ms (24 h: long enough to hand on, short
  // enough that a leaked link soon stops working).
  MEDIA_URL_TTL: int(24 * 3600_000, { min: 1000, max: 366 * 24 * 3600_000 }),
} as const;

type ApiEnv = z.infer<z.ZodObject<typeof apiEnv>>;

/** Where signed media links get their secret when MEDIA_URL_SECRET is unset. */
function deriveMediaUrlSecret(apiKey: string): string {
  // One-way and labelled: a link secret never reveals the admin key, nor equals any other derived value.
  return createHmac('sha256', apiKey).update('wagw-media-url-secret:v1').digest('base64url');
}

/** The media store settings; the S3 ones are checked together because they are only needed together. */
function mediaConfig(env: ApiEnv) {
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
    urlSecret: env.MEDIA_URL_SECRET ?? deriveMediaUrlSecret(env.API_KEY),
    urlTtlMs: env.MEDIA_URL_TTL,
  };
}

export function loadApiConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = parseEnv(apiEnv, env);
  return {
    ...commonConfig(parsed, 'api'),
    port: parsed.PORT,
    host: parsed.HOST,
    apiKey: parsed.API_KEY,
    requestTimeoutMs: parsed.REQUEST_TIMEOUT,
    bodyLimit: parsed.BODY_LIMIT,
    trustProxy: parsed.TRUST_PROXY,
    loadShedding: {
      maxEventLoopDelayMs: parsed.MAX_EVENT_LOOP_DELAY,
      maxHeapUsedBytes: parsed.MAX_HEAP_USED_BYTES,
      maxRssBytes: parsed.MAX_RSS_BYTES,
      maxEventLoopUtilization: parsed.MAX_EVENT_LOOP_UTILIZATION,
    },
    metricsToken: parsed.METRICS_TOKEN,
    staleSessionAgeMs: parsed.STALE_SESSION_AGE,
    rateLimitPerMinute: parsed.RATE_LIMIT_PER_MINUTE,
    bullBoardReadOnly: parsed.BULL_BOARD_READ_ONLY,
    media: mediaConfig(parsed),
  };
}

export type ApiConfig = ReturnType<typeof loadApiConfig>;
