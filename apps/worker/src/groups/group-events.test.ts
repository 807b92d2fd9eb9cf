import type { Database, OutboxEvent } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { type RedisConnection, readEvents } from '@wagw/queue';
import { uniquePrefix } from '@wagw/testing';
import type { GroupMetadata } from '@whiskeysockets/baileys';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useSqliteAndRedis } from '../../test/sqlite-and-redis.js';
import { createGroupEvents } from './group-events.js';
import { createGroupStore } from './group-store.js';

// Real SQLite and Redis: the subject is what is stored and announced, and what survives a crash
// between the two. No socket: a change Baileys does not describe whole cannot be refetched, which
// is the path where the events are written to the outbox alone.
const logger = createLogger({ name: 'test', level: 'silent' });
const stores = useSqliteAndRedis('group-events');
const { prefix } = stores;
let db: Database;
let redis: RedisConnection;
let sessionId: string;
beforeAll(() => {
  ({ db, redis } = stores);
});
beforeEach(async () => {
  sessionId = (await db.repos.sessions.create({ name: uniquePrefix('s') })).id;
});

/** The outbox's events (oldest first), taken out of it. */
async function drainOutbox() {
  const rows = await db.repos.eventOutbox.claimStale(new Date(Date.now() + 60_000), 1, 100);
  await db.repos.eventOutbox.remove(rows.map((e) => e.id));
  return rows.map((e) => e.envelope as { event: string; data: Record<string, unknown> });
}

/** Group events whose publishing never happens: the process "dies" right after each commit. */
function crashingAfterCommit(store = createGroupStore(db.repos)) {
  const published: OutboxEvent[] = [];
  const events = createGroupEvents({
    sessionId,
    store,
    addEvents: (list) => db.repos.eventOutbox.add(list),
    publishStored: async (event) => {
      published.push(event);
    },
    redis,
    prefix,
    logger,
  });
  return { handlers: events.handlers, events, published };
}

const group = (id: string, subject: string, extra: Partial<GroupMetadata> = {}) =>
  ({
    id,
    subject,
    addressingMode: 'pn',
    participants: [{ id: '1@s.whatsapp.net', admin: null }],
    ...extra,
  }) as GroupMetadata;

describe('group events', () => {
  it('a joined group is stored with its event in one commit: a crash before publishing keeps the event', async () => {
    const { handlers, published } = crashingAfterCommit();
    await handlers['groups.upsert']?.([
      group('10@g.us', 'Ten'),
      group('11@g.us', 'Eleven', { authorPn: '2@s.whatsapp.net' }),
    ]);
    expect((await db.repos.groups.listBySession(sessionId)).map((g) => g.subject)).toEqual(['Ten', 'Eleven']);
    const kept = await drainOutbox();
    expect(kept.map((e) => [e.event, e.data.groupId, e.data.by])).toEqual([
      ['group.joined', '10@g.us', null],
      ['group.joined', '11@g.us', '2@s.whatsapp.net'],
    ]);
    // What would have been published is exactly what the relay will send.
    expect(published.map((e) => e.envelope)).toEqual(kept);
  });

  it('a change with nothing to store keeps its event; leaving removes the group with both events', async () => {
    const { handlers, events } = crashingAfterCommit();
    await handlers['groups.upsert']?.([group('12@g.us', 'Twelve')]);
    await drainOutbox();
    // No socket: the group cannot be refetched, so nothing is stored; the news still is.
    await handlers['groups.update']?.([{ id: '12@g.us', subject: 'Renamed', author: '3@s.whatsapp.net' }]);
    await handlers['group-participants.update']?.({
      id: '12@g.us',
      author: '3@s.whatsapp.net',
      participants: [{ id: '4@s.whatsapp.net' }],
      action: 'remove',
    } as never);
    expect((await drainOutbox()).map((e) => [e.event, e.data.groupId, e.data.by])).toEqual([
      ['group.updated', '12@g.us', '3@s.whatsapp.net'],
      ['group.participants', '12@g.us', '3@s.whatsapp.net'],
    ]);
    expect((await db.repos.groups.get(sessionId, '12@g.us'))?.subject).toBe('Twelve');

    // Removed by someone else: the row goes and both events stay with that commit.
    events.opened({ user: { id: '99:1@s.whatsapp.net' } } as never);
    await handlers['group-participants.update']?.({
      id: '12@g.us',
      author: '3@s.whatsapp.net',
      participants: [{ id: '99@s.whatsapp.net' }],
      action: 'remove',
    } as never);
    expect(await db.repos.groups.get(sessionId, '12@g.us')).toBeNull();
    expect((await drainOutbox()).map((e) => [e.event, e.data.by, e.data.removed])).toEqual([
      ['group.participants', '3@s.whatsapp.net', undefined],
      ['group.left', '3@s.whatsapp.net', true],
    ]);
  });

  it('when the database refuses the write, the events are published straight to the stream', async () => {
    const store = createGroupStore(db.repos);
    const refusing = {
      ...store,
      saved: async () => {
        throw new Error('SQLITE_BUSY');
      },
    };
    const { handlers, published } = crashingAfterCommit(refusing);
    await handlers['groups.upsert']?.([group('13@g.us', 'Thirteen')]);
    expect(published).toEqual([]);
    expect(await drainOutbox()).toEqual([]);
    const streamed = await readEvents(redis, prefix, '0');
    expect(
      streamed.map((s) => [s.event.event, s.event.sessionId, (s.event.data as { groupId: string }).groupId]),
    ).toEqual([['group.joined', sessionId, '13@g.us']]);
  });
});
