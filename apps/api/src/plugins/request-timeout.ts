import type { FastifyError, FastifyInstance } from 'fastify';

export interface RequestTimeoutOptions {
  /** REQUEST_TIMEOUT in ms: a route still running after this answers 504 REQUEST_TIMEOUT. */
  timeoutMs: number;
  /**
   * Route prefixes with no timeout. Default: `/api/events` (SSE streams are long-lived by design;
   * they hijack the reply, which also ends Fastify's timer, but the exemption makes it explicit).
   */
  exemptPrefixes?: readonly string[];
}

/**
 * Per-route handler timeout on Fastify's own `handlerTimeout`: when it fires, Fastify aborts
 * `request.signal` (handlers pass it to whatever accepts a signal, so the work is cancelled where
 * possible) and answers with FST_ERR_HANDLER_TIMEOUT, which the error handler turns into
 * 504 REQUEST_TIMEOUT in the standard envelope. The connection stays usable (no socket hang-up).
 * Register before any route: the timeout is stamped on routes as they are added.
 */
export function registerRequestTimeout(app: FastifyInstance, options: RequestTimeoutOptions): void {
  const exempt = options.exemptPrefixes ?? ['/api/events'];
  app.addHook('onRoute', (route) => {
    if (exempt.some((prefix) => route.url === prefix || route.url.startsWith(`${prefix}/`))) return;
    route.handlerTimeout ??= options.timeoutMs;
  });
  app.addHook('onError', async (request, _reply, error: FastifyError) => {
    if (error.code !== 'FST_ERR_HANDLER_TIMEOUT') return;
    request.log.warn(
      {
        route: request.routeOptions.url,
        method: request.method,
        timeoutMs: request.routeOptions.handlerTimeout,
      },
      'request timed out',
    );
  });
}
