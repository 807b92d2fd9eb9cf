import type { Repositories, Webhook } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import {
  type DeliveryOutcome,
  type GatewayEvent,
  metricsKeys,
  type RedisConnection,
  recordDeliveryAttempt,
  webhookDeliveryJob,
} from '@wagw/queue';
import { deliveryHeaders, type NetworkPolicy, type PostResult, postWebhook } from '@wagw/webhooks';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { EndpointGuards } from './endpoint-guards.js';
import { RetryLater } from './webhook-backoff.js';
import type { WebhookTargets } from './webhook-targets.js';

export interface DeliveryProcessorDeps {
  targets: WebhookTargets;
  guards: EndpointGuards;
  repos: Pick<Repositories, 'deadLetters'>;
  /** Runs a database call through the worker's database breaker. */
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Producer connection, for the shared outcome counters (best effort). */
  redis: RedisConnection;
  prefix: string;
  policy: NetworkPolicy;
  /** WEBHOOK_TIMEOUT: one attempt, connect to last byte, in ms. */
  timeoutMs: number;
  logger: Logger;
}

export type Verdict = 'ok' | 'retry' | 'permanent';

/**
 * What one attempt's result means. Timeouts, network errors, 408, 429 and 5xx are the receiver's
 * passing trouble: retried, and counted against its breaker. Any other answer (3xx, 4xx) is the
 * receiver refusing this payload: retrying would get the same answer, so it is dead-lettered at once.
 * A target that now resolves to a forbidden address (DNS changed) is refused for good as well.
 */
export function verdictOf(result: PostResult): Verdict {
  if (result.ok) return 'ok';
  if (result.status === null) return result.error?.startsWith('EWEBHOOKFORBIDDEN') ? 'permanent' : 'retry';
  if (result.status === 408 || result.status === 429 || result.status >= 500) return 'retry';
  return 'permanent';
}

function outcomeOf(verdict: Verdict, lastAttempt: boolean): DeliveryOutcome {
  if (verdict === 'ok') return 'delivered';
  return verdict === 'permanent' || lastAttempt ? 'dead_lettered' : 'retrying';
}

function describe(result: PostResult): string {
  return result.status === null ? (result.error ?? 'no response') : `HTTP ${result.status}`;
}

/**
 * A job finding its endpoint's slots taken waits in the process when a slot is expected within
 * this long, and is otherwise put back as delayed by this long (plus jitter): waiting is only
 * chosen when it is expected to be quicker than the round trip through the delayed set.
 */
const SLOT_WAIT_BUDGET_MS = 250;

/** Random extra delay so deferred jobs of one endpoint do not all come back in the same tick. */
function jitter(ms: number): number {
  return ms + Math.floor(Math.random() * Math.min(1000, Math.max(50, ms / 2)));
}

/**
 * Delivers one event to one endpoint (one BullMQ job of the `webhooks` queue). Jobs for an endpoint
 * that is at its slot limit or whose breaker is open are put back as delayed without using an
 * attempt, so they wait instead of occupying the worker's slots. The last failed attempt (or a
 * refusal) stores a dead letter before the job fails, so nothing is lost with Redis' failed set.
 */
export function createDeliveryProcessor(deps: DeliveryProcessorDeps) {
  const { logger } = deps;
  const counters = metricsKeys(deps.prefix).webhooks;

  // Outcome counts are added up and written once per turn of the event loop (one HINCRBY per
  // outcome in one pipeline) rather than one command per delivery.
  const tally = new Map<string, number>();
  function count(outcome: string): void {
    if (tally.size === 0) setImmediate(flushCounts);
    tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
  }
  function flushCounts(): void {
    const pipeline = deps.redis.pipeline();
    for (const [outcome, n] of tally) pipeline.hincrby(counters, outcome, n);
    tally.clear();
    void pipeline.exec().catch(() => undefined);
  }

  /** The webhook's recent-deliveries list (GET /api/webhooks/:id/deliveries). Best effort, like count(). */
  function logAttempt(
    webhookId: string,
    event: GatewayEvent,
    attempt: number,
    result: PostResult,
    how: { outcome: DeliveryOutcome; replay: boolean },
  ): void {
    void recordDeliveryAttempt(deps.redis, deps.prefix, webhookId, {
      eventId: event.id,
      event: event.event,
      attempt,
      at: new Date().toISOString(),
      outcome: how.outcome,
      httpStatus: result.status,
      durationMs: Math.round(result.durationMs),
      error: result.ok ? null : describe(result),
      replay: how.replay,
    }).catch(() => undefined);
  }

  async function defer(job: Job, token: string | undefined, ms: number, why: string): Promise<never> {
    await job.moveToDelayed(Date.now() + jitter(ms), token);
    throw new DelayedError(why);
  }

  async function deadLetter(
    job: Job,
    hook: Webhook,
    event: GatewayEvent,
    result: PostResult,
  ): Promise<never> {
    await deps.db(() =>
      deps.repos.deadLetters.record({
        webhookId: hook.id,
        sessionId: event.sessionId,
        eventId: event.id,
        event: event.event,
        payload: event as unknown as Record<string, unknown>,
        // This run's attempts only: a replay's row already holds the earlier ones and adds these.
        attempts: job.attemptsMade + 1,
        lastStatus: result.status,
        lastResponse: result.body,
        lastError: describe(result),
      }),
    );
    count('dead_lettered');
    logger.warn(
      { webhookId: hook.id, eventId: event.id, status: result.status, error: result.error },
      'webhook delivery dead-lettered',
    );
    throw new UnrecoverableError(`dead-lettered: ${describe(result)}`);
  }

  return async function processWebhookDelivery(job: Job, token?: string) {
    const parsed = webhookDeliveryJob.safeParse(job.data);
    // A malformed job will not get better by retrying it.
    if (!parsed.success) throw new UnrecoverableError(`invalid webhook job: ${parsed.error.message}`);
    const data = parsed.data;
    const event = data.event as GatewayEvent | undefined;
    if (!event) throw new UnrecoverableError('webhook job without an event envelope');
    const hook = await deps.targets.get(data.webhookId);
    if (!hook?.enabled) {
      // Deleted (its dead letters went with it) or disabled since the event was fanned out.
      if (hook && data.deadLetterId)
        await deps.db(() => deps.repos.deadLetters.revertReplaying(data.deadLetterId ?? ''));
      count('skipped');
      return { skipped: hook ? 'webhook disabled' : 'webhook deleted' };
    }

    // Built before a slot is taken: nothing may throw between taking it and the `finally` freeing it.
    const attempt = (data.priorAttempts ?? 0) + job.attemptsMade + 1;
    const body = JSON.stringify(event);
    const headers = {
      ...hook.headers,
      ...deliveryHeaders({
        secret: hook.secret,
        eventId: event.id,
        event: event.event,
        sessionId: event.sessionId,
        attempt,
        body,
      }),
    };
    // Breaker and slots are shared by every worker (Redis): one endpoint gets its concurrency in
    // total, and failures seen by any worker open its breaker for all.
    const entry = await deps.guards.enter(hook.id, SLOT_WAIT_BUDGET_MS);
    if (entry.kind === 'open')
      return defer(job, token, Math.max(250, entry.retryAfterMs), 'endpoint breaker open');
    if (entry.kind === 'busy')
      return defer(job, token, SLOT_WAIT_BUDGET_MS, 'endpoint at its concurrency limit');

    let result: PostResult;
    // Anything but an answer (a thrown error included) counts against the breaker.
    let outcome: 'ok' | 'fail' = 'fail';
    try {
      result = await postWebhook(hook.url, body, headers, { timeoutMs: deps.timeoutMs, policy: deps.policy });
      // Only the receiver's trouble counts against its breaker; a refusal is an answer.
      if (verdictOf(result) !== 'retry') outcome = 'ok';
    } finally {
      // Best effort: when Redis cannot answer, the slot expires by itself (its lease is no longer renewed).
      await entry
        .leave(outcome)
        .catch((err) => logger.warn({ err, webhookId: hook.id }, 'could not free a webhook endpoint slot'));
    }

    const verdict = verdictOf(result);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    logAttempt(hook.id, event, attempt, result, {
      outcome: outcomeOf(verdict, lastAttempt),
      replay: data.deadLetterId !== undefined,
    });
    if (verdict === 'ok') {
      if (data.deadLetterId) await deps.db(() => deps.repos.deadLetters.resolve(event.id, hook.id));
      count('delivered');
      return { status: result.status, durationMs: result.durationMs, attempt };
    }
    if (verdict === 'permanent' || lastAttempt) return deadLetter(job, hook, event, result);
    count('retried');
    logger.debug(
      { webhookId: hook.id, eventId: event.id, attempt, error: describe(result) },
      'webhook attempt failed',
    );
    throw new RetryLater(describe(result), result.retryAfterMs);
  };
}
