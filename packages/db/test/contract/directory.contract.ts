import { expect, it } from 'vitest';
import { hashApiKey } from '../../src/index.js';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

/** contacts, webhooks, api keys: the small repositories. */
export function directoryContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;
  const newSession = async () => (await repos().sessions.create({ name: uniqueName('dir') })).id;

  it('contacts.upsertMany inserts, merges a batch, and keeps fields a partial update omits', async () => {
    const sessionId = await newSession();
    await repos().contacts.upsertMany(sessionId, [
      { jid: 'a@s.whatsapp.net', name: 'Ann', notify: 'ann' },
      { jid: 'b@s.whatsapp.net', lid: '123@lid' },
      { jid: 'b@s.whatsapp.net', name: 'Bob' },
    ]);
    await repos().contacts.upsertMany(sessionId, [
      { jid: 'a@s.whatsapp.net', imgUrl: 'https://x/a.jpg', name: null },
    ]);
    const list = await repos().contacts.listBySession(sessionId);
    expect(list.map(({ jid, lid, name, notify, imgUrl }) => ({ jid, lid, name, notify, imgUrl }))).toEqual([
      { jid: 'a@s.whatsapp.net', lid: null, name: 'Ann', notify: 'ann', imgUrl: 'https://x/a.jpg' },
      { jid: 'b@s.whatsapp.net', lid: '123@lid', name: 'Bob', notify: null, imgUrl: null },
    ]);
    await repos().contacts.upsertMany(sessionId, []);
  });

  it('contacts.recordLidMappings sets the LID on the PN row and folds a LID-only row into it', async () => {
    const sessionId = await newSession();
    await repos().contacts.upsertMany(sessionId, [
      { jid: '900001@lid', lid: '900001@lid', notify: 'Lee', imgUrl: 'https://x/l.jpg' },
      { jid: '15550000002@s.whatsapp.net', name: 'Pat' },
    ]);
    await repos().contacts.recordLidMappings(sessionId, [
      { pn: '15550000001@s.whatsapp.net', lid: '900001@lid' },
      { pn: '15550000002@s.whatsapp.net', lid: '900002@lid' },
    ]);
    const rows = await repos().contacts.listBySession(sessionId);
    expect(rows.map(({ jid, lid, name, notify, imgUrl }) => ({ jid, lid, name, notify, imgUrl }))).toEqual([
      {
        jid: '15550000001@s.whatsapp.net',
        lid: '900001@lid',
        name: null,
        notify: 'Lee',
        imgUrl: 'https://x/l.jpg',
      },
      { jid: '15550000002@s.whatsapp.net', lid: '900002@lid', name: 'Pat', notify: null, imgUrl: null },
    ]);
    const found = await repos().contacts.findByAddresses(sessionId, [
      '900002@lid',
      '15550000001@s.whatsapp.net',
    ]);
    expect(found.map((c) => c.jid).sort()).toEqual([
      '15550000001@s.whatsapp.net',
      '15550000002@s.whatsapp.net',
    ]);
    await repos().contacts.recordLidMappings(sessionId, []);
  });

  it('contacts.listPage walks the contacts in jid order with a cursor', async () => {
    const sessionId = await newSession();
    const jids = Array.from({ length: 5 }, (_, i) => `1555000000${i}@s.whatsapp.net`);
    await repos().contacts.upsertMany(
      sessionId,
      jids.map((jid) => ({ jid })),
    );
    const first = await repos().contacts.listPage(sessionId, { limit: 2 });
    const second = await repos().contacts.listPage(sessionId, { limit: 2, cursor: first.nextCursor });
    const last = await repos().contacts.listPage(sessionId, { limit: 2, cursor: second.nextCursor });
    expect([first, second, last].map((p) => p.items.map((c) => c.jid))).toEqual([
      jids.slice(0, 2),
      jids.slice(2, 4),
      jids.slice(4),
    ]);
    expect(last.nextCursor).toBeNull();
  });

  it('webhooks: session + global, enabled only unless asked', async () => {
    const a = await newSession();
    const b = await newSession();
    const own = await repos().webhooks.create({
      sessionId: a,
      url: 'https://a.example/hook',
      events: ['message'],
    });
    expect(own).toMatchObject({ enabled: true, headers: {}, secret: null, events: ['message'] });
    const global = await repos().webhooks.create({
      url: 'https://all.example/hook',
      events: ['*'],
      headers: { authorization: 'Bearer x' },
      secret: 's3cret',
    });
    const off = await repos().webhooks.create({
      sessionId: a,
      url: 'https://off.example',
      events: [],
      enabled: false,
    });
    await repos().webhooks.create({ sessionId: b, url: 'https://b.example', events: [] });
    const ids = (await repos().webhooks.listForSession(a)).map((w) => w.id);
    expect(ids).toContain(own.id);
    expect(ids).toContain(global.id);
    expect(ids).not.toContain(off.id);
    expect(
      (await repos().webhooks.listForSession(a)).every((w) => w.sessionId === a || w.sessionId === null),
    ).toBe(true);
    expect((await repos().webhooks.listForSession(a, { includeDisabled: true })).map((w) => w.id)).toContain(
      off.id,
    );
    expect((await repos().webhooks.listForSession(a)).find((w) => w.id === global.id)).toEqual(global);
  });

  it('apiKeys: create, findByHash, findActiveById, touch, revoke; hashes are unique', async () => {
    const sessionId = await newSession();
    const keyHash = hashApiKey(uniqueName('key'));
    const key = await repos().apiKeys.create({ name: 'ci', keyHash, prefix: 'wagw_ab', sessionId });
    expect(await repos().apiKeys.findByHash(keyHash)).toEqual(key);
    expect(await repos().apiKeys.findByHash('0'.repeat(64))).toBeNull();
    expect(await repos().apiKeys.findActiveById(key.id)).toEqual(key);
    expect(await repos().apiKeys.findActiveById('no-such-key')).toBeNull();
    await expect(repos().apiKeys.create({ name: 'dup', keyHash, prefix: 'x' })).rejects.toThrow();
    const at = new Date('2025-01-02T03:04:05.678Z');
    await repos().apiKeys.touch(key.id, at);
    expect((await repos().apiKeys.findByHash(keyHash))?.lastUsedAt?.toISOString()).toBe(at.toISOString());
    expect(await repos().apiKeys.revoke(key.id)).toBe(true);
    expect(await repos().apiKeys.revoke(key.id)).toBe(false);
    expect(await repos().apiKeys.findByHash(keyHash)).toBeNull();
    expect(await repos().apiKeys.findActiveById(key.id)).toBeNull();
    const admin = await repos().apiKeys.create({
      name: 'admin',
      keyHash: hashApiKey(uniqueName('k')),
      prefix: 'p',
    });
    expect(admin.sessionId).toBeNull();
    const listed = await repos().apiKeys.list({ sessionId });
    expect(listed.map((k) => [k.id, k.revokedAt !== null])).toEqual([[key.id, true]]);
    expect((await repos().apiKeys.list()).map((k) => k.id)).toEqual(
      expect.arrayContaining([key.id, admin.id]),
    );
  });
}
