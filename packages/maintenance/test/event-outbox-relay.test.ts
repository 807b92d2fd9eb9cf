import { createDatabase, type Database } from '@wagw/db';
import {
  createProducerConnection,
  type RedisConnection,
  readEvents,
  redisKeys,
  waitUntilReady,
} from '@wagw/queue';
import { createPgSchema, redisUrl, tempSqliteUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMaintenanceTask } from '../src/index.js';

interface Target {
  db: Database;
  cleanup(): Promise<void>;
}

const dialects: Array<[string, () => Promise<Target>]> = [
  [
    'sqlite',
    async () => {
      const tmp = tempSqliteUrl();
      const db = await createDatabase({ url: tmp.url });
      return {
        db,
        async cleanup() {
          await db.close();
          tmp.cleanup();
        },
      };
    },
  ],
  [
    'postgres',
    async () => {
      const pg = await createPgSchema();
      const db = await createDatabase({ url: pg.baseUrl, schema: pg.schema, poolMax: 4 });
      return {
        db,
        async cleanup() {
          await db.close();
          await pg.drop();
        },
      };
    },
  ],
];

describe.each(dialects)('event outbox relay (%s)', (dialect, open) => {
  const prefix = uniquePrefix(`event-outbox-${dialect}`);
  let target: Target;
  let redis: RedisConnection;

  beforeAll(async () => {
    target = await open();
    await target.db.migrate();
    redis = createProducerConnection(redisUrl());
    await waitUntilReady(redis);
  });
  afterAll(async () => {
    await redis.del(redisKeys(prefix).events, `${prefix}:lock:maintenance:event-outbox-relay`);
    redis.disconnect();
    await target.cleanup();
  });

  /** An inbound message stored with its event, as a worker stores it, but never published. */
  async function storeUnpublished(sessionId: string, n: number) {
    const id = `message.relay-${dialect}-${n}.received`;
    await target.db.repos.messages.insertInboundIgnoringDuplicates(
      {
        sessionId,
        direction: 'inbound',
        remoteJid: '15550001111@s.whatsapp.net',
        waMessageId: `W-${n}`,
        type: 'text',
        payload: { text: `t${n}` },
      },
      {
        event: {
          id,
          sessionId,
          envelope: { id, event: 'message.received', sessionId, timestamp: 'x', data: { n } },
        },
      },
    );
    return id;
  }

  const streamed = async () => (await readEvents(redis, prefix, '0', { count: 1000 })).map((e) => e.event.id);

  it('publishes what its writer left unpublished past the grace, once, and empties the outbox', async () => {
    const session = await target.db.repos.sessions.create({ name: 'relay' });
    const ids: string[] = [];
    for (let n = 0; n < 7; n++) ids.push(await storeUnpublished(session.id, n));
    const deps = {
      repos: target.db.repos,
      leases: {} as never,
      redis,
      prefix,
      revivalCooldownMs: 1,
      staleSessionAgeMs: 1,
    };

    // Within the grace the writer may still publish them itself: the relay leaves them.
    const early = await runMaintenanceTask('event-outbox-relay', { ...deps, eventOutboxGraceMs: 60_000 });
    expect(early).toMatchObject({ result: { published: 0 } });
    expect(await streamed()).toEqual([]);

    const later = () => new Date(Date.now() + 61_000);
    const run = await runMaintenanceTask('event-outbox-relay', {
      ...deps,
      eventOutboxGraceMs: 60_000,
      now: later,
    });
    expect(run).toMatchObject({ result: { published: 7, truncated: false }, nudged: false });
    expect(await streamed()).toEqual(ids);
    expect(await target.db.repos.eventOutbox.count()).toBe(0);

    // Nothing left: a second run publishes nothing again.
    await runMaintenanceTask('event-outbox-relay', { ...deps, eventOutboxGraceMs: 60_000, now: later });
    expect(await streamed()).toHaveLength(7);
  });

  it('with Redis unreachable the run fails and the events stay for the next run', async () => {
    const session = await target.db.repos.sessions.create({ name: 'relay-down' });
    await storeUnpublished(session.id, 100);
    const down = createProducerConnection('redis://127.0.0.1:1', { connectTimeout: 200 });
    down.on('error', () => {});
    const failing = { eventOutbox: target.db.repos.eventOutbox };
    const { relayEventOutbox } = await import('../src/event-outbox-relay.task.js');
    await expect(
      relayEventOutbox({
        repos: failing,
        redis: down,
        prefix,
        graceMs: 0,
        now: () => new Date(Date.now() + 1000),
      }),
    ).rejects.toThrow();
    down.disconnect();
    expect(await target.db.repos.eventOutbox.count()).toBe(1);
  });
});
