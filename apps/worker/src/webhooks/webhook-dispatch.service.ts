import type { Repositories } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { QUEUES, type RedisConnection, type WebhookRetryPolicy } from '@wagw/queue';
import type { BreakerState } from '@wagw/resilience';
import { createNetworkPolicy, isValidEventFilter } from '@wagw/webhooks';
import { Queue, Worker } from 'bullmq';
import { createEndpointGuards } from './endpoint-guards.js';
import { startEventDispatcher } from './event-dispatcher.js';
import { webhookBackoff } from './webhook-backoff.js';
import { createDeliveryProcessor } from './webhook-delivery.processor.js';
import { createWebhookTargets, type GlobalWebhookConfig } from './webhook-targets.js';

export interface WebhookDispatchDeps {
  logger: Logger;
  repos: Pick<Repositories, 'webhooks' | 'sessions' | 'deadLetters'>;
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Producer connection (fails fast): enqueueing fan-out jobs, counters. */
  redis: RedisConnection;
  /** Consumer connection (waits for Redis): the BullMQ worker. */
  connection: RedisConnection;
  /** A dedicated consumer connection for the dispatcher's blocking reads. */
  dispatchConnection: RedisConnection;
  prefix: string;
  consumerName: string;
  webhooks: { allowedNetworks: string[]; global: GlobalWebhookConfig | null; retry: WebhookRetryPolicy };
  delivery: {
    timeoutMs: number;
    concurrency: number;
    endpointConcurrency: number;
    breaker: { threshold: number; resetMs: number };
    lockDurationMs: number;
    claimIdleMs: number;
  };
}

/** How much longer than the delivery timeout a killed worker's half-open probe blocks the next one. */
const PROBE_TTL_MARGIN_MS = 5_000;

/**
 * The worker's webhook side: the dispatcher fanning stream events out to jobs, and the consumer of
 * the `webhooks` queue delivering them. Every worker runs both; the consumer group and BullMQ
 * spread the work, and any worker finishes what a dead one started.
 */
export function startWebhookDispatch(deps: WebhookDispatchDeps) {
  const { logger, delivery } = deps;
  // Configuration checks only the shape of WEBHOOK_EVENTS; a misspelt name would subscribe to nothing.
  const unknown = deps.webhooks.global?.events.filter((filter) => !isValidEventFilter(filter)) ?? [];
  if (unknown.length > 0) throw new Error(`WEBHOOK_EVENTS: unknown event filter(s) ${unknown.join(', ')}`);
  const targets = createWebhookTargets({
    repos: deps.repos,
    global: deps.webhooks.global,
    db: deps.db,
    redis: deps.redis,
    prefix: deps.prefix,
  });
  const guards = createEndpointGuards({
    redis: deps.redis,
    prefix: deps.prefix,
    // A probe takes at most the timeout; the margin covers signing and the Redis round trips.
    probeTtlMs: delivery.timeoutMs + PROBE_TTL_MARGIN_MS,
    concurrency: delivery.endpointConcurrency,
    breaker: delivery.breaker,
    onBreakerChange: (state, name) => logger.warn({ breaker: name, state }, 'circuit breaker state changed'),
  });
  const queue = new Queue(QUEUES.webhooks, { connection: deps.redis, prefix: deps.prefix });
  queue.on('error', (err) => logger.warn({ err }, 'webhooks queue error'));

  const processor = createDeliveryProcessor({
    targets,
    guards,
    repos: deps.repos,
    db: deps.db,
    redis: deps.redis,
    prefix: deps.prefix,
    policy: createNetworkPolicy(deps.webhooks.allowedNetworks),
    timeoutMs: delivery.timeoutMs,
    logger,
  });
  const worker = new Worker(QUEUES.webhooks, processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: delivery.concurrency,
    // A delivery holds its lock at most timeoutMs; a killed worker's jobs return after lockDuration.
    lockDuration: delivery.lockDurationMs,
    stalledInterval: delivery.lockDurationMs,
    // Failovers stop workers abruptly; a job stalled by that is not the receiver's fault.
    maxStalledCount: 5,
    settings: { backoffStrategy: webhookBackoff },
  });
  worker.on('error', (err) => logger.warn({ err }, 'webhook worker error'));

  const dispatcher = startEventDispatcher({
    connection: deps.dispatchConnection,
    prefix: deps.prefix,
    consumer: deps.consumerName,
    queue,
    targets,
    retry: deps.webhooks.retry,
    claimIdleMs: delivery.claimIdleMs,
    logger,
  });

  return {
    /**
     * `webhook:<id>` breaker of every endpoint this worker delivered to recently: the shared state,
     * as last read from Redis (at most a couple of seconds old).
     */
    breakers(): Record<string, BreakerState> {
      return guards.states();
    },
    /** Stops fanning out, lets deliveries in hand finish (each bounded by the timeout), closes. */
    async close(): Promise<void> {
      await dispatcher.stop();
      await worker.close();
      await queue.close();
      guards.close();
    },
  };
}
