import type { RedisConnection } from '@wagw/queue';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../lib/http-schemas.js';
import { withRedis } from '../../lib/redis-guard.js';
import { assertSessionAccess, sessionScope } from '../../plugins/auth.js';
import { createEventHub } from './event-hub.js';
import { type EventStream, startEventStream } from './event-stream.js';
import { eventsHeaders, eventsQuery } from './events.schemas.js';
import { streamTail } from './stream-entries.js';
import { createStreamSlots } from './stream-slots.js';

export interface EventsRoutesDeps {
  /** Producer connection: resolves the resume point and reads resumes' catch-up (fails fast). */
  redis: RedisConnection;
  /** The hub's one consumer connection per process goes to this URL (XREAD BLOCK holds it). */
  redisUrl: string;
  redisPrefix: string;
  /** Open streams per replica (SSE_MAX_STREAMS). Default 1000. */
  maxStreams?: number;
  /** Open streams per API key per replica (SSE_MAX_STREAMS_PER_KEY). Default 10. */
  maxStreamsPerKey?: number;
  /** Comment sent on idle streams so proxies and the socket timeout keep them open. Default 15000 ms. */
  pingMs?: number;
}

/**
 * Whose share a stream counts against: the stored key's id, 'admin' for the config API_KEY. A
 * dashboard cookie resolves to the principal of the key that signed in, so it shares that key's.
 */
function streamOwner(request: FastifyRequest): string {
  return request.principal?.keyId ?? 'admin';
}

/**
 * GET /api/events: the gateway's event stream as Server-Sent Events, resumable with Last-Event-ID
 * (the Redis stream keeps about EVENT_STREAM_MAXLEN recent events).
 */
export function eventsRoutes(deps: EventsRoutesDeps) {
  const pingMs = deps.pingMs ?? 15_000;

  return async function register(app: FastifyInstance): Promise<void> {
    const slots = createStreamSlots({
      maxTotal: deps.maxStreams ?? 1000,
      maxPerKey: deps.maxStreamsPerKey ?? 10,
    });
    const hub = createEventHub({ redisUrl: deps.redisUrl, prefix: deps.redisPrefix, logger: app.log });
    const open = new Set<EventStream>();
    // preClose, not onClose: Fastify's server.close() waits for open connections and runs before
    // onClose hooks, so a stream still open then would keep app.close() from ever finishing.
    app.addHook('preClose', async () => {
      for (const stream of open) stream.close();
    });
    app.addHook('onClose', async () => hub.close());

    app.withTypeProvider<ZodTypeProvider>().get(
      '/api/events',
      {
        // A session key streams only its own session's events (filter forced below).
        config: { sessionAccess: 'resource' },
        schema: {
          tags: ['events'],
          querystring: eventsQuery,
          headers: eventsHeaders,
          response: {
            200: {
              description: 'text/event-stream: `id` = stream id, `event` = name, `data` = JSON envelope',
              content: { 'text/event-stream': { schema: z.string() } },
            },
            403: errorResponse,
            429: errorResponse,
            503: errorResponse,
          },
        },
      },
      async (request, reply) => {
        if (request.query.sessionId !== undefined) assertSessionAccess(request, request.query.sessionId);
        const sessionId = request.query.sessionId ?? sessionScope(request);
        // Reserved before the first await, released exactly once (slot.release is idempotent): when
        // the stream ends, when the client goes away, or when the route fails before streaming.
        const slot = slots.acquire(streamOwner(request));
        reply.raw.once('close', slot.release);
        let afterId: string;
        try {
          afterId =
            request.headers['last-event-id'] ??
            (await withRedis(deps.redis, () => streamTail(deps.redis, deps.redisPrefix)));
        } catch (err) {
          slot.release();
          throw err;
        }
        if (reply.raw.destroyed) {
          // The client left while we waited: nothing to stream to ('close' released the slot).
          reply.hijack();
          return;
        }
        const names = request.query.event
          ?.split(',')
          .map((name) => name.trim())
          .filter(Boolean);

        // From here on Fastify no longer owns the response: no serializer, no onSend hooks.
        reply.hijack();
        reply.raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          // nginx buffers responses by default, which would hold events back.
          'x-accel-buffering': 'no',
          'x-request-id': String(request.id),
        });
        reply.raw.write(': connected\n\n');
        const stream = startEventStream({
          response: reply.raw,
          hub,
          redis: deps.redis,
          prefix: deps.redisPrefix,
          afterId,
          filter: {
            sessionId,
            events: names?.length ? new Set(names) : undefined,
          },
          pingMs,
          logger: request.log,
          onEnd: () => {
            open.delete(stream);
            slot.release();
          },
        });
        open.add(stream);
      },
    );
  };
}
