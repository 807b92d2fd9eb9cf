import type { GroupMetadata, GroupParticipant, WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { pairTestClient, type TestSocket } from '../src/index.js';
import { recordMessageEvents } from './messaging-baileys-events.js';
import { useSimulator } from './sim-test-helpers.js';

/** Baileys' group events on one socket, with a wait on each. */
function recordGroupEvents(sock: TestSocket) {
  const seen: Array<{ event: string; data: unknown }> = [];
  const wakers = new Set<() => void>();
  const push = (event: string) => (data: unknown) => {
    seen.push({ event, data });
    for (const wake of [...wakers]) wake();
  };
  sock.ev.on('groups.upsert', push('groups.upsert'));
  sock.ev.on('groups.update', push('groups.update'));
  sock.ev.on('group-participants.update', push('group-participants.update'));
  return {
    seen,
    wait<T>(event: string, match: (data: T) => boolean, timeoutMs = 10_000): Promise<T> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = seen.find((s) => s.event === event && match(s.data as T));
          if (!hit) return;
          done();
          resolve(hit.data as T);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${event} within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          wakers.delete(check);
        };
        wakers.add(check);
        check();
      });
    },
  };
}

function textOf(message: WAMessage): string | null | undefined {
  return message.message?.conversation ?? message.message?.extendedTextMessage?.text;
}

type ParticipantsUpdate = { id: string; action: string; participants: GroupParticipant[]; author?: string };
type GroupUpdates = Array<Partial<GroupMetadata>>;

describe('groups administered from real Baileys rc14 sessions', () => {
  const env = useSimulator();

  async function setup() {
    const sim = await env.start();
    const alice = await pairTestClient(sim, { scan: { name: 'Alice' } });
    env.track(alice.client);
    const bob = await pairTestClient(sim, { scan: { name: 'Bob' } });
    env.track(bob.client);
    const carol = sim.messaging.addContact({ phone: '15554440001', name: 'Carol' });
    const dave = sim.messaging.addContact({ phone: '15554440002', name: 'Dave' });
    const erin = sim.messaging.addContact({ phone: '15554440003', name: 'Erin' });
    return { sim, alice, bob, carol, dave, erin, a: alice.client.sock, b: bob.client.sock };
  }

  it('create, rename, promote, remove: the other session is notified and the metadata follows each change', async () => {
    const { sim, alice, bob, carol, dave, erin, a, b } = await setup();
    const bobEvents = recordGroupEvents(b);
    const bobAccount = bob.companion.account;

    const created = await a.groupCreate('Launch', [bobAccount.pnJid, carol.pn, dave.pn, erin.pn]);
    expect(created.id).toMatch(/^120363\d{12}@g\.us$/);
    expect(created).toMatchObject({ subject: 'Launch', owner: alice.companion.account.lidJid, size: 5 });
    expect(created.addressingMode).toBe('lid');
    const creator = created.participants.find((p) => p.id === alice.companion.account.lidJid);
    expect(creator?.admin).toBe('superadmin');
    const upserted = await bobEvents.wait<GroupMetadata[]>('groups.upsert', (g) => g[0]?.id === created.id);
    expect(upserted[0]?.subject).toBe('Launch');

    await a.groupUpdateSubject(created.id, 'Launch day');
    await bobEvents.wait<GroupUpdates>('groups.update', (u) => u[0]?.subject === 'Launch day');
    expect((await b.groupMetadata(created.id)).subject).toBe('Launch day');

    const promoted = await a.groupParticipantsUpdate(created.id, [dave.pn], 'promote');
    expect(promoted).toMatchObject([{ status: '200', jid: dave.pn }]);
    const promotion = await bobEvents.wait<ParticipantsUpdate>(
      'group-participants.update',
      (u) => u.action === 'promote',
    );
    expect(promotion.participants.map((p) => p.id)).toEqual([dave.lid]);
    expect(promotion.author).toBe(alice.companion.account.lidJid);
    const afterPromote = await a.groupMetadata(created.id);
    expect(afterPromote.participants.find((p) => p.id === dave.lid)?.admin).toBe('admin');

    const removed = await a.groupParticipantsUpdate(created.id, [carol.pn], 'remove');
    expect(removed).toMatchObject([{ status: '200', jid: carol.pn }]);
    const removal = await bobEvents.wait<ParticipantsUpdate>(
      'group-participants.update',
      (u) => u.action === 'remove',
    );
    expect(removal.participants.map((p) => p.id)).toEqual([carol.lid]);
    const afterRemove = await b.groupMetadata(created.id);
    expect(afterRemove.size).toBe(4);
    expect(afterRemove.participants.map((p) => p.id)).not.toContain(carol.lid);
    expect(afterRemove.participants.find((p) => p.id === carol.lid)).toBeUndefined();

    const changes = sim.groups
      .notifications({ groupId: created.id, to: bob.companion.jid })
      .map((n) => n.change);
    expect(changes).toEqual(['create', 'subject', 'promote', 'remove']);
    // The devices the simulator plays are told too (Carol of her own removal, as the last).
    for (const peer of [carol, dave, erin]) {
      const seen = sim.groups.notifications({ groupId: created.id, to: peer.lid });
      expect(seen.map((n) => [n.change, n.device])).toEqual(
        ['create', 'subject', 'promote', 'remove'].map((change) => [change, 'simulated']),
      );
    }
    expect(sim.groups.iqCount('create')).toBe(1);
    expect(sim.groups.iqCount('promote')).toBe(1);
    expect(sim.groups.iqCount('query')).toBe(3);
    expect(sim.groups.get(created.id)?.subject).toBe('Launch day');
  });

  it('per-participant result codes, settings, description, invite links, leave and join', async () => {
    const { sim, bob, carol, dave, erin, a, b } = await setup();
    const bobEvents = recordGroupEvents(b);
    const frank = sim.messaging.addContact({ phone: '15554440004', name: 'Frank' });
    sim.groups.refuseAdds(frank);
    const group = await a.groupCreate('Ops', [bob.companion.account.pnJid, dave.pn]);

    const results = await a.groupParticipantsUpdate(
      group.id,
      [carol.pn, '19990001234@s.whatsapp.net', dave.pn, frank.pn],
      'add',
    );
    expect(results.map((r) => [r.jid, r.status])).toEqual([
      [carol.pn, '200'],
      ['19990001234@s.whatsapp.net', '404'],
      [dave.pn, '409'],
      [frank.pn, '403'],
    ]);
    expect(await a.groupParticipantsUpdate(group.id, [erin.pn], 'remove')).toMatchObject([{ status: '404' }]);

    await a.groupSettingUpdate(group.id, 'announcement');
    await bobEvents.wait<GroupUpdates>('groups.update', (u) => u[0]?.announce === true);
    await a.groupSettingUpdate(group.id, 'locked');
    await bobEvents.wait<GroupUpdates>('groups.update', (u) => u[0]?.restrict === true);
    await a.groupToggleEphemeral(group.id, 86_400);
    await a.groupUpdateDescription(group.id, 'Runbooks and rotas');
    await bobEvents.wait<GroupUpdates>('groups.update', (u) => u[0]?.desc === 'Runbooks and rotas');
    const meta = await b.groupMetadata(group.id);
    expect(meta).toMatchObject({ announce: true, restrict: true, ephemeralDuration: 86_400 });
    expect(meta.desc).toBe('Runbooks and rotas');
    expect(meta.descId).toBeTruthy();

    const code = await a.groupInviteCode(group.id);
    expect(code).toMatch(/^[\w-]{22}$/);
    const revoked = await a.groupRevokeInvite(group.id);
    expect(revoked).not.toBe(code);

    await b.groupLeave(group.id);
    await expect(b.groupMetadata(group.id)).rejects.toMatchObject({ message: 'forbidden', data: 403 });
    expect(Object.keys(await b.groupFetchAllParticipating())).toEqual([]);
    await expect(b.groupAcceptInvite(code ?? '')).rejects.toMatchObject({
      message: 'item-not-found',
      data: 404,
    });
    expect(await b.groupAcceptInvite(revoked ?? '')).toBe(group.id);
    const all = await b.groupFetchAllParticipating();
    expect(Object.keys(all)).toEqual([group.id]);
    expect(all[group.id]?.participants.map((p) => p.id)).toContain(bob.companion.account.lidJid);
    const joined = await bobEvents.wait<ParticipantsUpdate>(
      'group-participants.update',
      (u) => u.action === 'add' && u.participants[0]?.id === bob.companion.account.lidJid,
    );
    expect(joined.participants).toHaveLength(1);
    expect(sim.groups.iqCount('join')).toBe(2);
    expect(sim.groups.iqCount('revoke')).toBe(1);
  });

  it('errors as WhatsApp answers them: unknown group 404, non-admin 403', async () => {
    const { bob, dave, a, b } = await setup();
    await expect(a.groupMetadata('120363000000000000@g.us')).rejects.toMatchObject({
      message: 'item-not-found',
      data: 404,
    });
    await expect(a.groupUpdateSubject('120363000000000000@g.us', 'x')).rejects.toMatchObject({ data: 404 });
    const group = await a.groupCreate('Admins only', [bob.companion.account.pnJid]);
    await expect(b.groupParticipantsUpdate(group.id, [dave.pn], 'add')).rejects.toMatchObject({
      message: 'forbidden',
      data: 403,
    });
    await expect(b.groupSettingUpdate(group.id, 'announcement')).rejects.toMatchObject({ data: 403 });
    await expect(b.groupInviteCode(group.id)).rejects.toMatchObject({ data: 403 });
    // Members may rename an unlocked group, not a locked one.
    await b.groupUpdateSubject(group.id, 'Renamed by Bob');
    await a.groupSettingUpdate(group.id, 'locked');
    await expect(b.groupUpdateSubject(group.id, 'Again')).rejects.toMatchObject({
      message: 'forbidden',
      data: 403,
    });
    expect((await a.groupMetadata(group.id)).subject).toBe('Renamed by Bob');
  });

  it('two sessions and a peer exchange group messages through sender keys', async () => {
    const { sim, alice, bob, carol, a, b } = await setup();
    const group = await a.groupCreate('Chat', [bob.companion.account.pnJid, carol.pn]);
    const aEvents = recordMessageEvents(a);
    const bEvents = recordMessageEvents(b);

    const fromA = await a.sendMessage(group.id, { text: 'from alice' });
    const atBob = await bEvents.waitForUpsert((m) => m.key.id === fromA?.key.id, 10_000);
    // Baileys sends group texts as extendedTextMessage (with a messageSecret), and names the author by user.
    expect(textOf(atBob)).toBe('from alice');
    expect(atBob.key).toMatchObject({ remoteJid: group.id, participant: alice.companion.account.lidJid });
    expect(atBob.key.participantAlt).toBe(alice.companion.jid);
    const atCarol = await sim.groups.waitForDelivery(
      (d) => d.id === fromA?.key.id && d.recipient === carol.lid,
    );
    expect(atCarol.text).toBe('from alice');

    const fromB = await b.sendMessage(group.id, { text: 'from bob' });
    const atAlice = await aEvents.waitForUpsert((m) => m.key.id === fromB?.key.id, 10_000);
    expect(textOf(atAlice)).toBe('from bob');
    expect(atAlice.key).toMatchObject({ remoteJid: group.id, participant: bob.companion.account.lidJid });

    const fromCarol = await sim.groups.sendText(carol, group.id, 'from carol');
    expect(fromCarol.deliveredTo.sort()).toEqual([alice.companion.jid, bob.companion.jid].sort());
    for (const events of [aEvents, bEvents]) {
      const got = await events.waitForUpsert((m) => m.key.id === fromCarol.id, 10_000);
      expect(got.message?.conversation).toBe('from carol');
      expect(got.key.participant).toBe(carol.lid);
    }
  });
});
