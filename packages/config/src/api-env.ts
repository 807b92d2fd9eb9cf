import { commonConfig, commonEnv } from './common-env.js';
import { dashboardConfig, dashboardEnv } from './dashboard-env.js';
import { bool, decimal, host, int, optionalSecret, secret } from './fields.js';
import { parseEnv } from './load.js';
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
  ...dashboardEnv,
  ...mediaEnv,
} as const;

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
    dashboard: dashboardConfig(parsed, parsed.API_KEY),
    media: mediaConfig(parsed, parsed.API_KEY),
  };
}

export type ApiConfig = ReturnType<typeof loadApiConfig>;
