import type { ServerResponse } from 'node:http';
import { createConsumerConnection, type GatewayEvent, readEvents } from '@wagw/queue';
import { sleep } from '@wagw/resilience';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

export interface EventFilter {
  sessionId?: string;
  events?: ReadonlySet<string>;
}

export interface EventStreamOptions {
  response: ServerResponse;
  redisUrl: string;
  prefix: string;
  /** Concrete stream id to read after (never '$': see events.routes.ts). */
  afterId: string;
  filter: EventFilter;
  pingMs: number;
  /** The request's logger, so stream problems carry its request id. */
  logger: Pick<FastifyBaseLogger, 'debug' | 'warn' | 'error'>;
  onEnd: () => void;
}

/** XREAD block per round trip; short enough that a dead connection is noticed soon. */
const BLOCK_MS = 5000;
/** Pause after a failed read (Redis down) before trying again; the client keeps its ping. */
const READ_RETRY_MS = 1000;

export function matches(event: GatewayEvent, filter: EventFilter): boolean {
  if (filter.sessionId !== undefined && event.sessionId !== filter.sessionId) return false;
  return !filter.events || filter.events.has(event.event);
}

/**
 * One SSE client: a dedicated consumer connection (XREAD BLOCK occupies a connection, so streams
 * cannot share the API's producer connection) feeding `response` until either side closes.
 */
export function startEventStream(options: EventStreamOptions) {
  const { response } = options;
  const conn: Redis = createConsumerConnection(options.redisUrl);
  conn.on('error', (err) => options.logger.debug({ err }, 'event stream redis error'));
  let closed = false;
  /** Aborted on close, so a retry pause ends with the stream instead of outliving it. */
  const closing = new AbortController();
  let lastId = options.afterId;

  const ping = setInterval(() => write(': ping\n\n'), options.pingMs);

  function write(chunk: string): boolean {
    return closed ? false : response.write(chunk);
  }

  function close(): void {
    if (closed) return;
    closed = true;
    closing.abort();
    clearInterval(ping);
    // disconnect() rejects the pending XREAD at once, which ends the read loop.
    conn.disconnect();
    if (!response.writableEnded) response.end();
    options.onEnd();
  }

  async function waitForDrain(): Promise<void> {
    // A slow client must not make us buffer the whole stream in memory.
    await new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  }

  async function loop(): Promise<void> {
    while (!closed) {
      let batch: Awaited<ReturnType<typeof readEvents>>;
      try {
        batch = await readEvents(conn, options.prefix, lastId, { blockMs: BLOCK_MS });
      } catch (err) {
        if (closed) return;
        options.logger.warn({ err }, 'event stream read failed');
        if (!(await sleep(READ_RETRY_MS, closing.signal))) return;
        continue;
      }
      for (const { streamId, event } of batch) {
        lastId = streamId;
        if (!matches(event, options.filter)) continue;
        // A newline in a name would end the SSE field early; names are ours, but never trust framing.
        const name = event.event.replace(/[\r\n]/g, '');
        const ok = write(`id: ${streamId}\nevent: ${name}\ndata: ${JSON.stringify(event)}\n\n`);
        if (!ok && !closed) await waitForDrain();
      }
    }
  }

  response.on('close', close);
  loop().catch((err) => {
    options.logger.error({ err }, 'event stream failed');
    close();
  });

  return { close };
}

export type EventStream = ReturnType<typeof startEventStream>;
