import { hostname } from 'node:os';
import { z } from 'zod';
import { databaseUrl, parseDatabaseUrl } from './database-url.js';
import {
  eventFilterList,
  int,
  networkList,
  oneOf,
  optionalHttpUrl,
  optionalString,
  optionalWebhookSecret,
  redisUrlField,
} from './fields.js';
import { ConfigError } from './load.js';
import { isHashTagged, parseRedisUrl } from './redis-url.js';

/** Variables every process reads. Each line says why the variable exists. */
export const commonEnv = {
  // Decides pretty logs only together with a TTY; production is the safe default.
  NODE_ENV: oneOf(['production', 'development', 'test'], 'production'),
  // pino level; `silent` for quiet test runs.
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  // file:<path> selects embedded SQLite (default ./data/wagw.db); postgres:// selects PostgreSQL for multi-host.
  DATABASE_URL: databaseUrl,
  // PostgreSQL pool size per process: each API, worker and scheduler process opens up to this many.
  DB_POOL_MAX: int(10, { min: 1, max: 200 }),
  // Pool/connect and query timeout in ms: a hung database must fail a request, not hang it.
  DB_TIMEOUT: int(60_000, { min: 100 }),
  // Consecutive DB failures that open the database circuit breaker.
  DB_FAILURE_THRESHOLD: int(3, { min: 1, max: 1000 }),
  // How long the database breaker stays open before a half-open probe, in ms.
  DB_RESET_TIMEOUT: int(30_000, { min: 100 }),
  // Where BullMQ and our own keys live. Producers fail fast on it, consumers wait.
  REDIS_URL: redisUrlField('redis://127.0.0.1:6379'),
  // Key prefix for every Redis key, so several deployments (or test runs) can share one Redis; with
  // a redis+cluster:// REDIS_URL it must be a hash tag such as {wagw}, so all keys share one slot.
  QUEUE_PREFIX: z
    .string()
    .trim()
    .default('wagw')
    .refine(
      (v) => /^[A-Za-z0-9_-]{1,64}$/.test(v) || /^\{[A-Za-z0-9_-]{1,62}\}$/.test(v),
      'expected 1-64 letters, digits, _ or -, optionally in braces ({wagw})',
    ),
  // How often health is re-checked and snapshotted, in ms.
  HEALTH_CHECK_INTERVAL: int(30_000, { min: 1000 }),
  // How often a process refreshes its heartbeat in Redis, in ms; the heartbeat expires after 3 beats.
  HEARTBEAT_INTERVAL: int(10_000, { min: 100 }),
  // Budget for a graceful shutdown on SIGTERM/SIGINT before the process forces its exit, in ms.
  SHUTDOWN_TIMEOUT: int(30_000, { min: 1000, max: 600_000 }),
  // Identifies this process in heartbeats and leases; defaults to <role>-<hostname>-<pid>.
  INSTANCE_ID: optionalString(),
  // CIDRs exempted from the webhook SSRF guard (private, loopback, link-local... are refused otherwise);
  // read by the API when a webhook is saved and by the worker at every connect.
  WEBHOOK_ALLOWED_NETWORKS: networkList(),
  // A global webhook receiving every session's events, for a deployment with one backend.
  WEBHOOK_URL: optionalHttpUrl(),
  // Which events the global webhook receives: a comma list of `*`, `<group>.*` or exact names.
  WEBHOOK_EVENTS: eventFilterList('*'),
  // The global webhook's signing secret; unset: its deliveries are not signed.
  WEBHOOK_SECRET: optionalWebhookSecret(),
  // Delivery attempts per event and endpoint before it is dead-lettered; the API shows it too.
  WEBHOOK_MAX_ATTEMPTS: int(12, { min: 1, max: 50 }),
  // First retry delay in ms, doubled per attempt with jitter: 12 attempts retry for ~2.8 h.
  WEBHOOK_BACKOFF_DELAY: int(5000, { min: 10 }),
} as const;

type CommonEnv = z.infer<z.ZodObject<typeof commonEnv>>;

/** The structured view of the common variables that every process hands to its components. */
export function commonConfig(env: CommonEnv, role: string) {
  if (parseRedisUrl(env.REDIS_URL).kind === 'cluster' && !isHashTagged(env.QUEUE_PREFIX)) {
    throw new ConfigError([
      {
        variable: 'QUEUE_PREFIX',
        message: `must be a hash tag such as {${env.QUEUE_PREFIX}} with a redis+cluster:// REDIS_URL (BullMQ and the gateway run scripts over several keys, which a cluster allows only within one slot), got "${env.QUEUE_PREFIX}"`,
      },
    ]);
  }
  return {
    nodeEnv: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    // Hostname + pid: unique per process on one machine and across containers (where pid is often 1).
    instanceId: env.INSTANCE_ID ?? `${role}-${hostname()}-${process.pid}`,
    database: {
      url: env.DATABASE_URL,
      // Already checked by the databaseUrl field, so this does not throw.
      dialect: parseDatabaseUrl(env.DATABASE_URL).dialect,
      poolMax: env.DB_POOL_MAX,
      // DB_TIMEOUT bounds both connecting and each query; the shape matches createDatabase's options.
      connectTimeoutMs: env.DB_TIMEOUT,
      queryTimeoutMs: env.DB_TIMEOUT,
      failureThreshold: env.DB_FAILURE_THRESHOLD,
      resetTimeoutMs: env.DB_RESET_TIMEOUT,
    },
    redis: { url: env.REDIS_URL, prefix: env.QUEUE_PREFIX },
    healthCheckIntervalMs: env.HEALTH_CHECK_INTERVAL,
    heartbeatIntervalMs: env.HEARTBEAT_INTERVAL,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT,
    webhooks: {
      allowedNetworks: env.WEBHOOK_ALLOWED_NETWORKS,
      // A secret without a URL has nothing to sign and is ignored.
      global: env.WEBHOOK_URL
        ? { url: env.WEBHOOK_URL, events: env.WEBHOOK_EVENTS, secret: env.WEBHOOK_SECRET ?? null }
        : null,
      retry: { maxAttempts: env.WEBHOOK_MAX_ATTEMPTS, backoffMs: env.WEBHOOK_BACKOFF_DELAY },
    },
  };
}
