import { AppError } from '@wagw/errors';
import { redisKeys } from '@wagw/queue';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { errorResponse } from '../../lib/http-schemas.js';
import { REDIS_RETRY_AFTER_S, withRedis } from '../../lib/redis-guard.js';
import { assertSessionAccess, sessionScope } from '../../plugins/auth.js';
import { type EventStream, startEventStream } from './event-stream.js';
import { eventsHeaders, eventsQuery } from './events.schemas.js';

export interface EventsRoutesDeps {
  /** Producer connection: resolves the resume point before the stream opens (fails fast). */
  redis: Redis;
  /** Each stream opens its own consumer connection to this URL. */
  redisUrl: string;
  redisPrefix: string;
  /** Open streams per replica; each holds a Redis connection. Default 100. */
  maxStreams?: number;
  /** Comment sent on idle streams so proxies and the socket timeout keep them open. Default 15000 ms. */
  pingMs?: number;
}

/**
 * GET /api/events: the gateway's event stream as Server-Sent Events, resumable with Last-Event-ID
 * (the Redis stream keeps about EVENT_STREAM_MAXLEN recent events).
 */
export function eventsRoutes(deps: EventsRoutesDeps) {
  const maxStreams = deps.maxStreams ?? 100;
  const pingMs = deps.pingMs ?? 15_000;
  const eventsKey = redisKeys(deps.redisPrefix).events;

  return async function register(app: FastifyInstance): Promise<void> {
    const open = new Set<EventStream>();
    // preClose, not onClose: Fastify's server.close() waits for open connections and runs before
    // onClose hooks, so a stream still open then would keep app.close() from ever finishing.
    app.addHook('preClose', async () => {
      for (const stream of open) stream.close();
    });

    /** The newest id in the stream, so "from now on" is a fixed point and nothing slips past. */
    async function currentTail(): Promise<string> {
      const last = await withRedis(deps.redis, () => deps.redis.xrevrange(eventsKey, '+', '-', 'COUNT', 1));
      return last[0]?.[0] ?? '0-0';
    }

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
            503: errorResponse,
          },
        },
      },
      async (request, reply) => {
        if (request.query.sessionId !== undefined) assertSessionAccess(request, request.query.sessionId);
        const sessionId = request.query.sessionId ?? sessionScope(request);
        if (open.size >= maxStreams) {
          throw new AppError('SERVICE_OVERLOADED', `too many open event streams (${maxStreams})`, {
            retryAfter: REDIS_RETRY_AFTER_S,
          });
        }
        const afterId = request.headers['last-event-id'] ?? (await currentTail());
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
          redisUrl: deps.redisUrl,
          prefix: deps.redisPrefix,
          afterId,
          filter: {
            sessionId,
            events: names?.length ? new Set(names) : undefined,
          },
          pingMs,
          logger: request.log,
          onEnd: () => open.delete(stream),
        });
        open.add(stream);
      },
    );
  };
}
