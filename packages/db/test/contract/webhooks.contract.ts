import { createPgSchema, tempSqliteUrl } from '@wagw/testing';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import {
  createDatabase,
  type Database,
  type DeadLetterInput,
  type NewMessage,
  type WebhookDeadLetter,
} from '../../src/index.js';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

type DeadLetterPage = { items: WebhookDeadLetter[]; nextCursor: string | null };

/** webhooks CRUD, their dead letters, and the batch check the webhook/bulk path relies on. */
export function webhooksContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;
  const dead = () => ctx.db.repos.deadLetters;
  const newSession = async () => (await repos().sessions.create({ name: uniqueName('hook') })).id;
  const letter = (webhookId: string, extra: Partial<DeadLetterInput> = {}): DeadLetterInput => ({
    webhookId,
    sessionId: null,
    eventId: uniqueName('evt'),
    event: 'message.received',
    payload: { id: 'e1', event: 'message.received', data: { text: 'hi', list: [1, null] } },
    attempts: 3,
    lastStatus: 500,
    lastResponse: 'oops',
    lastError: 'HTTP 500',
    ...extra,
  });

  it('webhooks: getById, list filters, listGlobal, update, delete', async () => {
    const a = await newSession();
    const own = await repos().webhooks.create({ sessionId: a, url: 'https://a.example', events: ['*'] });
    const global = await repos().webhooks.create({ url: 'https://g.example', events: ['message.received'] });
    const off = await repos().webhooks.create({ url: 'https://off.example', events: [], enabled: false });
    expect(await repos().webhooks.getById(own.id)).toEqual(own);
    expect(await repos().webhooks.getById('missing')).toBeNull();

    expect((await repos().webhooks.list({ sessionId: a })).map((w) => w.id)).toEqual([own.id]);
    const globals = await repos().webhooks.list({ sessionId: null });
    expect(globals.every((w) => w.sessionId === null)).toBe(true);
    expect(globals.map((w) => w.id)).toEqual(expect.arrayContaining([global.id, off.id]));
    const all = (await repos().webhooks.list()).map((w) => w.id);
    expect(all).toEqual(expect.arrayContaining([own.id, global.id, off.id]));
    expect(all).toEqual([...all].sort());

    const enabledGlobal = (await repos().webhooks.listGlobal()).map((w) => w.id);
    expect(enabledGlobal).toContain(global.id);
    expect(enabledGlobal).not.toContain(off.id);
    expect(enabledGlobal).not.toContain(own.id);
    expect((await repos().webhooks.listGlobal({ includeDisabled: true })).map((w) => w.id)).toContain(off.id);

    const updated = await repos().webhooks.update(own.id, {
      url: 'https://b.example',
      secret: 's',
      enabled: false,
    });
    expect(updated).toMatchObject({ url: 'https://b.example', secret: 's', enabled: false, events: ['*'] });
    expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(own.updatedAt.getTime());
    expect(updated!.createdAt).toEqual(own.createdAt);
    const again = await repos().webhooks.update(own.id, { secret: null, headers: { x: '1' }, events: [] });
    expect(again).toMatchObject({ url: 'https://b.example', secret: null, headers: { x: '1' }, events: [] });
    expect(await repos().webhooks.getById(own.id)).toEqual(again);
    expect(await repos().webhooks.update('missing', { enabled: true })).toBeNull();

    expect(await repos().webhooks.delete(own.id)).toBe(true);
    expect(await repos().webhooks.delete(own.id)).toBe(false);
    expect(await repos().webhooks.getById(own.id)).toBeNull();
  });

  it('webhooks.delete removes its dead letters (only its own)', async () => {
    const hook = await repos().webhooks.create({ url: 'https://d.example', events: ['*'] });
    const other = await repos().webhooks.create({ url: 'https://e.example', events: ['*'] });
    const mine = await dead().record(letter(hook.id));
    const theirs = await dead().record(letter(other.id));
    expect(await repos().webhooks.delete(hook.id)).toBe(true);
    expect(await dead().getById(mine.id)).toBeNull();
    expect(await dead().getById(theirs.id)).not.toBeNull();
    // Not a webhooks row: nothing is deleted, not even dead letters carrying that id.
    const config = await dead().record(letter('config'));
    expect(await repos().webhooks.delete('config')).toBe(false);
    expect(await dead().getById(config.id)).not.toBeNull();
    await dead().discard({ id: config.id });
  });

  it('deadLetters.record inserts, then upserts on (event, webhook)', async () => {
    const sessionId = await newSession();
    const webhookId = uniqueName('wh');
    const input = letter(webhookId, { sessionId });
    const first = await dead().record(input);
    expect(first).toMatchObject({ ...input, status: 'dead', replayCount: 0 });
    expect(first.createdAt).toBeInstanceOf(Date);
    expect(await dead().getById(first.id)).toEqual(first);
    expect(await dead().getById('missing')).toBeNull();

    expect(await dead().markReplaying({ id: first.id })).toHaveLength(1);
    const second = await dead().record({
      ...input,
      attempts: 2,
      lastStatus: null,
      lastResponse: null,
      lastError: 'timeout after 10000 ms',
    });
    expect(second).toMatchObject({
      id: first.id,
      attempts: 5,
      lastStatus: null,
      lastResponse: null,
      lastError: 'timeout after 10000 ms',
      status: 'dead',
      replayCount: 1,
      payload: input.payload,
    });
    expect(second.createdAt).toEqual(first.createdAt);
    expect(second.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
    // Same event for another webhook: a separate row.
    const other = await dead().record({ ...input, webhookId: uniqueName('wh') });
    expect(other.id).not.toBe(first.id);
    expect((await dead().list({ webhookId, limit: 10 })).items).toHaveLength(1);
  });

  it('deadLetters.list pages newest first and filters', async () => {
    const webhookId = uniqueName('wh');
    const sessionId = await newSession();
    const rows = [];
    for (let i = 0; i < 5; i++) rows.push(await dead().record(letter(webhookId, i < 2 ? { sessionId } : {})));
    await dead().markReplaying({ id: rows[4]!.id });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: DeadLetterPage = await dead().list({ webhookId, limit: 2, cursor });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(rows.map((r) => r.id).reverse());

    expect((await dead().list({ webhookId, status: 'replaying', limit: 10 })).items.map((r) => r.id)).toEqual(
      [rows[4]!.id],
    );
    expect((await dead().list({ webhookId, status: 'dead', limit: 10 })).items).toHaveLength(4);
    const bySession = await dead().list({ sessionId, limit: 10 });
    expect(bySession.items.map((r) => r.id)).toEqual([rows[1]!.id, rows[0]!.id]);
    expect(bySession.nextCursor).toBeNull();
    expect((await dead().list({ webhookId: uniqueName('none'), limit: 10 })).items).toEqual([]);
  });

  it('deadLetters.markReplaying is a compare-and-set on dead rows, by id or by webhook', async () => {
    const webhookId = uniqueName('wh');
    const other = await dead().record(letter(uniqueName('wh')));
    const rows = [];
    for (let i = 0; i < 3; i++) rows.push(await dead().record(letter(webhookId)));

    const one = await dead().markReplaying({ id: rows[0]!.id });
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ id: rows[0]!.id, status: 'replaying', replayCount: 1 });
    expect(await dead().markReplaying({ id: rows[0]!.id })).toEqual([]);

    const rest = await dead().markReplaying({ webhookId });
    expect(rest.map((r) => r.id).sort()).toEqual([rows[1]!.id, rows[2]!.id].sort());
    expect(rest.every((r) => r.status === 'replaying' && r.replayCount === 1)).toBe(true);
    expect(await dead().markReplaying({ webhookId })).toEqual([]);
    expect((await dead().getById(rows[0]!.id))?.replayCount).toBe(1);
    expect((await dead().getById(other.id))?.status).toBe('dead');
    expect(await dead().markReplaying({ id: 'missing' })).toEqual([]);

    expect(await dead().revertReplaying(rows[0]!.id)).toBe(true);
    expect(await dead().revertReplaying(rows[0]!.id)).toBe(false);
    expect(await dead().revertReplaying(other.id)).toBe(false);
    expect((await dead().getById(rows[0]!.id))?.status).toBe('dead');
    const replayed = await dead().markReplaying({ id: rows[0]!.id });
    expect(replayed[0]).toMatchObject({ status: 'replaying', replayCount: 2 });
  });

  it('deadLetters.resolve, discard and countByStatus', async () => {
    const webhookId = uniqueName('wh');
    const otherHook = uniqueName('wh');
    const rows = [];
    for (let i = 0; i < 4; i++) rows.push(await dead().record(letter(webhookId)));
    const other = await dead().record(letter(otherHook));
    await dead().markReplaying({ id: rows[0]!.id });

    expect(await dead().countByStatus(webhookId)).toEqual({ dead: 3, replaying: 1 });
    expect(await dead().countByStatus(uniqueName('none'))).toEqual({ dead: 0, replaying: 0 });
    const total = await dead().countByStatus();
    expect(total.dead).toBeGreaterThanOrEqual(4);
    expect(total.replaying).toBeGreaterThanOrEqual(1);

    expect(await dead().resolve(rows[0]!.eventId, webhookId)).toBe(true);
    expect(await dead().resolve(rows[0]!.eventId, webhookId)).toBe(false);
    expect(await dead().resolve(rows[1]!.eventId, otherHook)).toBe(false);
    expect(await dead().getById(rows[0]!.id)).toBeNull();

    expect(await dead().discard({ id: rows[1]!.id })).toBe(1);
    expect(await dead().discard({ id: rows[1]!.id })).toBe(0);
    expect(await dead().discard({ webhookId })).toBe(2);
    expect(await dead().discard({ webhookId })).toBe(0);
    expect(await dead().countByStatus(webhookId)).toEqual({ dead: 0, replaying: 0 });
    expect(await dead().getById(other.id)).not.toBeNull();
  });

  it('dead letters of a session go with the session (cascade)', async () => {
    // Sessions are only soft-deleted through the repositories: hard-delete on storage of our own.
    const raw = await openRawStorage(ctx.db.dialect);
    try {
      const sessionId = (await raw.db.repos.sessions.create({ name: uniqueName('cascade') })).id;
      const doomed = await raw.db.repos.deadLetters.record(letter('config', { sessionId }));
      const global = await raw.db.repos.deadLetters.record(letter('config'));
      await raw.deleteSession(sessionId);
      expect(await raw.db.repos.deadLetters.getById(doomed.id)).toBeNull();
      expect(await raw.db.repos.deadLetters.getById(global.id)).not.toBeNull();
    } finally {
      await raw.close();
    }
  });

  it('a batch settles only when none of its rows is queued or sending', async () => {
    const sessionId = await newSession();
    const batchId = uniqueName('b');
    const msg = (extra: Partial<NewMessage> = {}): NewMessage => ({
      sessionId,
      direction: 'outbound',
      remoteJid: '4915112345678@s.whatsapp.net',
      type: 'text',
      payload: { type: 'text', text: 'hi' },
      batchId,
      ...extra,
    });
    const [a, b] = await repos().messages.insertMany([msg(), msg()]);
    // Another batch's queued row does not hold this one back.
    await repos().messages.insert(msg({ batchId: uniqueName('other') }));
    const settled: number[] = [];
    const batchEvent = (counts: { total: number }) => {
      settled.push(counts.total);
      return { id: `settled-${batchId}`, sessionId, envelope: {} };
    };
    await repos().messages.updateStatus(a!.id, 'sent', null, { batchEvent });
    expect(settled).toEqual([]); // b is queued
    await repos().messages.updateStatus(b!.id, 'sending');
    await repos().messages.updateStatus(a!.id, 'delivered', null, { batchEvent });
    expect(settled).toEqual([]); // b is sending
    await repos().messages.updateStatus(b!.id, 'failed', 'x', { batchEvent });
    expect(settled).toEqual([2]);
    await repos().eventOutbox.remove([`settled-${batchId}`]);
  });

  it('messages.updateMedia sets payload and media id; isMediaInUse sees waiting rows and recent ones', async () => {
    const sessionId = await newSession();
    const mediaId = uniqueName('sha');
    const row = await repos().messages.insert({
      sessionId,
      direction: 'outbound',
      remoteJid: '4915112345678@s.whatsapp.net',
      type: 'image',
      payload: { type: 'image', media: { url: 'https://example.com/a.jpg' } },
    });
    expect(row.mediaId).toBeNull();
    const future = new Date(Date.now() + 60_000);
    expect(await repos().messages.isMediaInUse(mediaId, future)).toBe(false);
    const updated = await repos().messages.updateMedia(
      row.id,
      { type: 'image', media: { id: mediaId } },
      mediaId,
    );
    expect(updated?.mediaId).toBe(mediaId);
    expect(updated?.payload).toEqual({ type: 'image', media: { id: mediaId } });
    expect((await repos().messages.getById(row.id))?.mediaId).toBe(mediaId);
    // Waiting to be sent: in use whatever the period.
    expect(await repos().messages.isMediaInUse(mediaId, future)).toBe(true);
    await repos().messages.updateStatus(row.id, 'sending');
    expect(await repos().messages.isMediaInUse(mediaId, future)).toBe(true);
    await repos().messages.updateStatus(row.id, 'sent');
    // Sent: in use only while the message is younger than the period.
    expect(await repos().messages.isMediaInUse(mediaId, future)).toBe(false);
    expect(await repos().messages.isMediaInUse(mediaId, new Date(row.createdAt.getTime() - 1000))).toBe(true);
    expect(await repos().messages.isMediaInUse(uniqueName('other'), new Date(0))).toBe(false);
    expect(await repos().messages.updateMedia('no-such-id', {}, null)).toBeNull();
  });
}

/** A migrated Database on fresh storage of its own, plus the raw SQL the repositories do not offer. */
async function openRawStorage(dialect: Database['dialect']) {
  if (dialect === 'sqlite') {
    const tmp = tempSqliteUrl();
    const db = await createDatabase({ url: tmp.url });
    await db.migrate();
    const client = new BetterSqlite3(tmp.file);
    client.pragma('foreign_keys = ON');
    return {
      db,
      async deleteSession(id: string) {
        client.prepare('DELETE FROM sessions WHERE id = ?').run(id);
      },
      async close() {
        client.close();
        await db.close();
        tmp.cleanup();
      },
    };
  }
  const schema = await createPgSchema();
  const db = await createDatabase({ url: schema.baseUrl, schema: schema.schema, poolMax: 2 });
  await db.migrate();
  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  return {
    db,
    async deleteSession(id: string) {
      await client.query('DELETE FROM sessions WHERE id = $1', [id]);
    },
    async close() {
      await client.end();
      await db.close();
      await schema.drop();
    },
  };
}
