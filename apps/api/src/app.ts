import cookie from '@fastify/cookie';
import { type ApiConfig, defaultDashboardConfig } from '@wagw/config';
import type { Database } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import {
  createConsumerConnection,
  createSendQueues,
  createSessionRpcClient,
  type RedisConnection,
  redisKeys,
  type WebhookRetryPolicy,
} from '@wagw/queue';
import { createNetworkPolicy, type NetworkPolicy } from '@wagw/webhooks';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { requestIdFor } from './lib/request-id.js';
import { createApiKeyResolver } from './plugins/api-key-resolver.js';
import { registerAuth } from './plugins/auth.js';
import { createAuthFailureLimit } from './plugins/auth-failures.js';
import { registerBodyDepthLimit } from './plugins/body-depth.js';
import { BULL_BOARD_PATH, registerBullBoard } from './plugins/bull-board.js';
import { createDashboardCookies } from './plugins/dashboard-cookie.js';
import { createDashboardAuth } from './plugins/dashboard-session-auth.js';
import { createSignOutList } from './plugins/dashboard-sign-outs.js';
import {
  DASHBOARD_PATH,
  DEFAULT_DASHBOARD_DIST,
  registerDashboardStatic,
} from './plugins/dashboard-static.js';
import { onFrameworkError, registerErrorHandling } from './plugins/error-handler.js';
import { type LoadSheddingOptions, registerLoadShedding } from './plugins/load-shedding.js';
import { METRICS_PATH, registerMetrics } from './plugins/metrics.js';
import { DOCS_PATH, registerOpenApi } from './plugins/openapi-docs.js';
import { registerRateLimit } from './plugins/rate-limit.js';
import { type RequestStats, registerRequestStats } from './plugins/request-stats.js';
import { registerRequestTimeout } from './plugins/request-timeout.js';
import { apiKeysRoutes } from './routes/api-keys/api-keys.routes.js';
import { createApiKeyService } from './routes/api-keys/api-keys.service.js';
import { batchesRoutes } from './routes/batches/batches.routes.js';
import { createBatchService } from './routes/batches/batches.service.js';
import { chatsRoutes } from './routes/chats/chats.routes.js';
import { createChatsService } from './routes/chats/chats.service.js';
import { contactsRoutes } from './routes/contacts/contacts.routes.js';
import { createContactsService } from './routes/contacts/contacts.service.js';
import { DASHBOARD_SIGN_IN_PATH, dashboardRoutes } from './routes/dashboard/dashboard.routes.js';
import { eventsRoutes } from './routes/events/events.routes.js';
import { groupsRoutes } from './routes/groups/groups.routes.js';
import { createGroupsService } from './routes/groups/groups.service.js';
import { healthRoutes } from './routes/health/health.routes.js';
import { createHealthService } from './routes/health/health.service.js';
import { mediaRoutes } from './routes/media/media.routes.js';
import { createMediaService, type MediaSettings } from './routes/media/media.service.js';
import { storedMediaCounter } from './routes/media/media-metrics.js';
import { createMessageIntakeService } from './routes/messages/message-intake.service.js';
import { messagesRoutes } from './routes/messages/messages.routes.js';
import { monitoringRoutes } from './routes/monitoring/monitoring.routes.js';
import { createMonitoringService } from './routes/monitoring/monitoring.service.js';
import { throughputRoutes } from './routes/monitoring/throughput.routes.js';
import { pairingRoutes } from './routes/sessions/pairing.routes.js';
import { createPairingService } from './routes/sessions/pairing.service.js';
import { qrRoutes } from './routes/sessions/qr.routes.js';
import { createQrService } from './routes/sessions/qr.service.js';
import { sessionStatsRoutes } from './routes/sessions/session-stats.routes.js';
import { sessionsRoutes } from './routes/sessions/sessions.routes.js';
import { createSessionService } from './routes/sessions/sessions.service.js';
import { deadLettersRoutes } from './routes/webhooks/dead-letters.routes.js';
import { createDeadLetterService } from './routes/webhooks/dead-letters.service.js';
import { webhookActivityRoutes } from './routes/webhooks/webhook-activity.routes.js';
import { createWebhookActivityService } from './routes/webhooks/webhook-activity.service.js';
import { createWebhookAdminService } from './routes/webhooks/webhook-admin.service.js';
import { createWebhookQueue } from './routes/webhooks/webhook-queue.js';
import type { ConfigWebhook } from './routes/webhooks/webhook-view.js';
import { webhooksRoutes } from './routes/webhooks/webhooks.routes.js';

/** Webhook settings of the API (config.webhooks, with the policy built from WEBHOOK_ALLOWED_NETWORKS). */
interface WebhookSettings {
  /** The SSRF guard applied to webhook URLs when they are saved. */
  policy: NetworkPolicy;
  /** WEBHOOK_URL, WEBHOOK_EVENTS, WEBHOOK_SECRET: listed read-only as webhook `config`. */
  global: ConfigWebhook | null;
  /** Attempts and backoff of replayed deliveries (WEBHOOK_MAX_ATTEMPTS, WEBHOOK_BACKOFF_DELAY). */
  retry: WebhookRetryPolicy;
  /** DNS resolution for the URL check (tests); default: the system resolver. */
  lookup?: (host: string) => Promise<string[]>;
}

const DEFAULT_WEBHOOK_SETTINGS: Omit<WebhookSettings, 'policy'> = {
  global: null,
  retry: { maxAttempts: 12, backoffMs: 5000 },
};

export interface AppDeps {
  config: Pick<ApiConfig, 'apiKey' | 'bodyLimit' | 'trustProxy'> &
    // Optional so tests need not spell them out: defaults 600 requests/min, a read-only board, 16 MiB bulk bodies.
    Partial<Pick<ApiConfig, 'rateLimitPerMinute' | 'bullBoardReadOnly' | 'bulkBodyLimit'>> &
    // How long a session RPC (contacts check, picture) waits for the session's worker. Default 20000 ms.
    Partial<Pick<ApiConfig, 'sessionRpcTimeoutMs'>> &
    // Operations (docs/operations.md). Defaults: 30000 ms timeout, /metrics behind the admin key,
    // 300000 ms stale age, 20 failed authentications per client address per minute.
    Partial<
      Pick<
        ApiConfig,
        'requestTimeoutMs' | 'metricsToken' | 'metricsPublic' | 'staleSessionAgeMs' | 'authFailuresPerMinute'
      >
    > &
    // The dashboard cookie (DASHBOARD_*). Default: 12 h sign-ins, secret derived from apiKey.
    Partial<Pick<ApiConfig, 'dashboard'>>;
  logger: Logger;
  db: Database;
  /** A producer connection (fails fast): the API never waits on a Redis that is down. */
  redis: RedisConnection;
  /** BullMQ queue `session-commands` (QUEUES.sessionCommands) on the producer connection. */
  sessionCommands: Queue;
  /** Prefix of our own Redis keys (QUEUE_PREFIX): QR, pairing, nudge channel, event stream. */
  redisPrefix: string;
  /** Where the SSE hub's one consumer connection goes (XREAD BLOCK holds a connection). */
  redisUrl: string;
  /** How long POST pairing-code waits for the worker's code before answering 202. Default 10000 ms. */
  pairingWaitMs?: number;
  /** Concurrent SSE streams per replica (SSE_MAX_STREAMS); beyond it 503 SERVICE_OVERLOADED. Default 1000. */
  maxEventStreams?: number;
  /** Concurrent SSE streams per API key (SSE_MAX_STREAMS_PER_KEY); beyond it 429 TOO_MANY_EVENT_STREAMS. Default 10. */
  maxEventStreamsPerKey?: number;
  /** Interval of the SSE keep-alive comment. Default 15000 ms. */
  eventStreamPingMs?: number;
  /** Socket-level timeouts chosen by the process (main.ts); tests leave them at Fastify's defaults. */
  serverOptions?: Pick<FastifyServerOptions, 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'>;
  /** Budget for each dependency check in health and readiness. Default 2000 ms. */
  healthCheckTimeoutMs?: number;
  /** Load shedding limits (config.loadShedding); defaults in plugins/load-shedding.ts. */
  loadShedding?: LoadSheddingOptions;
  /** The built dashboard served at /dashboard. Default: apps/dashboard/dist of this checkout. */
  dashboardDistDir?: string;
  /** Default: no private network allowed, no global webhook, 12 attempts from 5000 ms. */
  webhooks?: WebhookSettings;
  /**
   * The media store and its limits (config.media; main.ts builds the store). Absent (the OpenAPI
   * generator, tests of other areas): the media routes exist but answer 503 MEDIA_STORE_UNAVAILABLE.
   */
  media?: MediaSettings;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Flips readiness to 503 so a load balancer drains this replica before it closes. */
    markShuttingDown(): void;
    /** This replica's request counters, published in its heartbeat (main.ts). */
    requestStats(): RequestStats;
  }
}

/** Builds the whole API as a Fastify instance. It never listens: main.ts does, tests use inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; widening keeps plugins typed against the default instance.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimit,
    trustProxy: deps.config.trustProxy,
    // Not taken as is: requestIdFor keeps a caller's x-request-id only when it is a safe token.
    requestIdHeader: false,
    genReqId: requestIdFor,
    // Malformed URLs (`/api/sessions/%zz`) in the standard envelope, not Fastify's own body.
    frameworkErrors: onFrameworkError,
    ...deps.serverOptions,
  });
  let shuttingDown = false;
  // Once draining, every answer ends its connection: a load balancer's keep-alive pool (nginx
  // upstream keepalive) would otherwise hold sockets open that server.close() waits for, up to the
  // 65 s keep-alive timeout, past the shutdown budget. Streams already open are ended by preClose.
  app.addHook('onSend', async (_request, reply) => {
    if (shuttingDown && !reply.raw.headersSent) reply.header('connection', 'close');
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  app.decorate('requestStats', registerRequestStats(app));
  registerBodyDepthLimit(app);
  // First: a stalled or bloated replica refuses work before spending anything on it.
  await registerLoadShedding(app, deps.loadShedding);
  // Before any route: the timeout is stamped on routes as they are added.
  registerRequestTimeout(app, { timeoutMs: deps.config.requestTimeoutMs ?? 30_000 });
  // /metrics needs the admin key like any route, unless it has its own credentials (METRICS_TOKEN,
  // checked by the metrics plugin) or is opened for a private scrape network (METRICS_PUBLIC). The
  // dashboard's page and its sign-in are public: they are how a browser gets credentials.
  const metricsOwnAuth = deps.config.metricsToken !== undefined || deps.config.metricsPublic === true;
  const publicPrefixes = [
    '/api/health',
    DOCS_PATH,
    ...(metricsOwnAuth ? [METRICS_PATH] : []),
    DASHBOARD_PATH,
    DASHBOARD_SIGN_IN_PATH,
  ];
  const authFailures = createAuthFailureLimit({
    redis: deps.redis,
    redisPrefix: deps.redisPrefix,
    limit: deps.config.authFailuresPerMinute ?? 20,
  });
  const keys = createApiKeyResolver({ adminKey: deps.config.apiKey, apiKeys: deps.db.repos.apiKeys });
  const dashboardSettings = deps.config.dashboard ?? defaultDashboardConfig(deps.config.apiKey);
  const dashboardCookies = createDashboardCookies({
    secret: dashboardSettings.cookieSecret,
    adminKey: deps.config.apiKey,
    ttlMs: dashboardSettings.sessionTtlMs,
  });
  const signOuts = createSignOutList({ redis: deps.redis, redisPrefix: deps.redisPrefix });
  // Before auth (hooks run in order): it parses the Cookie header the dashboard session comes in.
  await app.register(cookie);
  registerAuth(app, {
    keys,
    publicPrefixes,
    basicAuthPrefixes: [BULL_BOARD_PATH],
    failures: authFailures,
    // The cookie opens the JSON API only; Bull Board keeps HTTP Basic (its own pages send no CSRF token).
    dashboard: {
      auth: createDashboardAuth({ cookies: dashboardCookies, signOuts, keys }),
      prefixes: ['/api'],
    },
  });
  // After auth (hooks run in order): the budget is per resolved key.
  registerRateLimit(app, {
    redis: deps.redis,
    redisPrefix: deps.redisPrefix,
    limit: deps.config.rateLimitPerMinute ?? 600,
  });
  // Before every route: @fastify/swagger collects the routes registered after it.
  await registerOpenApi(app, { publicPrefixes });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  const health = createHealthService({
    db: deps.db,
    redis: deps.redis,
    redisPrefix: deps.redisPrefix,
    checkTimeoutMs: deps.healthCheckTimeoutMs ?? 2000,
    media: deps.media?.store,
  });
  // Before the routes: its onResponse hook times every route registered after it.
  registerMetrics(app, {
    health,
    messages: deps.db.repos.messages,
    redis: deps.redis,
    redisPrefix: deps.redisPrefix,
    token: deps.config.metricsToken,
    failures: authFailures,
  });
  await app.register(healthRoutes({ health, isShuttingDown: () => shuttingDown }));
  await app.register(
    monitoringRoutes({
      monitoring: createMonitoringService({
        health,
        repos: deps.db.repos,
        redis: deps.redis,
        redisPrefix: deps.redisPrefix,
        sessionCommands: deps.sessionCommands,
        staleSessionAgeMs: deps.config.staleSessionAgeMs ?? 300_000,
      }),
    }),
  );
  const sessions = createSessionService({
    repos: deps.db.repos,
    redis: deps.redis,
    sessionCommands: deps.sessionCommands,
    redisPrefix: deps.redisPrefix,
  });
  const redisAccess = { redis: deps.redis, redisPrefix: deps.redisPrefix };
  await app.register(sessionsRoutes({ sessions }));
  await app.register(qrRoutes({ qr: createQrService({ sessions, ...redisAccess }) }));
  await app.register(
    pairingRoutes({
      pairing: createPairingService({ sessions, ...redisAccess, waitMs: deps.pairingWaitMs }),
    }),
  );
  // Operations on a session's live socket, run by the worker that owns it (packages/queue session-rpc).
  const rpc = createSessionRpcClient({
    redis: deps.redis,
    openReader: () => {
      const reader = createConsumerConnection(deps.redisUrl, { connectionName: 'wagw-api-rpc' });
      reader.on('error', (err) => app.log.warn({ err }, 'session rpc redis error'));
      return reader;
    },
    prefix: deps.redisPrefix,
    timeoutMs: deps.config.sessionRpcTimeoutMs ?? 20_000,
    logger: app.log,
  });
  app.addHook('onClose', () => rpc.close());
  await app.register(
    contactsRoutes({
      contacts: createContactsService({ sessions, repos: deps.db.repos, ...redisAccess, rpc }),
    }),
  );
  await app.register(groupsRoutes({ groups: createGroupsService({ sessions, repos: deps.db.repos, rpc }) }));
  await app.register(
    eventsRoutes({
      ...redisAccess,
      redisUrl: deps.redisUrl,
      maxStreams: deps.maxEventStreams,
      maxStreamsPerKey: deps.maxEventStreamsPerKey,
      pingMs: deps.eventStreamPingMs,
    }),
  );

  // One BullMQ Queue per session send queue (send.<sessionId>) on the fail-fast producer connection.
  const sendQueues = createSendQueues(deps.redis, deps.redisPrefix);
  app.addHook('onClose', () => sendQueues.close());
  const countStoredMedia = storedMediaCounter(deps.redis, deps.redisPrefix);
  const outbox = {
    repos: deps.db.repos,
    redis: deps.redis,
    sendQueues,
    media: { settings: deps.media, countStored: countStoredMedia },
  };
  // A claim older than the request timeout plus a margin belongs to a replica that died mid-request:
  // a retry may take it over (the sends commit their answer with their rows, so nothing doubles).
  const idempotency = {
    repo: deps.db.repos.idempotencyKeys,
    abandonAfterMs: (deps.config.requestTimeoutMs ?? 30_000) + 5_000,
  };
  const mediaLinks = deps.media && {
    secret: deps.media.urlSecret,
    ttlMs: deps.media.urlTtlMs,
    publicUrl: deps.media.publicUrl,
  };
  // A send may carry a file inline: the ordinary room plus MEDIA_BASE64_MAX_BYTES in base64 (4/3).
  const sendBodyLimit = deps.config.bodyLimit + Math.ceil((deps.media?.base64MaxBytes ?? 0) / 3) * 4;
  await app.register(
    messagesRoutes({
      messages: createMessageIntakeService(outbox),
      idempotency,
      mediaLinks,
      sendBodyLimit,
    }),
  );
  await app.register(
    chatsRoutes({ chats: createChatsService({ sessions, repos: deps.db.repos }), mediaLinks }),
  );
  const batches = createBatchService({
    ...outbox,
    redisPrefix: deps.redisPrefix,
    eventOutbox: deps.db.repos.eventOutbox,
  });
  await app.register(
    batchesRoutes({ batches, idempotency, bodyLimit: deps.config.bulkBodyLimit ?? 16 * 1024 * 1024 }),
  );

  // The webhooks queue (QUEUES.webhooks) on the producer connection, for dead-letter replays.
  const webhookQueue = createWebhookQueue(deps.redis, deps.redisPrefix);
  app.addHook('onClose', () => webhookQueue.close());
  const webhookSettings = deps.webhooks ?? { ...DEFAULT_WEBHOOK_SETTINGS, policy: createNetworkPolicy([]) };
  const webhooks = createWebhookAdminService({
    repos: deps.db.repos,
    policy: webhookSettings.policy,
    global: webhookSettings.global,
    lookup: webhookSettings.lookup,
    onChange: () => deps.redis.incr(redisKeys(deps.redisPrefix).webhooksVersion).then(() => undefined),
  });
  await app.register(webhooksRoutes({ webhooks }));
  await app.register(
    deadLettersRoutes({
      deadLetters: createDeadLetterService({
        repos: deps.db.repos,
        webhooks,
        redis: deps.redis,
        queue: webhookQueue.get,
        retry: webhookSettings.retry,
      }),
    }),
  );
  // Dashboard operations (issue #15): test events, recent deliveries, throughput, 24 h counts.
  const activity = createWebhookActivityService({
    webhooks,
    redis: deps.redis,
    redisPrefix: deps.redisPrefix,
    queue: webhookQueue.get,
    retry: webhookSettings.retry,
  });
  await app.register(webhookActivityRoutes({ activity }));
  await app.register(throughputRoutes({ messages: deps.db.repos.messages }));
  await app.register(sessionStatsRoutes({ repos: deps.db.repos }));

  await app.register(mediaRoutes({ media: deps.media && createMediaService(deps.media, countStoredMedia) }));
  await app.register(apiKeysRoutes({ apiKeys: createApiKeyService({ repos: deps.db.repos }) }));
  await app.register(dashboardRoutes({ keys, cookies: dashboardCookies, signOuts }));
  await registerDashboardStatic(app, { distDir: deps.dashboardDistDir ?? DEFAULT_DASHBOARD_DIST });
  await registerBullBoard(app, {
    redis: deps.redis,
    prefix: deps.redisPrefix,
    readOnly: deps.config.bullBoardReadOnly,
  });

  app.decorate('markShuttingDown', () => {
    shuttingDown = true;
  });
  return app;
}
