import underPressure from '@fastify/under-pressure';
import { AppError } from '@wagw/errors';
import type { FastifyInstance } from 'fastify';

export interface LoadSheddingOptions {
  /** MAX_EVENT_LOOP_DELAY, mean over a sample, in ms; 0 = off. Default 1000. */
  maxEventLoopDelayMs?: number;
  /** MAX_HEAP_USED_BYTES; 0 = off. Default 0. */
  maxHeapUsedBytes?: number;
  /** MAX_RSS_BYTES; 0 = off. Default 0. */
  maxRssBytes?: number;
  /** MAX_EVENT_LOOP_UTILIZATION, 0-1; 0 = off. Default 0.98. */
  maxEventLoopUtilization?: number;
  /** How often the process is sampled, in ms. Default 1000 (also the shortest a shedding spell lasts). */
  sampleIntervalMs?: number;
  /** Seconds a shed client is told to wait (Retry-After). Default 5. */
  retryAfterS?: number;
  /** Paths never shed: liveness must keep answering, or the orchestrator kills a merely busy replica. */
  exemptPaths?: readonly string[];
}

/**
 * Sheds load with @fastify/under-pressure: while the event loop lags or memory is over its limit,
 * requests are answered at once with 503 SERVICE_OVERLOADED and Retry-After in the standard
 * envelope, instead of queueing behind the stall until clients time out. Readiness is shed too,
 * which is what we want: the load balancer moves traffic to a replica that can answer.
 */
export async function registerLoadShedding(app: FastifyInstance, options: LoadSheddingOptions = {}) {
  const retryAfter = options.retryAfterS ?? 5;
  const exempt = new Set(options.exemptPaths ?? ['/api/health/live']);
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs ?? 1000,
    maxHeapUsedBytes: options.maxHeapUsedBytes ?? 0,
    maxRssBytes: options.maxRssBytes ?? 0,
    maxEventLoopUtilization: options.maxEventLoopUtilization ?? 0.98,
    // Per sample, not since start: a lifetime average would never notice an overload hours in.
    eventLoopUtilizationMode: 'interval',
    sampleInterval: options.sampleIntervalMs ?? 1000,
    // Returning undefined lets the request through; a rejection goes to our error handler.
    pressureHandler: async (request, _reply, type, value) => {
      const path = request.url.split('?')[0] ?? '';
      if (exempt.has(path)) return;
      request.log.warn({ pressure: type, value, route: request.routeOptions.url }, 'load shed');
      throw new AppError('SERVICE_OVERLOADED', `server overloaded (${type}); retry shortly`, {
        retryAfter,
      });
    },
  });
}
