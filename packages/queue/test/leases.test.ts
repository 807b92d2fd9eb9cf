import { redisUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaseStore, createProducerConnection, waitUntilReady } from '../src/index.js';

const prefix = uniquePrefix('lease');
const redis = createProducerConnection(redisUrl());
const leases = createLeaseStore({ redis, prefix, ttlMs: 300 });

beforeAll(() => waitUntilReady(redis));
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('lease store', () => {
  it('gives a session to exactly one worker at a time', async () => {
    const results = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => leases.acquire('s1', w)));
    const winners = results.filter((lease) => lease !== null);
    expect(winners).toHaveLength(1);
    expect(await leases.owner('s1')).toMatchObject({ workerId: winners[0]!.workerId, generation: 1 });
  });

  it('increments the fencing generation on every new owner', async () => {
    const first = await leases.acquire('s2', 'w1');
    expect(first?.generation).toBe(1);
    await new Promise((r) => setTimeout(r, 350));
    const second = await leases.acquire('s2', 'w2');
    expect(second?.generation).toBe(2);
    // The old owner cannot renew or release what is no longer its lease.
    expect(await leases.renew(first!)).toBe(false);
    expect(await leases.release(first!)).toBe(false);
    expect(await leases.owner('s2')).toMatchObject({ workerId: 'w2', generation: 2 });
  });

  it('renewal keeps the lease alive past its TTL', async () => {
    const lease = (await leases.acquire('s3', 'w1'))!;
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 150));
      expect(await leases.renew(lease)).toBe(true);
    }
    expect(await leases.acquire('s3', 'w2')).toBeNull();
  });

  it('release frees the session for the next worker at once', async () => {
    const lease = (await leases.acquire('s4', 'w1'))!;
    expect(await leases.release(lease)).toBe(true);
    expect(await leases.owner('s4')).toBeNull();
    expect((await leases.acquire('s4', 'w2'))?.generation).toBe(2);
  });
});

describe('lease holders', () => {
  it('reports the holder of many sessions in one call', async () => {
    await leases.acquire('h1', 'w1');
    await leases.acquire('h2', 'w2');
    const holders = await leases.holders(['h1', 'h2', 'h3']);
    expect([...holders.entries()]).toEqual([
      ['h1', 'w1'],
      ['h2', 'w2'],
      ['h3', null],
    ]);
    expect((await leases.holders([])).size).toBe(0);
  });
});

describe('generation floor', () => {
  it('continues above the last generation the database saw after Redis lost its counter', async () => {
    const first = await leases.acquire('g1', 'w1');
    expect(first?.generation).toBe(1);
    await leases.release(first!);
    // Redis loses everything: the counter starts from scratch, the database still says 7.
    await redis.del(`${prefix}:lease-gen:g1`);
    expect((await leases.acquire('g1', 'w2', 7))?.generation).toBe(8);
  });
});
