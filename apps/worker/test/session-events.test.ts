import type { Session, SessionStatus } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { createProducerConnection, metricsKeys, readCounterHash, waitUntilReady } from '@wagw/queue';
import { redisUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionEvents } from '../src/sessions/session-events.js';

const prefix = uniquePrefix('session-events');
const redis = createProducerConnection(redisUrl());
const events = createSessionEvents({
  redis,
  prefix,
  logger: createLogger({ name: 'test', level: 'silent' }),
  workerId: 'w-test',
});

beforeAll(() => waitUntilReady(redis));
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

function session(status: SessionStatus, lastDisconnectCode: number | null): Session {
  const now = new Date();
  return {
    id: 'S1',
    name: 's1',
    desiredState: 'running',
    status,
    statusReason: null,
    lastDisconnectCode,
    statusChangedAt: now,
    reconnectAttempts: 0,
    ownerWorkerId: 'w-test',
    leaseGeneration: 1,
    meJid: null,
    meLid: null,
    pushName: null,
    pendingCommand: null,
    pendingCommandAt: null,
    settings: {},
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  } as Session;
}

describe('session status events feed the disconnect counters', () => {
  it('counts each transition that carries a disconnect code, reconnects when the worker retries', async () => {
    await events.status(session('connecting', null), 'starting');
    await events.status(session('open', null), 'connecting');
    await events.status(session('reconnecting', 428), 'open');
    await events.status(session('connecting', 515), 'open');
    await events.status(session('conflict', 440), 'open');
    const keys = metricsKeys(prefix);
    expect(await readCounterHash(redis, keys.disconnects)).toEqual({ '428': 1, '515': 1, '440': 1 });
    expect(await readCounterHash(redis, keys.reconnects)).toEqual({ '428': 1, '515': 1 });
  });
});
