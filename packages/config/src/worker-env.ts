import { commonConfig, commonEnv } from './common-env.js';
import { bool, decimal, hostPort, int, oneOf, optionalSecret, optionalString, url } from './fields.js';
import { ConfigError, parseEnv } from './load.js';
import { mediaConfig, mediaEnv } from './media-env.js';

/** Variables of the worker process (apps/worker), which owns WhatsApp sockets. */
export const workerEnv = {
  ...commonEnv,
  ...mediaEnv,
  // Read only to derive the media link secret when MEDIA_URL_SECRET is unset (see mediaEnv).
  API_KEY: optionalSecret(16),
  // Most sessions one worker owns at once; placement never exceeds it. From the density benchmark
  // (docs/benchmarks.md): ~0.22 MiB per idle session and 1,000 held on one 2-core box; logins
  // (11-16/s there) are the limit, so half the measured ceiling.
  MAX_SESSIONS_PER_WORKER: int(500, { min: 1, max: 10_000 }),
  // Share of the V8 heap limit (node --max-old-space-size) above which the worker claims no new
  // session: Node aborts the whole process at the limit, with every session on it.
  MEMORY_REFUSE_RATIO: decimal(0.8, { min: 0.05, max: 1 }),
  // Share above which it also hands sessions over to other workers, one per reconcile pass.
  MEMORY_SHED_RATIO: decimal(0.9, { min: 0.05, max: 1 }),
  // Lease time-to-live in ms: how long a dead worker's sessions wait before another takes them.
  LEASE_TTL: int(15_000, { min: 1000 }),
  // Consecutive send failures that open a session's send circuit breaker.
  MSG_FAILURE_THRESHOLD: int(5, { min: 1, max: 1000 }),
  // How long a send breaker stays open before a half-open probe, in ms.
  MSG_RESET_TIMEOUT: int(60_000, { min: 100 }),
  // Inbound messages and receipts kept per session (in Redis) while the database is unavailable, to be
  // written when it answers again; beyond it they are refused, counted and logged. ~1-3 KiB each.
  DB_SPOOL_MAX: int(10_000, { min: 1, max: 1_000_000 }),
  // Default sends per minute per session (a session's settings.pacing.perMinute overrides it): spread
  // out, bursts of messages from a new number are what WhatsApp bans for.
  SEND_RATE_PER_MINUTE: int(20, { min: 1, max: 6000 }),
  // Upper bound of the random pause before each send, in ms (settings.pacing min/maxDelayMs override).
  SEND_JITTER_MS: int(1500, { min: 0, max: 600_000 }),
  // Show "typing…" before each text, for a time proportional to its length, as a person would.
  SEND_TYPING: bool(false),
  // Typing time per character of text in ms, capped at SEND_TYPING_MAX_MS.
  SEND_TYPING_MS_PER_CHAR: int(40, { min: 1, max: 10_000 }),
  // Longest typing indicator before one message, in ms.
  SEND_TYPING_MAX_MS: int(5000, { min: 0, max: 60_000 }),
  // Most messages one session sends per UTC day once warmed up; 0 = no daily cap.
  SEND_DAILY_CAP: int(0, { min: 0, max: 10_000_000 }),
  // Daily cap on a session's first day; it doubles every day of the session's age up to SEND_DAILY_CAP
  // (warm-up: a new number that sends hundreds of messages on day one gets banned).
  SEND_DAILY_CAP_BASE: int(50, { min: 1, max: 10_000_000 }),
  // How long a send waits for WhatsApp's server ack before it counts as failed and is retried, in ms.
  SEND_ACK_TIMEOUT: int(15_000, { min: 100, max: 600_000 }),
  // Lock on the send job in hand, in ms (renewed at half of it while the send runs): after a kill -9
  // the message in flight goes to the next owner within about twice this (lock expiry + stall check).
  SEND_LOCK_DURATION: int(15_000, { min: 1000, max: 600_000 }),
  // How long a session's send-queue consumer is kept with nothing to send, in ms. Consumers run only
  // while their queue has work (an idle one holds a Redis connection and ~110 KiB of heap).
  SEND_CONSUMER_IDLE: int(30_000, { min: 1000, max: 3_600_000 }),
  // Profile picture lookups give up after this many ms; a slow lookup must never hold up a message.
  PROFILE_PICTURE_TIMEOUT: int(5000, { min: 100, max: 60_000 }),
  // How long a contacts-check answer (on WhatsApp or not, JID, LID) is reused instead of asking
  // WhatsApp again, in ms; shared by every worker and API replica through Redis. Default one day.
  CONTACT_CHECK_TTL: int(86_400_000, { min: 1000 }),
  // Numbers one session may look up on WhatsApp per hour (cached answers are free); beyond it the API
  // answers 429 with Retry-After. Mass lookups get numbers banned. At least one full call (500).
  CONTACT_CHECK_PER_HOUR: int(1000, { min: 500, max: 1_000_000 }),
  // WhatsApp Web socket URL; point it at the simulator (`npm run sim`) to run without WhatsApp.
  WA_WS_URL: url('wss://web.whatsapp.com/ws/chat', ['ws:', 'wss:']),
  // Base64 of the 32-byte Noise root public key to trust; unset trusts WhatsApp's own root.
  WA_ROOT_PUBLIC_KEY: optionalString(),
  // host:port that Baileys' media uploads and downloads connect to instead of WhatsApp's CDN hosts
  // (the simulator's CDN in tests); TLS still checks the original host name. Unset in production.
  WA_MEDIA_ORIGIN_OVERRIDE: hostPort(),
  // Baileys' own log level (it logs every normal 515 restart as an error); wagw logs each close itself.
  WA_LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'error'),
  // Baileys socket setting: keep-alive ping interval in ms.
  WA_KEEPALIVE_INTERVAL: int(30_000, { min: 1000 }),
  // How long a socket may take to connect (and a frame to send), in ms.
  WA_CONNECT_TIMEOUT: int(60_000, { min: 1000 }),
  // How long Baileys waits for an answer to any query, in ms.
  WA_QUERY_TIMEOUT: int(60_000, { min: 1000 }),
  // Delay before Baileys retries a message the recipient could not decrypt, in ms.
  WA_RETRY_REQUEST_DELAY: int(250, { min: 0 }),
  // How often Baileys resends a message the recipient asks for again.
  WA_MAX_MSG_RETRY_COUNT: int(3, { min: 0, max: 20 }),
  // First reconnect delay in ms; each further attempt multiplies it by RECONNECT_FACTOR (3 s, 6 s, 12 s).
  RECONNECT_BASE_DELAY: int(3000, { min: 10 }),
  // Growth of the reconnect delay per attempt.
  RECONNECT_FACTOR: int(2, { min: 1, max: 10 }),
  // Reconnect attempts before a session is marked failed (the scheduler revives it later).
  RECONNECT_MAX_ATTEMPTS: int(3, { min: 1, max: 100 }),
  // Sockets one worker may have connecting at once, so an outage does not end in a reconnect stampede.
  RECONNECT_CONCURRENCY: int(10, { min: 1, max: 1000 }),
  // A socket showing neither a QR nor `open` within this many ms is restarted (Baileys reports nothing
  // when the WebSocket upgrade is refused).
  WATCHDOG_OPEN_TIMEOUT: int(90_000, { min: 1000 }),
  // An open socket with no inbound frame for this many ms is restarted.
  WATCHDOG_SILENCE_TIMEOUT: int(75_000, { min: 1000 }),
  // How often a worker reconciles desired and actual state of all sessions, in ms.
  RECONCILE_INTERVAL: int(5000, { min: 100 }),
  // One webhook delivery attempt (connect, headers and body together) gives up after this many ms.
  WEBHOOK_TIMEOUT: int(10_000, { min: 100, max: 120_000 }),
  // Webhook deliveries in flight per worker process, so slow receivers cannot exhaust sockets or memory.
  WEBHOOK_CONCURRENCY: int(50, { min: 1, max: 1000 }),
  // Deliveries in flight per endpoint across all workers (Redis), so one slow endpoint cannot take every slot.
  WEBHOOK_ENDPOINT_CONCURRENCY: int(5, { min: 1, max: 1000 }),
  // Consecutive failed deliveries (seen by any worker) that open an endpoint's shared circuit breaker.
  WEBHOOK_BREAKER_THRESHOLD: int(5, { min: 1, max: 1000 }),
  // How long an endpoint's breaker stays open before one probe delivery, in ms.
  WEBHOOK_BREAKER_RESET: int(30_000, { min: 100 }),
  // Lock on a delivery job in ms: a killed worker's in-flight deliveries are retried after it.
  WEBHOOK_LOCK_DURATION: int(30_000, { min: 1000 }),
  // Events a dead worker's dispatcher read but did not hand to the queue are claimed after this many ms.
  WEBHOOK_CLAIM_IDLE: int(30_000, { min: 100 }),
} as const;

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = parseEnv(workerEnv, env);
  if (parsed.MEMORY_SHED_RATIO < parsed.MEMORY_REFUSE_RATIO)
    throw new ConfigError([
      {
        variable: 'MEMORY_SHED_RATIO',
        message: 'must be at least MEMORY_REFUSE_RATIO (shed only once refusing)',
      },
    ]);
  return {
    ...commonConfig(parsed, 'worker'),
    maxSessions: parsed.MAX_SESSIONS_PER_WORKER,
    memory: { refuseRatio: parsed.MEMORY_REFUSE_RATIO, shedRatio: parsed.MEMORY_SHED_RATIO },
    leaseTtlMs: parsed.LEASE_TTL,
    dbSpoolMax: parsed.DB_SPOOL_MAX,
    sendBreaker: { failureThreshold: parsed.MSG_FAILURE_THRESHOLD, resetTimeoutMs: parsed.MSG_RESET_TIMEOUT },
    delivery: {
      perMinute: parsed.SEND_RATE_PER_MINUTE,
      jitterMs: parsed.SEND_JITTER_MS,
      typing: {
        enabled: parsed.SEND_TYPING,
        msPerChar: parsed.SEND_TYPING_MS_PER_CHAR,
        maxMs: parsed.SEND_TYPING_MAX_MS,
      },
      dailyCap: { max: parsed.SEND_DAILY_CAP, base: parsed.SEND_DAILY_CAP_BASE },
      ackTimeoutMs: parsed.SEND_ACK_TIMEOUT,
      lockDurationMs: parsed.SEND_LOCK_DURATION,
      consumerIdleMs: parsed.SEND_CONSUMER_IDLE,
      profilePictureTimeoutMs: parsed.PROFILE_PICTURE_TIMEOUT,
    },
    // Trusted until ttl - margin after a renewal was sent; renewed every third of the TTL.
    leaseMarginMs: Math.max(500, Math.floor(parsed.LEASE_TTL / 5)),
    reconcileIntervalMs: parsed.RECONCILE_INTERVAL,
    contactCheck: { ttlMs: parsed.CONTACT_CHECK_TTL, perHour: parsed.CONTACT_CHECK_PER_HOUR },
    whatsapp: {
      wsUrl: parsed.WA_WS_URL,
      logLevel: parsed.WA_LOG_LEVEL,
      rootPublicKey: parsed.WA_ROOT_PUBLIC_KEY,
      keepAliveIntervalMs: parsed.WA_KEEPALIVE_INTERVAL,
      connectTimeoutMs: parsed.WA_CONNECT_TIMEOUT,
      defaultQueryTimeoutMs: parsed.WA_QUERY_TIMEOUT,
      retryRequestDelayMs: parsed.WA_RETRY_REQUEST_DELAY,
      maxMsgRetryCount: parsed.WA_MAX_MSG_RETRY_COUNT,
      mediaOriginOverride: parsed.WA_MEDIA_ORIGIN_OVERRIDE,
    },
    reconnect: {
      baseMs: parsed.RECONNECT_BASE_DELAY,
      factor: parsed.RECONNECT_FACTOR,
      maxAttempts: parsed.RECONNECT_MAX_ATTEMPTS,
      jitter: 0.2,
      concurrency: parsed.RECONNECT_CONCURRENCY,
    },
    watchdog: {
      openTimeoutMs: parsed.WATCHDOG_OPEN_TIMEOUT,
      silenceTimeoutMs: parsed.WATCHDOG_SILENCE_TIMEOUT,
    },
    webhookDelivery: {
      timeoutMs: parsed.WEBHOOK_TIMEOUT,
      concurrency: parsed.WEBHOOK_CONCURRENCY,
      endpointConcurrency: parsed.WEBHOOK_ENDPOINT_CONCURRENCY,
      breaker: { threshold: parsed.WEBHOOK_BREAKER_THRESHOLD, resetMs: parsed.WEBHOOK_BREAKER_RESET },
      lockDurationMs: parsed.WEBHOOK_LOCK_DURATION,
      claimIdleMs: parsed.WEBHOOK_CLAIM_IDLE,
    },
    media: mediaConfig(parsed, parsed.API_KEY),
  };
}

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;
