import { readEvents, redisKeys } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let sessionId: string;

/** The simulated account the session links to: its phone holds the history below. */
const ALICE = '15557700001';
const EVE = '15557700009@s.whatsapp.net';
const minutesAgo = (n: number) => Date.now() - n * 60_000;

interface ChatItem {
  id: string;
  lid: string | null;
  name: string | null;
  unreadCount: number;
  archived: boolean;
  muted: boolean;
  lastMessage: {
    waMessageId: string | null;
    preview: string | null;
    timestamp: string;
    direction: string;
  } | null;
}

const listChats = async (): Promise<ChatItem[]> => {
  const res = await api.call('GET', `/api/sessions/${sessionId}/chats`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: ChatItem[] }).items;
};

beforeAll(async () => {
  gw = await startGateway();
  await gw.startWorker('w1');
  api = await gw.startApi();
}, 60_000);
afterAll(() => gw?.close());

describe('chats against the simulator', () => {
  const bob = () => gw.sim.messaging.contact('15557700002');

  it('after pairing, lists the chats of the first-login history with their last messages', async () => {
    gw.sim.messaging.addContact({ phone: '15557700002', name: 'Bob' });
    gw.sim.history.set(ALICE, {
      chats: [
        {
          with: '15557700002',
          name: 'Bob Builder',
          unreadCount: 1,
          messages: [
            { fromMe: false, text: 'hi alice', at: minutesAgo(30), id: '3AHISTCHAT01' },
            { fromMe: true, text: 'hi bob', at: minutesAgo(20), id: '3AHISTCHAT02' },
            { fromMe: false, text: 'see you tomorrow', at: minutesAgo(10), id: '3AHISTCHAT03' },
          ],
        },
        {
          with: EVE,
          name: 'Eve',
          archived: true,
          mutedUntil: -1,
          messages: [{ fromMe: true, text: 'long ago', at: minutesAgo(60 * 24), id: '3AHISTCHAT04' }],
        },
      ],
      pushNames: { '15557700002': 'Bobby' },
    });
    const session = await gw.createSession('chats');
    sessionId = session.id;
    // QR pairing as harness.pair does it, but to Alice's account, whose phone has the history.
    const qr = await gw.waitFor(
      'the QR',
      async () => (await gw.redis.get(redisKeys(gw.prefix).qr(sessionId))) ?? undefined,
    );
    await gw.sim.scan(qr, { phone: ALICE });
    await gw.waitForStatus(sessionId, 'open', 30_000);

    const chats = await gw.waitFor('both history chats', async () => {
      const items = await listChats();
      return items.length === 2 && items.every((c) => c.lastMessage) ? items : undefined;
    });
    const contact = bob();
    expect(chats).toEqual([
      expect.objectContaining({
        id: contact?.pn,
        lid: contact?.lid,
        name: 'Bob Builder',
        unreadCount: 1,
        archived: false,
        muted: false,
        lastMessage: {
          waMessageId: '3AHISTCHAT03',
          preview: 'see you tomorrow',
          timestamp: expect.any(String),
          direction: 'inbound',
        },
      }),
      expect.objectContaining({
        id: EVE,
        name: 'Eve',
        unreadCount: 0,
        archived: true,
        muted: true,
        lastMessage: expect.objectContaining({
          waMessageId: '3AHISTCHAT04',
          preview: 'long ago',
          direction: 'outbound',
        }),
      }),
    ]);
    // The history's contacts are stored too: its saved names and the push names chunk.
    await gw.waitFor('the push name from the history', async () => {
      const [row] = await gw.db.repos.contacts.findByAddresses(sessionId, [contact?.pn as string]);
      return row?.name === 'Bob Builder' && row.notify === 'Bobby' ? row : undefined;
    });
  });

  it('a live inbound message updates the last message and unread count and emits chat.updated', async () => {
    const contact = bob();
    if (!contact) throw new Error('bob missing');
    const before = await readEvents(gw.redis, gw.prefix, '0', { count: 10_000 });
    const lastId = before.at(-1)?.streamId ?? '0';
    const sent = await contact.sendText(ALICE, 'are you there?', { addressing: 'lid' });

    const chat = await gw.waitFor('the chat to show the new message', async () => {
      const [first] = await listChats();
      return first?.lastMessage?.waMessageId === sent.id ? first : undefined;
    });
    expect(chat).toMatchObject({
      id: contact.pn,
      unreadCount: 2,
      lastMessage: { preview: 'are you there?', direction: 'inbound' },
    });
    const updated = await gw.waitFor('chat.updated', async () => {
      const events = await readEvents(gw.redis, gw.prefix, lastId, { count: 1000 });
      return events.find(
        (e) =>
          e.event.event === 'chat.updated' &&
          (e.event.data as { chat: ChatItem }).chat.lastMessage?.waMessageId === sent.id,
      );
    });
    expect(updated.event).toMatchObject({
      sessionId,
      data: { chatId: contact.pn, chat: { id: contact.pn, unreadCount: 2, name: 'Bob Builder' } },
    });

    // Its push name ("Bob", not the history's "Bobby") changed the contact: announced once, and a
    // second message with the same name announces nothing more.
    const contactEvents = async () =>
      (await readEvents(gw.redis, gw.prefix, lastId, { count: 1000 })).filter((e) => {
        const data = e.event.data as { contactId?: string; contact?: { notify: string | null } };
        return (
          e.event.event === 'contact.updated' &&
          [contact.pn, contact.lid].includes(data.contactId ?? '') &&
          data.contact?.notify === 'Bob'
        );
      });
    await gw.waitFor('contact.updated', async () => ((await contactEvents()).length > 0 ? true : undefined));
    const again = await contact.sendText(ALICE, 'hello?', { addressing: 'lid' });
    await gw.waitFor('the second message in the chat', async () => {
      const [first] = await listChats();
      return first?.lastMessage?.waMessageId === again.id && first.unreadCount === 3 ? first : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await contactEvents()).toHaveLength(1);

    // The message is in the chat's messages, asked for by phone number or by LID.
    for (const chatId of [contact.phone, encodeURIComponent(contact.lid)]) {
      const res = await api.call('GET', `/api/sessions/${sessionId}/chats/${chatId}/messages?limit=5`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as {
        items: Array<{ waMessageId: string; payload: { text?: string } }>;
      };
      expect(page.items.slice(0, 2)).toMatchObject([
        { waMessageId: again.id, payload: { text: 'hello?' } },
        { waMessageId: sent.id, payload: { text: 'are you there?' } },
      ]);
    }
  });

  it('a message sent through the API becomes the last message, outbound, and its chat lists it', async () => {
    const contact = bob();
    if (!contact) throw new Error('bob missing');
    const res = await api.call('POST', `/api/sessions/${sessionId}/messages`, {
      to: `+${contact.phone}`,
      type: 'text',
      text: 'on my way',
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const chat = await gw.waitFor('the chat to show the sent message', async () => {
      const [first] = await listChats();
      return first?.lastMessage?.direction === 'outbound' ? first : undefined;
    });
    expect(chat).toMatchObject({ id: contact.pn, lastMessage: { preview: 'on my way' } });
    const page = await api.call('GET', `/api/sessions/${sessionId}/chats/${contact.phone}/messages?limit=1`);
    expect(((await page.json()) as { items: Array<{ id: string }> }).items[0]?.id).toBe(id);
  });
});
