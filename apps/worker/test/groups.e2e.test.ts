import { waMessageIdFor } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  devicesOf,
  type GroupsGateway,
  type GroupView,
  groupsClient,
  startGroupsGateway,
} from './groups-fixture.js';

let t: GroupsGateway;
let c: ReturnType<typeof groupsClient>;
/** The group the session creates in the first test; the later ones use it. */
let groupId = '';

beforeAll(async () => {
  t = await startGroupsGateway();
  c = groupsClient(t);
}, 60_000);
afterAll(() => t?.close());

type Results = { results: Array<{ participant: string; jid: string; status: number; ok: boolean }> };
type GroupEvent = { groupId: string; action?: string; changes?: { subject?: string } };

const groups = (path = '') => `/api/sessions/${t.sessionId}/groups${path}`;
const getGroup = async (id: string) =>
  (await c.json<{ group: GroupView }>(200, 'GET', groups(`/${encodeURIComponent(id)}`))).group;
const participants = (id: string, action: string, who: string[], status = 200) =>
  c.json<Results>(status, 'POST', groups(`/${id}/participants`), { action, participants: who });
const roleOf = (group: GroupView, lid: string) => group.participants.find((p) => p.lid === lid)?.admin;
const ofGroup = (id: string) => (d: GroupEvent) => d.groupId === id;

describe('groups end to end: API and worker processes, real Baileys, the simulated WhatsApp', () => {
  it('creates, renames, promotes and removes; every peer device is notified and GET follows each change', async () => {
    const { carol, dave, erin } = t.peers;
    const { group } = await c.json<{ group: GroupView }>(201, 'POST', groups(), {
      subject: 'Launch',
      participants: [`+${carol.phone}`, dave.pn, erin.phone],
    });
    groupId = group.id;
    expect(groupId).toMatch(/^120363\d{12}@g\.us$/);
    expect(group).toMatchObject({ subject: 'Launch', size: 4 });
    expect(roleOf(group, t.account.lidJid)).toBe('superadmin');
    expect(group.participants.map((p) => p.phoneJid).sort()).toEqual(
      [t.account.pnJid, carol.pn, dave.pn, erin.pn].sort(),
    );
    expect(await getGroup(groupId)).toEqual(group);

    const renamed = await c.json<{ group: GroupView }>(200, 'PATCH', groups(`/${groupId}`), {
      subject: 'Launch day',
    });
    expect(renamed.group.subject).toBe('Launch day');
    // The bare id works as well as the JID.
    expect((await getGroup(groupId.replace('@g.us', ''))).subject).toBe('Launch day');

    const promoted = await participants(groupId, 'promote', [dave.phone]);
    expect(promoted.results).toEqual([
      { participant: dave.phone, jid: expect.any(String), status: 200, ok: true },
    ]);
    expect(roleOf(await getGroup(groupId), dave.lid)).toBe('admin');

    const removed = await participants(groupId, 'remove', [`+${erin.phone}`]);
    expect(removed.results).toMatchObject([{ participant: `+${erin.phone}`, status: 200, ok: true }]);
    const afterRemove = await getGroup(groupId);
    expect(afterRemove).toMatchObject({ size: 3, subject: 'Launch day' });
    expect(afterRemove.participants.map((p) => p.lid)).not.toContain(erin.lid);
    expect(roleOf(afterRemove, dave.lid)).toBe('admin');

    // Every peer device got each w:gp2 notification, Erin that of her own removal as her last.
    for (const device of [carol, dave, erin].flatMap(devicesOf)) {
      const seen = t.gw.sim.groups.notifications({ groupId, to: device }).map((n) => n.change);
      expect(seen).toEqual(['create', 'subject', 'promote', 'remove']);
    }
    // The session's own changes reach its webhook, everyone named by phone number.
    const removal = await c.webhook<GroupEvent>(
      'group.participants',
      (d) => ofGroup(groupId)(d) && d.action === 'remove',
    );
    expect(removal.data).toMatchObject({ participants: [erin.pn], by: t.account.pnJid, group: { size: 3 } });
    const rename = await c.webhook<GroupEvent>('group.updated', ofGroup(groupId));
    expect(rename.data).toMatchObject({ by: t.account.pnJid, changes: { subject: 'Launch day' } });
  });

  it('a group text sent through the API is decrypted by every member device; a later member gets later texts, the removed one none', async () => {
    const { carol, dave, erin, frank } = t.peers;
    const send = async (text: string) => {
      const body = { to: groupId, type: 'text', text };
      const { id } = await c.json<{ id: string }>(202, 'POST', `/api/sessions/${t.sessionId}/messages`, body);
      return waMessageIdFor(id);
    };
    const decryptedAt = async (id: string, devices: string[], text: string) => {
      for (const device of devices) {
        const got = await t.gw.sim.groups.waitForDelivery(
          (d) => d.id === id && d.recipient === device && d.outcome !== 'relayed',
          15_000,
        );
        expect(got).toMatchObject({ outcome: 'decrypted', text, groupId });
      }
    };

    // The session's own account has a member device too: its phone, which the simulator plays.
    const members = [...devicesOf(carol), ...devicesOf(dave), t.account.lidJid];
    const first = await send('hello team');
    await decryptedAt(first, members, 'hello team');
    expect(t.gw.sim.groups.decryptedBy(first).sort()).toEqual([...members].sort());

    const added = await participants(groupId, 'add', [frank.pn]);
    expect(added.results).toMatchObject([{ participant: frank.pn, status: 200, ok: true }]);
    const second = await send('welcome Frank');
    await decryptedAt(second, [...members, ...devicesOf(frank)], 'welcome Frank');

    // Erin was removed before either text: no copy of any message in the group reached her devices.
    const recipients = t.gw.sim.groups.deliveries({ groupId }).map((d) => d.recipient);
    for (const device of devicesOf(erin)) expect(recipients).not.toContain(device);
    // Frank got nothing from before he was added.
    expect(t.gw.sim.groups.deliveries({ id: first }).map((d) => d.recipient)).not.toContain(frank.lid);
  });

  it("each peer's group text reaches the webhook as message.received with chatId and author", async () => {
    for (const peer of [t.peers.carol, t.peers.dave, t.peers.frank]) {
      const out = await t.gw.sim.groups.sendText(peer, groupId, `from ${peer.name}`);
      const event = await c.webhook<{ waMessageId: string }>(
        'message.received',
        (d) => d.waMessageId === out.id,
      );
      expect(event.data).toMatchObject({
        chatId: groupId,
        author: peer.pn,
        from: { jid: peer.pn, lid: peer.lid },
        type: 'text',
        payload: { text: `from ${peer.name}` },
      });
      const view = await c.json(200, 'GET', `/api/messages/${event.data.messageId}`);
      expect(view).toMatchObject({ chatId: groupId, author: peer.pn });
    }
  });

  it('refusals against the simulator: not a member 404 (a send to it fails at once), not an admin 403, per-participant codes, a bad invite 404', async () => {
    const { carol, dave } = t.peers;
    const announce = { settings: { announce: true } };

    const foreign = t.gw.sim.groups.create(dave, 'Not ours', [carol]);
    expect(await c.refusal('GET', groups(`/${foreign.id}`))).toEqual([404, 'GROUP_NOT_FOUND']);
    expect(await c.refusal('PATCH', groups(`/${foreign.id}`), announce)).toEqual([404, 'GROUP_NOT_FOUND']);
    // A text to it is accepted (the API does not ask WhatsApp) and fails on its first attempt.
    const body = { to: foreign.id, type: 'text', text: 'anyone?' };
    const { id } = await c.json<{ id: string }>(202, 'POST', `/api/sessions/${t.sessionId}/messages`, body);
    const failed = await t.gw.waitFor('the send to fail', async () => {
      const view = await c.json<{ status: string }>(200, 'GET', `/api/messages/${id}`);
      return view.status === 'failed' && view;
    });
    expect(failed).toMatchObject({ attempts: 1, statusReason: expect.stringContaining('not in this group') });

    // A group Dave made with the session as a plain member: admins-only changes are refused as such.
    const theirs = t.gw.sim.groups.create(dave, "Dave's", [t.account.pnJid, carol]);
    expect(await c.refusal('PATCH', groups(`/${theirs.id}`), announce)).toEqual([403, 'GROUP_NOT_ADMIN']);
    const removal = { action: 'remove', participants: [carol.phone] };
    expect(await c.refusal('POST', groups(`/${theirs.id}/participants`), removal)).toEqual([
      403,
      'GROUP_NOT_ADMIN',
    ]);
    expect(t.gw.sim.groups.get(theirs.id)?.participants.has(carol.lid)).toBe(true);

    // One person not on WhatsApp does not fail the request: each gets WhatsApp's own answer.
    const mixed = await participants(groupId, 'add', ['+1 999 000 1234', carol.phone]);
    expect(mixed.results).toEqual([
      { participant: '+1 999 000 1234', jid: expect.any(String), status: 404, ok: false },
      { participant: carol.phone, jid: expect.any(String), status: 409, ok: false },
    ]);

    for (const code of ['AbCdEfGhIjKlMnOpQrStUv', 'https://chat.whatsapp.com/ZZZZZZZZZZZZZZZZZZZZZZ']) {
      expect(await c.refusal('POST', groups('/join'), { code })).toEqual([404, 'GROUP_INVITE_INVALID']);
    }
    // Both reached WhatsApp: the refusal is its answer, not the API's reading of the input.
    expect(t.gw.sim.groups.iqCount('join')).toBe(2);
  });

  it("others' changes and leaving: the webhook names who by phone number, and whether the session was removed", async () => {
    const { dave } = t.peers;
    t.gw.sim.groups.setSubject(groupId, dave, 'Renamed by Dave');
    const renamed = await c.webhook<GroupEvent>(
      'group.updated',
      (d) => ofGroup(groupId)(d) && d.changes?.subject === 'Renamed by Dave',
    );
    expect(renamed.data).toMatchObject({ by: dave.pn, group: { subject: 'Renamed by Dave' } });
    expect((await getGroup(groupId)).subject).toBe('Renamed by Dave');

    const toLeave = t.gw.sim.groups.create(dave, 'To leave', [t.account.pnJid]);
    const toLose = t.gw.sim.groups.create(dave, 'To be removed from', [t.account.pnJid]);
    for (const { id } of [toLeave, toLose]) {
      expect((await c.webhook<GroupEvent>('group.joined', ofGroup(id))).data).toMatchObject({ by: dave.pn });
    }
    await c.json(200, 'POST', groups(`/${toLeave.id}/leave`));
    t.gw.sim.groups.participants(toLose.id, dave, 'remove', [t.account.pnJid]);
    for (const [id, by, removed] of [
      [toLeave.id, t.account.pnJid, false],
      [toLose.id, dave.pn, true],
    ] as const) {
      const left = await c.webhook<GroupEvent>('group.left', ofGroup(id));
      expect(left.data).toEqual({ groupId: id, by, removed });
      // The stored copy is gone, and WhatsApp no longer answers for the group either.
      expect(await c.refusal('GET', groups(`/${id}`))).toEqual([404, 'GROUP_NOT_FOUND']);
    }
  });
});
