import type { ServerResponse } from 'node:http';
import type { GatewayEvent, RedisConnection } from '@wagw/queue';
import type { FastifyBaseLogger } from 'fastify';
import type { EventHub } from './event-hub.js';
import { compareIds, readRange, type StreamEntry } from './stream-entries.js';

export interface EventFilter {
  sessionId?: string;
  events?: ReadonlySet<string>;
}

export interface EventStreamOptions {
  response: ServerResponse;
  /** The process's one reader of the event stream (event-hub.ts). */
  hub: EventHub;
  /** Producer connection: reads the catch-up of a resumed stream without blocking the hub's reads. */
  redis: RedisConnection;
  prefix: string;
  /** Concrete stream id to send events after (never '$': see events.routes.ts). */
  afterId: string;
  filter: EventFilter;
  pingMs: number;
  /** The request's logger, so stream problems carry its request id. */
  logger: Pick<FastifyBaseLogger, 'debug' | 'warn' | 'error'>;
  onEnd: () => void;
}

/** Entries per catch-up read: a resume over the whole stream (about 10,000) takes 20 round trips. */
const CATCH_UP_PAGE = 500;
/**
 * Live entries held while a resumed stream catches up. The Redis stream keeps about 10,000, so a
 * catch-up never needs more; beyond it the client is dropped and resumes with Last-Event-ID.
 */
const MAX_HELD_ENTRIES = 10_000;
/**
 * Bytes a client may leave unread before it is dropped. The hub cannot wait for one slow client, so
 * its events are buffered here; events are rarely above 2 KB, so this is hundreds of events behind.
 * A dropped EventSource reconnects with Last-Event-ID and catches up from Redis.
 */
const MAX_UNREAD_BYTES = 1024 * 1024;

export function matches(event: GatewayEvent, filter: EventFilter): boolean {
  if (filter.sessionId !== undefined && event.sessionId !== filter.sessionId) return false;
  return !filter.events || filter.events.has(event.event);
}

/**
 * One SSE client fed by the hub until either side closes. A resumed client (Last-Event-ID older than
 * the hub's position) first reads the gap from Redis while the hub's live entries are held, then
 * gets the held entries: nothing is skipped or sent twice.
 */
export function startEventStream(options: EventStreamOptions) {
  const { response } = options;
  let closed = false;
  let lastId = options.afterId;
  /** Live entries that arrive during the catch-up; null once the stream is live. */
  let held: StreamEntry[] | null = [];

  const subscription = options.hub.subscribe((entries) => {
    if (closed) return;
    if (held === null) {
      deliver(entries);
      return;
    }
    held.push(...entries);
    if (held.length > MAX_HELD_ENTRIES) drop('event stream fell behind during catch-up');
  });
  const ping = setInterval(() => write(': ping\n\n'), options.pingMs);

  function write(chunk: string): boolean {
    return closed ? false : response.write(chunk);
  }

  /** Sends the entries after `lastId` that pass the filter; false when the client's buffer is full. */
  function deliver(entries: readonly StreamEntry[]): boolean {
    let ok = true;
    for (const entry of entries) {
      if (closed) return false;
      if (compareIds(entry.streamId, lastId) <= 0) continue;
      lastId = entry.streamId;
      if (matches(entry.event, options.filter)) ok = write(entry.frame) && ok;
    }
    if (response.writableLength > MAX_UNREAD_BYTES) drop('event stream client too slow');
    return ok;
  }

  /** Ends a client that cannot keep up: destroyed, not ended, so its unread buffer is freed now. */
  function drop(reason: string): void {
    options.logger.warn({ lastId }, reason);
    response.destroy();
    close();
  }

  function close(): void {
    if (closed) return;
    closed = true;
    held = null;
    clearInterval(ping);
    subscription.unsubscribe();
    if (!response.writableEnded && !response.destroyed) response.end();
    options.onEnd();
  }

  async function waitForDrain(): Promise<void> {
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

  async function catchUp(): Promise<void> {
    const position = await subscription.position;
    while (!closed && compareIds(lastId, position) < 0) {
      const page = await readRange(options.redis, options.prefix, lastId, position, CATCH_UP_PAGE);
      if (page.length === 0) break;
      // A resume reads at the client's pace: wait for the socket before the next page.
      // deliver() moves lastId past every entry, those the filter skips included.
      if (!deliver(page) && !closed) await waitForDrain();
    }
    if (closed || held === null) return;
    const pending = held;
    held = null;
    deliver(pending);
  }

  response.on('close', close);
  // A client already gone has emitted 'close' before we listened. Deferred: the caller has not
  // received this stream yet, and onEnd may refer to it.
  if (response.destroyed) queueMicrotask(close);
  catchUp().catch((err) => {
    if (closed) return;
    // Redis failed the catch-up: the client reconnects with the Last-Event-ID it has and tries again.
    options.logger.warn({ err }, 'event stream catch-up failed');
    close();
  });

  return { close };
}

export type EventStream = ReturnType<typeof startEventStream>;
