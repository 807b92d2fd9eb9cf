import { type GatewayEvent, type RedisConnection, redisKeys } from '@wagw/queue';

/** One event of the Redis stream, with its SSE frame built once however many clients receive it. */
export interface StreamEntry {
  streamId: string;
  event: GatewayEvent;
  frame: string;
}

export function toEntry(streamId: string, event: GatewayEvent): StreamEntry {
  // A newline in a name would end the SSE field early; names are ours, but never trust framing.
  const name = event.event.replace(/[\r\n]/g, '');
  return { streamId, event, frame: `id: ${streamId}\nevent: ${name}\ndata: ${JSON.stringify(event)}\n\n` };
}

/** Orders Redis stream ids (`<ms>-<seq>`): negative when a < b, 0 when equal, positive when a > b. */
export function compareIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

type RawEntries = Array<[string, string[]]>;

export function parseEntries(raw: RawEntries): StreamEntry[] {
  return raw.flatMap(([streamId, fields]) => {
    const json = fields[1];
    return json ? [toEntry(streamId, JSON.parse(json) as GatewayEvent)] : [];
  });
}

/** The newest id in the event stream ('0-0' when empty): a fixed point, unlike '$', so nothing slips past. */
export async function streamTail(redis: RedisConnection, prefix: string): Promise<string> {
  const last = await redis.xrevrange(redisKeys(prefix).events, '+', '-', 'COUNT', 1);
  return last[0]?.[0] ?? '0-0';
}

/** Entries after `afterId` up to and including `untilId`, at most `count` (a resume's catch-up). */
export async function readRange(
  redis: RedisConnection,
  prefix: string,
  afterId: string,
  untilId: string,
  count: number,
): Promise<StreamEntry[]> {
  const raw = await redis.xrange(redisKeys(prefix).events, `(${afterId}`, untilId, 'COUNT', count);
  return parseEntries(raw as RawEntries);
}
