import type { proto } from '@whiskeysockets/baileys';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { sessionPhone } from './messaging-fixtures.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

/**
 * Mentions end to end, through the API and a real worker: sends with `mentions` reach the
 * simulated peers' decrypted messages as `contextInfo.mentionedJid` (1:1, under an image caption,
 * and in a bulk send to a group), and peers' mentions reach the webhook's `message.received` and the
 * message view by phone number with their LID, as far as the session knows them.
 */

type Api = Awaited<ReturnType<Gateway['startApi']>>;
interface Mention {
  jid: string;
  lid: string | null;
}
interface ReceivedEvent {
  event: string;
  data: {
    messageId: string;
    waMessageId: string;
    chatId?: string;
    author?: string;
    mentions?: Mention[];
    payload: Record<string, unknown>;
  };
}

let gw: Gateway;
let api: Api;
let hooks: Receiver;
let sessionId: string;
let phone: string;

beforeAll(async () => {
  gw = await startGateway({ workerEnv: { SEND_JITTER_MS: '0', SEND_RATE_PER_MINUTE: '600' } });
  hooks = await startReceiver();
  await gw.startWorker('w1');
  api = await gw.startApi();
  const created = await api.call('POST', '/api/sessions', { name: 'mentions' });
  expect(created.status).toBe(201);
  sessionId = ((await created.json()) as { id: string }).id;
  const hook = await api.call('POST', `/api/sessions/${sessionId}/webhooks`, {
    url: hooks.url,
    events: ['message.received'],
  });
  expect(hook.status).toBe(201);
  await gw.pair(sessionId, 60_000);
  phone = await sessionPhone(gw, sessionId);
}, 120_000);

afterAll(async () => {
  await hooks?.stop();
  await gw?.close();
});

/** A simulated peer, added on first use (tests of this file share them, as the group does). */
function peer(phone: string, name: string, lid: string) {
  return () => gw.sim.messaging.contact(phone) ?? gw.sim.messaging.addContact({ phone, name, lid });
}
const bob = peer('15557100001', 'Bob', '710000000000001');
const carol = peer('15557100002', 'Carol', '710000000000002');

/** Posts one send (or a bulk one) through the API and waits for the row to be `sent`. */
async function sent(
  path: 'messages' | 'messages/bulk',
  body: unknown,
): Promise<{ id: string; waMessageId: string }> {
  const res = await api.call('POST', `/api/sessions/${sessionId}/${path}`, body);
  expect(res.status, await res.clone().text()).toBe(202);
  const accepted = (await res.json()) as { id?: string; batchId?: string };
  return gw.waitFor(
    'the message sent',
    async () => {
      const rows = accepted.id
        ? [await gw.db.repos.messages.getById(accepted.id)]
        : (await gw.db.repos.messages.listBySession({ sessionId, limit: 50 })).items.filter(
            (row) => row.batchId === accepted.batchId,
          );
      const row = rows[0];
      if (row?.status === 'failed') throw new Error(`send failed: ${row.statusReason}`);
      return row?.status === 'sent' && row.waMessageId
        ? { id: row.id, waMessageId: row.waMessageId }
        : undefined;
    },
    60_000,
  );
}

/** `contextInfo.mentionedJid` of whichever content a decrypted message carries. */
function mentionedJid(message: proto.IMessage | null | undefined): string[] | undefined {
  for (const value of Object.values(message ?? {})) {
    const jids = (value as { contextInfo?: proto.IContextInfo } | null)?.contextInfo?.mentionedJid;
    if (jids) return jids;
  }
  return undefined;
}

/** The `message.received` webhook of a WhatsApp message id. */
async function receivedHook(waMessageId: string): Promise<ReceivedEvent> {
  return gw.waitFor(
    `message.received of ${waMessageId} at the webhook`,
    async () =>
      hooks.requests
        .map((request) => JSON.parse(request.body) as ReceivedEvent)
        .find((event) => event.event === 'message.received' && event.data.waMessageId === waMessageId),
    30_000,
  );
}

describe('mentions through the API and a real worker', () => {
  it('a text to a peer arrives with mentionedJid: a phone number as its PN JID, a LID as given', async () => {
    const to = carol();
    const other = bob();
    const row = await sent('messages', {
      to: `+${to.phone}`,
      text: `hi @${other.phone} and @${other.lidUser}`,
      mentions: [`+${other.phone}`, other.lid, other.pn],
    });
    const got = await gw.sim.messaging.waitForMessage(
      (m) => m.id === row.waMessageId && !m.ownDevice,
      20_000,
    );
    expect(got.recipientPhone).toBe(to.phone);
    expect(got.message.extendedTextMessage?.text).toBe(`hi @${other.phone} and @${other.lidUser}`);
    expect(mentionedJid(got.message)).toEqual([other.pn, other.lid]);
    const view = (await (await api.call('GET', `/api/messages/${row.id}`)).json()) as {
      mentions?: Mention[];
    };
    expect(view.mentions).toEqual([
      { jid: other.pn, lid: null },
      { jid: other.lid, lid: other.lid },
    ]);
  }, 60_000);

  it('an image caption carries its mentions to the peer, who verifies the file', async () => {
    const to = gw.sim.messaging.addContact({ phone: '15557100003' });
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c05028' } })
      .jpeg()
      .toBuffer();
    const row = await sent('messages', {
      to: to.phone,
      type: 'image',
      media: { base64: jpeg.toString('base64') },
      caption: `for @${carol().phone}`,
      mentions: [carol().phone],
    });
    const got = await gw.sim.messaging.waitForMessage(
      (m) => m.id === row.waMessageId && !m.ownDevice,
      30_000,
    );
    expect(got.media).toMatchObject({ type: 'image', verified: true, caption: `for @${carol().phone}` });
    expect(got.message.imageMessage?.contextInfo?.mentionedJid).toEqual([carol().pn]);
  }, 60_000);

  it('a bulk send to a group reaches every member with the mentions', async () => {
    const group = gw.sim.groups.create(bob(), 'Mentions', [carol(), phone]);
    const row = await sent('messages/bulk', {
      messages: [
        { to: group.id, text: `@${bob().phone} @${carol().lidUser}`, mentions: [bob().phone, carol().lid] },
      ],
    });
    for (const member of [bob(), carol()]) {
      const delivery = await gw.sim.groups.waitForDelivery(
        (d) => d.id === row.waMessageId && d.recipientPhone === member.phone && d.outcome === 'decrypted',
        20_000,
      );
      expect(mentionedJid(delivery.message)).toEqual([bob().pn, carol().lid]);
    }
  }, 60_000);

  it("a peer's mentions reach the webhook and the view by phone number with the LID the session knows", async () => {
    const stranger = '719999999999999@lid';
    const sentByBob = await bob().sendMessage(phone, {
      extendedTextMessage: {
        text: `@${carol().lidUser} @719999999999999`,
        contextInfo: { mentionedJid: [carol().lid, stranger] },
      },
    });
    const event = await receivedHook(sentByBob.id);
    // The session learned Carol's pair when it sent to her and to the group; nobody told it about the
    // stranger, who stays a LID.
    const expected = [
      { jid: carol().pn, lid: carol().lid },
      { jid: stranger, lid: stranger },
    ];
    expect(event.data.mentions).toEqual(expected);
    expect(event.data.payload).not.toHaveProperty('mentions');
    const view = (await (await api.call('GET', `/api/messages/${event.data.messageId}`)).json()) as {
      mentions?: Mention[];
    };
    expect(view.mentions).toEqual(expected);
  }, 60_000);

  it("a peer's group message mentions members by LID: the webhook names them by phone number", async () => {
    const group = gw.sim.groups.all().find((g) => g.subject === 'Mentions');
    if (!group) throw new Error('the group of the bulk test is missing');
    const me = gw.sim.world.account(phone);
    if (!me) throw new Error('the session account is missing');
    const groupSent = await gw.sim.groups.sendMessage(bob(), group.id, {
      extendedTextMessage: {
        text: `@${carol().lidUser} @${me.lidUser}`,
        contextInfo: { mentionedJid: [carol().lid, me.lidJid] },
      },
    });
    const event = await receivedHook(groupSent.id);
    expect(event.data).toMatchObject({ chatId: group.id, author: bob().pn });
    expect(event.data.mentions).toEqual([
      { jid: carol().pn, lid: carol().lid },
      { jid: me.pnJid, lid: me.lidJid },
    ]);
  }, 60_000);
});
