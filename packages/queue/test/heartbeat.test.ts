import { redisUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProducerConnection,
  listHeartbeats,
  listRecentlySeen,
  redisKeys,
  startHeartbeat,
  waitUntilReady,
} from '../src/index.js';

const prefix = uniquePrefix('heartbeat');
const redis = createProducerConnection(redisUrl());

beforeAll(() => waitUntilReady(redis));
afterAll(async () => {
  // Seen sets outlive the heartbeats by design; remove this test's keys.
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('heartbeat', () => {
  it('publishes with a TTL of three beats and disappears on stop', async () => {
    const before = Date.now();
    const hb = startHeartbeat({
      redis,
      prefix,
      role: 'worker',
      instanceId: 'w1',
      intervalMs: 1000,
      collect: () => ({ sessions: 3, capacity: 50 }),
    });
    await hb.ready;
    const [beat] = await listHeartbeats(redis, prefix, 'worker');
    expect(beat).toMatchObject({
      role: 'worker',
      instanceId: 'w1',
      sessions: 3,
      capacity: 50,
      pid: process.pid,
    });
    const ttl = await redis.pttl(redisKeys(prefix).heartbeat('worker', 'w1'));
    // Set to 3000 ms at most `elapsed` ago, however slow this machine is (±1 ms of rounding).
    const elapsed = Date.now() - before;
    expect(ttl).toBeGreaterThanOrEqual(3000 - elapsed - 1);
    expect(ttl).toBeLessThanOrEqual(3000);
    await hb.stop();
    expect(await listHeartbeats(redis, prefix)).toEqual([]);
  });

  it('expires when the process stops beating', async () => {
    const hb = startHeartbeat({ redis, prefix, role: 'scheduler', instanceId: 's1', intervalMs: 100 });
    await hb.ready;
    expect(await listHeartbeats(redis, prefix, 'scheduler')).toHaveLength(1);
    // Simulate a crash: stop the timer without deleting the key, then wait past the TTL.
    await hb.stop();
    await hb.beat();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await listHeartbeats(redis, prefix, 'scheduler')).toEqual([]);
  });

  it('remembers a crashed instance as recently seen, forgets a cleanly stopped one', async () => {
    const crashed = startHeartbeat({
      redis,
      prefix,
      role: 'worker',
      instanceId: 'crashed',
      intervalMs: 1000,
    });
    const stopped = startHeartbeat({
      redis,
      prefix,
      role: 'worker',
      instanceId: 'stopped',
      intervalMs: 1000,
    });
    await Promise.all([crashed.ready, stopped.ready]);
    expect((await listRecentlySeen(redis, prefix, 'worker')).sort()).toEqual(['crashed', 'stopped']);
    await stopped.stop();
    // A crash: the key expires, nobody removes the seen entry.
    await crashed.stop();
    const beforeBeat = Date.now();
    await crashed.beat();
    const afterBeat = Date.now();
    await redis.del(redisKeys(prefix).heartbeat('worker', 'crashed'));
    expect(await listRecentlySeen(redis, prefix, 'worker')).toEqual(['crashed']);
    // The window is judged against the last beat's own time, not against a clock read in the same
    // millisecond: exactly windowMs after it is still inside, one ms later is outside.
    const lastBeat = Number(await redis.zscore(redisKeys(prefix).heartbeatSeen('worker'), 'crashed'));
    expect(lastBeat).toBeGreaterThanOrEqual(beforeBeat);
    expect(lastBeat).toBeLessThanOrEqual(afterBeat);
    expect(await listRecentlySeen(redis, prefix, 'worker', 1000, lastBeat + 1000)).toEqual(['crashed']);
    expect(await listRecentlySeen(redis, prefix, 'worker', 1000, lastBeat + 1001)).toEqual([]);
    await redis.del(redisKeys(prefix).heartbeatSeen('worker'));
  });
});
