import { randomUUID } from 'node:crypto';
import type { RedisConnection } from './connections.js';
import { redisKeys } from './keys.js';

/**
 * The one event envelope of wagw (webhooks, live streams). Event names are stable API:
 * add new ones, never rename.
 */
export interface GatewayEvent<T = Record<string, unknown>> {
  id: string;
  event: string;
  sessionId: string | null;
  timestamp: string;
  data: T;
}

/**
 * The consumer group on the event stream whose members (every worker) fan events out to webhook
 * jobs. Never rename: the group's position in the stream is stored under this name.
 */
export const WEBHOOK_DISPATCH_GROUP = 'webhook-dispatch';

/** Roughly how many recent events the stream keeps (for Last-Event-ID resume), trimmed lazily. */
const EVENT_STREAM_MAXLEN = 10_000;

/**
 * Builds an envelope. `options.id` gives an event a deterministic id when it may be published more
 * than once for the same fact (e.g. `batch.completed`), so receivers deduplicating by id see it once.
 */
export function createEvent<T extends Record<string, unknown>>(
  event: string,
  sessionId: string | null,
  data: T,
  options: { id?: string } = {},
): GatewayEvent<T> {
  return { id: options.id ?? randomUUID(), event, sessionId, timestamp: new Date().toISOString(), data };
}

/**
 * Appends an event to a Redis stream shared by every process. A stream rather than pub/sub so a
 * reader that was briefly away can resume from the last id it saw instead of missing events.
 * Returns the stream entry id.
 */
export async function publishEvent(
  redis: RedisConnection,
  prefix: string,
  event: GatewayEvent,
): Promise<string> {
  const id = await redis.xadd(
    redisKeys(prefix).events,
    'MAXLEN',
    '~',
    EVENT_STREAM_MAXLEN,
    '*',
    'event',
    JSON.stringify(event),
  );
  return id ?? '';
}

interface StreamedEvent {
  streamId: string;
  event: GatewayEvent;
}

/** Reads events after `afterId` ('$' for only new ones), blocking up to `blockMs`. */
export async function readEvents(
  redis: RedisConnection,
  prefix: string,
  afterId: string,
  options: { blockMs?: number; count?: number } = {},
): Promise<StreamedEvent[]> {
  const key = redisKeys(prefix).events;
  const args: Array<string | number> = ['COUNT', options.count ?? 100];
  if (options.blockMs !== undefined) args.push('BLOCK', options.blockMs);
  const result = (await redis.xread(...(args as ['COUNT', number]), 'STREAMS', key, afterId)) as Array<
    [string, Array<[string, string[]]>]
  > | null;
  const entries = result?.[0]?.[1] ?? [];
  return entries.flatMap(([streamId, fields]) => {
    const json = fields[1];
    return json ? [{ streamId, event: JSON.parse(json) as GatewayEvent }] : [];
  });
}

/** What `session.status` reports of a session row after its change. */
interface SessionStatusSource {
  id: string;
  status: string;
  statusReason: string | null;
}

/**
 * `session.status`: one change of a session's status. `workerId` is the worker that made it, null
 * when the scheduler did (a dead worker's session reset, a failed one revived); `disconnectCode`
 * is the code of the disconnect that caused it, if one did.
 */
export function sessionStatusEvent(
  session: SessionStatusSource,
  change: { previous: string | null; workerId: string | null; disconnectCode: number | null },
) {
  return createEvent('session.status', session.id, {
    status: session.status,
    previous: change.previous,
    reason: session.statusReason,
    disconnectCode: change.disconnectCode,
    workerId: change.workerId,
  });
}

/** What `batch.completed` reports: the batch's counts when its last message left the outbox. */
interface BatchSummary {
  batchId: string;
  sessionId: string;
  total: number;
  counts: Record<string, number>;
}

/**
 * `batch.completed`: every message of a bulk batch was sent, failed or cancelled. Its id is derived
 * from the batch, so the worker that sent the last message and an API replica that cancelled the
 * rest may both publish it and receivers deduplicating by id still see it once.
 */
export function batchCompletedEvent(batch: BatchSummary) {
  return createEvent(
    'batch.completed',
    batch.sessionId,
    { batchId: batch.batchId, total: batch.total, counts: batch.counts },
    { id: `batch.${batch.batchId}.completed` },
  );
}
