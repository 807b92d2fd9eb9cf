import { createDatabase, type Database, type OutboxEvent, type Session, type SessionStatus } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import {
  createProducerConnection,
  metricsKeys,
  type RedisConnection,
  readCounterHash,
  readEvents,
  waitUntilReady,
} from '@wagw/queue';
import { redisUrl, tempSqliteUrl, uniquePrefix } from '@wagw/testing';
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

describe('session status events go through the event outbox', () => {
  const sqlite = tempSqliteUrl();
  let db: Database;
  const logger = createLogger({ name: 'test', level: 'silent' });
  const withOutbox = (conn: RedisConnection) =>
    createSessionEvents({
      redis: conn,
      prefix,
      logger,
      workerId: 'w-test',
      outbox: { remove: (ids) => db.repos.eventOutbox.remove(ids) },
    });
  const stored = async (sessionId: string) =>
    (await db.repos.eventOutbox.claimStale(new Date(Date.now() + 60_000), 1, 1000)).filter(
      (e) => e.sessionId === sessionId,
    );
  const streamed = async (sessionId: string) =>
    (await readEvents(redis, prefix, '0', { count: 1000 })).filter((e) => e.event.sessionId === sessionId);

  beforeAll(async () => {
    db = await createDatabase({ url: sqlite.url });
    await db.migrate();
  });
  afterAll(async () => {
    await db.close();
    sqlite.cleanup();
  });

  /** A transition as the runner records it: its event built by `statusEvent`, in the same commit. */
  async function transition(events: ReturnType<typeof withOutbox>, sessionId: string, to: SessionStatus) {
    let event: OutboxEvent | undefined;
    let previous: SessionStatus | null = null;
    const after = await db.repos.sessions.transitionStatus(sessionId, {
      to,
      reason: 'connected',
      workerId: 'w-test',
      event: (updated, before) => {
        previous = before;
        event = events.statusEvent(updated, before);
        return event;
      },
    });
    await events.status(after!, previous, event);
    return event!;
  }

  it('publishes the stored event under its id and deletes its outbox row', async () => {
    const events = withOutbox(redis);
    const session = await db.repos.sessions.create({ name: 'outbox-live' });
    const event = await transition(events, session.id, 'open');
    await events.flush();
    const [published] = await streamed(session.id);
    expect(published?.event).toMatchObject({
      id: event.id,
      event: 'session.status',
      data: { status: 'open', previous: 'stopped', reason: 'connected', workerId: 'w-test' },
    });
    expect(await stored(session.id)).toEqual([]);
  });

  it('keeps the event in the outbox when Redis cannot take it, for the relay to publish', async () => {
    const down = createProducerConnection('redis://127.0.0.1:1', { connectTimeout: 200 });
    down.on('error', () => {});
    const events = withOutbox(down);
    const session = await db.repos.sessions.create({ name: 'outbox-down' });
    const event = await transition(events, session.id, 'open');
    await events.flush();
    down.disconnect();
    expect(await streamed(session.id)).toEqual([]);
    expect(await stored(session.id)).toEqual([
      {
        id: event.id,
        sessionId: session.id,
        envelope: expect.objectContaining({
          id: event.id,
          event: 'session.status',
          data: expect.objectContaining({ status: 'open', previous: 'stopped' }),
        }),
      },
    ]);
  });
});
