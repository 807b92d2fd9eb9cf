import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import { AppError } from '@wagw/errors';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorReply } from './error-handler.js';

type PressureHandler = NonNullable<FastifyUnderPressureOptions['pressureHandler']>;

export interface LoadSheddingOptions {
  /** MAX_EVENT_LOOP_DELAY, mean over a sample, in ms; 0 = off. Default 1000. */
  maxEventLoopDelayMs?: number;
  /** MAX_HEAP_USED_BYTES; 0 = off. Default 0. */
  maxHeapUsedBytes?: number;
  /** MAX_RSS_BYTES; 0 = off. Default 0. */
  maxRssBytes?: number;
  /**
   * MAX_EVENT_LOOP_UTILIZATION, 0-1; 0 = off. Default 0 (off): a loop busy 100 % of the time
   * while it answers in milliseconds is a server at full use, not an overloaded one (issue #18:
   * at 0.98 it refused 97 % of sends under `autocannon -c 50` with millisecond latencies).
   */
  maxEventLoopUtilization?: number;
  /** How often the process is sampled, in ms. Default 1000 (also the shortest a shedding spell lasts). */
  sampleIntervalMs?: number;
  /** Seconds a shed client is told to wait (Retry-After). Default 5. */
  retryAfterS?: number;
  /** Paths never shed: liveness must keep answering, or the orchestrator kills a merely busy replica. */
  exemptPaths?: readonly string[];
  /** Refusals are logged as one summary line per this many ms, never one per request. Default 10000. */
  refusalLogIntervalMs?: number;
}

/**
 * Counts refusals and logs them as one warning per interval (how many, and the last pressure
 * seen): under a flood a line per refusal would make the logger the next bottleneck.
 */
function createRefusalLog(log: FastifyBaseLogger, intervalMs: number) {
  let refused = 0;
  let last: { pressure: string; value: unknown } | undefined;
  let timer: NodeJS.Timeout | undefined;
  function flush(): void {
    timer = undefined;
    if (refused === 0) return;
    log.warn({ refused, intervalMs, ...last }, 'load shed: requests refused with 503');
    refused = 0;
  }
  return {
    record(pressure: string, value: unknown): void {
      refused += 1;
      last = { pressure, value };
      if (timer === undefined) timer = setTimeout(flush, intervalMs).unref();
    },
    /** Logs what is still counted (on close), so no refusal goes unreported. */
    close(): void {
      clearTimeout(timer);
      flush();
    },
  };
}

/**
 * Sheds load with @fastify/under-pressure: while the event loop lags or memory is over its limit,
 * requests are answered at once with 503 SERVICE_OVERLOADED and Retry-After in the standard
 * envelope, instead of queueing behind the stall until clients time out. Readiness is shed too,
 * which is what we want: the load balancer moves traffic to a replica that can answer.
 *
 * It sheds on latency, not on how busy the loop is: the delay is what clients feel. The default
 * 1000 ms is a mean lag over a whole sample, so one GC pause or one large JSON body does not trip
 * it; a saturated but healthy API lags a few ms (autocannon -c 50 against sends), and at a second
 * of lag every request already waits longer than a retry on another replica would take.
 */
export async function registerLoadShedding(app: FastifyInstance, options: LoadSheddingOptions = {}) {
  const retryAfter = options.retryAfterS ?? 5;
  const exempt = new Set(options.exemptPaths ?? ['/api/health/live']);
  const refusals = createRefusalLog(app.log, options.refusalLogIntervalMs ?? 10_000);
  app.addHook('onClose', async () => refusals.close());
  // Returning undefined lets the request through; returning a body makes under-pressure send it and
  // end the hook chain (its index.js handlePressure; its types only say void). Neither thrown (the
  // error handler would log a stack per refused request) nor sent here (under-pressure would then
  // run the next hooks while the reply is still being written).
  function refuse(request: FastifyRequest, reply: FastifyReply, type: string, value: unknown) {
    const path = request.url.split('?')[0] ?? '';
    if (exempt.has(path)) return undefined;
    refusals.record(type, value);
    const err = new AppError('SERVICE_OVERLOADED', `server overloaded (${type}); retry shortly`, {
      retryAfter,
    });
    return errorReply(reply, request, err);
  }
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs ?? 1000,
    maxHeapUsedBytes: options.maxHeapUsedBytes ?? 0,
    maxRssBytes: options.maxRssBytes ?? 0,
    maxEventLoopUtilization: options.maxEventLoopUtilization ?? 0,
    // Per sample, not since start: a lifetime average would never notice an overload hours in.
    eventLoopUtilizationMode: 'interval',
    sampleInterval: options.sampleIntervalMs ?? 1000,
    pressureHandler: refuse as unknown as PressureHandler,
  });
}
