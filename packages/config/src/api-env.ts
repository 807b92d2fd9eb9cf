import { commonConfig, commonEnv } from './common-env.js';
import { dashboardConfig, dashboardEnv } from './dashboard-env.js';
import { bool, decimal, host, int, optionalSecret, secret } from './fields.js';
import { ConfigError, parseEnv } from './load.js';
import { mediaConfig, mediaEnv } from './media-env.js';
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
  // How long a request waits for the worker that owns a session to run an operation on its socket
  // (contacts check, profile picture), in ms; then 504 SESSION_OWNER_TIMEOUT. Below REQUEST_TIMEOUT.
  // 0 (the default): two thirds of REQUEST_TIMEOUT, at most 20 s, so a shorter request timeout
  // never makes the default invalid.
  SESSION_RPC_TIMEOUT: int(0, { min: 0 }),
  // Largest request body in bytes on every route but sends and bulk sends (1 MiB: every JSON body
  // the API takes is far smaller; at 16 MiB, 24 concurrent bodies froze the API for 3.7 s, issue #18).
  // A send takes this plus room for MEDIA_BASE64_MAX_BYTES of base64; uploads are capped by MEDIA_MAX_BYTES.
  BODY_LIMIT: int(1024 * 1024, { min: 1024 }),
  // Largest body of POST /api/sessions/:id/messages/bulk in bytes: 10,000 messages are a few MB of JSON.
  BULK_BODY_LIMIT: int(16 * 1024 * 1024, { min: 1024 }),
  // Trust X-Forwarded-* from the load balancer in front of the API replicas.
  TRUST_PROXY: bool(false),
  // Load shedding: above this mean event-loop delay (ms) the API answers 503 + Retry-After instead of
  // queueing; 0 = off. 1000: a saturated but healthy API lags a few ms, a second of lag is a stall.
  MAX_EVENT_LOOP_DELAY: int(1000, { min: 0 }),
  // Load shedding on V8 heap used, in bytes; 0 = off (the heap limit is the container's business by default).
  MAX_HEAP_USED_BYTES: int(0, { min: 0 }),
  // Load shedding on resident memory, in bytes; 0 = off. Set it below the container memory limit.
  MAX_RSS_BYTES: int(0, { min: 0 }),
  // Load shedding on event-loop utilisation (0-1); 0 = off, the default: a loop busy all the time that still
  // answers in ms is at full use, not overloaded (at 0.98 it shed 97 % of sends under load, issue #18).
  MAX_EVENT_LOOP_UTILIZATION: decimal(0, { min: 0, max: 1 }),
  // Bearer token for GET /metrics (at least 16 characters). Unset: /metrics needs the admin API key.
  METRICS_TOKEN: optionalSecret(16),
  // Opens GET /metrics without any credentials, for a scraper on a private network only; not with METRICS_TOKEN.
  METRICS_PUBLIC: bool(false),
  // POST /api/monitoring/cleanup runs the scheduler's stale-session cleanup, so it reads the same age.
  STALE_SESSION_AGE: schedulerEnv.STALE_SESSION_AGE,
  // Requests per API key per minute, counted in Redis so every replica shares one budget; 0 = off.
  RATE_LIMIT_PER_MINUTE: int(600, { min: 0, max: 1_000_000 }),
  // Wrong keys (or metrics tokens) per client address per minute before it gets 429 for the rest of the
  // minute, counted in Redis across replicas; 0 = off. 20: a person mistyping never gets there, a guesser stalls.
  AUTH_FAILURES_PER_MINUTE: int(20, { min: 0, max: 1_000_000 }),
  // Open SSE streams (GET /api/events) per API replica. Each costs a socket, a timer and one write per
  // event, no Redis connection (one shared reader per process), so a replica holds 1000 with room to spare.
  SSE_MAX_STREAMS: int(1000, { min: 1, max: 100_000 }),
  // Open SSE streams per API key per replica: a dashboard tab or an integration needs one, 10 leaves room
  // for several tabs and reconnect overlap while one key (or a leaked one) takes at most 1 % of the replica.
  SSE_MAX_STREAMS_PER_KEY: int(10, { min: 1, max: 100_000 }),
  // Bull Board (/admin/queues) only shows queues and jobs unless false: retry/clean/remove need intent.
  BULL_BOARD_READ_ONLY: bool(true),
  ...dashboardEnv,
  ...mediaEnv,
} as const;

export function loadApiConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = parseEnv(apiEnv, env);
  // Two answers to "who may scrape": refuse the mix rather than guess which one was meant.
  if (parsed.METRICS_PUBLIC && parsed.METRICS_TOKEN !== undefined)
    throw new ConfigError([
      { variable: 'METRICS_PUBLIC', message: 'cannot be true while METRICS_TOKEN is set; use one of them' },
    ]);
  const sessionRpcTimeoutMs =
    parsed.SESSION_RPC_TIMEOUT || Math.min(20_000, Math.floor((parsed.REQUEST_TIMEOUT * 2) / 3));
  if (sessionRpcTimeoutMs >= parsed.REQUEST_TIMEOUT)
    throw new ConfigError([
      {
        variable: 'SESSION_RPC_TIMEOUT',
        message: 'must be below REQUEST_TIMEOUT, or the request times out first',
      },
    ]);
  return {
    ...commonConfig(parsed, 'api'),
    port: parsed.PORT,
    host: parsed.HOST,
    apiKey: parsed.API_KEY,
    requestTimeoutMs: parsed.REQUEST_TIMEOUT,
    sessionRpcTimeoutMs,
    bodyLimit: parsed.BODY_LIMIT,
    bulkBodyLimit: parsed.BULK_BODY_LIMIT,
    trustProxy: parsed.TRUST_PROXY,
    loadShedding: {
      maxEventLoopDelayMs: parsed.MAX_EVENT_LOOP_DELAY,
      maxHeapUsedBytes: parsed.MAX_HEAP_USED_BYTES,
      maxRssBytes: parsed.MAX_RSS_BYTES,
      maxEventLoopUtilization: parsed.MAX_EVENT_LOOP_UTILIZATION,
    },
    metricsToken: parsed.METRICS_TOKEN,
    metricsPublic: parsed.METRICS_PUBLIC,
    authFailuresPerMinute: parsed.AUTH_FAILURES_PER_MINUTE,
    staleSessionAgeMs: parsed.STALE_SESSION_AGE,
    rateLimitPerMinute: parsed.RATE_LIMIT_PER_MINUTE,
    bullBoardReadOnly: parsed.BULL_BOARD_READ_ONLY,
    maxEventStreams: parsed.SSE_MAX_STREAMS,
    maxEventStreamsPerKey: parsed.SSE_MAX_STREAMS_PER_KEY,
    dashboard: dashboardConfig(parsed, parsed.API_KEY),
    media: mediaConfig(parsed, parsed.API_KEY),
  };
}

export type ApiConfig = ReturnType<typeof loadApiConfig>;
