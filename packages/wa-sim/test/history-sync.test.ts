import type { BaileysEventMap } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryAuthState, createTestClient, type TestClient, type WaSimulator } from '../src/index.js';
import { cdnFetch } from './media-https.js';
import { useSimulator } from './sim-test-helpers.js';

type HistorySet = BaileysEventMap['messaging-history.set'];

const ALICE = '15550001111';

/** QR pairing, then the first login as Baileys makes it after pairing (no sync counter yet). */
async function pairForFirstLogin(sim: WaSimulator, track: (c: TestClient) => TestClient) {
  const auth = createMemoryAuthState();
  // Both sockets keep the creds' sync counter at 0, as a fresh pairing has it.
  const first = track(createTestClient(sim, { auth, skipInitialSyncWait: false }));
  const [, closed] = await Promise.all([
    sim.scan(await first.waitForQr(), { phone: ALICE }),
    first.waitForClose(),
  ]);
  expect(closed.statusCode).toBe(515);
  const client = track(createTestClient(sim, { auth, skipInitialSyncWait: false }));
  const sets: HistorySet[] = [];
  client.sock.ev.on('messaging-history.set', (set) => sets.push(set));
  return { auth, client, sets };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('history sync on first login with real Baileys rc14', () => {
  const env = useSimulator();
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('the phone sends its chats, contacts and recent messages; Baileys emits messaging-history.set', async () => {
    const sim = await env.start();
    // Baileys downloads the blob with the global fetch; this one reaches the simulator's CDN.
    vi.stubGlobal('fetch', cdnFetch(sim.media));
    const bob = sim.messaging.addContact({ phone: '15557650001', lid: '900000000000001', name: 'Bob' });
    const now = Date.now();
    sim.history.set(ALICE, {
      chats: [
        {
          with: bob.phone,
          name: 'Bob Builder',
          unreadCount: 1,
          messages: [
            { fromMe: false, text: 'hi alice', at: now - 60_000, id: '3AHIST0001' },
            { fromMe: true, text: 'hi bob', at: now - 50_000, id: '3AHIST0002' },
            { fromMe: false, text: 'see you', at: now - 10_000, id: '3AHIST0003' },
          ],
        },
        {
          with: '+15557650009',
          name: 'Eve',
          archived: true,
          messages: [{ fromMe: true, text: 'long ago', at: now - 86_400_000, id: '3AHIST0004' }],
        },
      ],
      pushNames: { [bob.phone]: 'Bobby' },
    });

    const { auth, client, sets } = await pairForFirstLogin(sim, env.track);
    await client.waitForOpen();
    const [chats, names] = await until('two history chunks', () => (sets.length >= 2 ? sets : undefined));

    expect(chats?.syncType).toBe(0); // INITIAL_BOOTSTRAP
    expect(chats?.isLatest).toBe(true);
    const byId = new Map(chats?.chats.map((chat) => [chat.id, chat]));
    expect(byId.get(bob.pn)).toMatchObject({ name: 'Bob Builder', unreadCount: 1, lidJid: bob.lid });
    expect(byId.get('15557650009@s.whatsapp.net')).toMatchObject({ name: 'Eve', archived: true });
    // The newest message is the chat's last message.
    expect(byId.get(bob.pn)?.messages?.[0]?.message?.message?.conversation).toBe('see you');
    const messages = chats?.messages.map((m) => [
      m.key.id,
      m.key.remoteJid,
      m.key.fromMe,
      m.message?.conversation,
    ]);
    expect(messages).toEqual(
      expect.arrayContaining([
        ['3AHIST0001', bob.pn, false, 'hi alice'],
        ['3AHIST0002', bob.pn, true, 'hi bob'],
        ['3AHIST0003', bob.pn, false, 'see you'],
        ['3AHIST0004', '15557650009@s.whatsapp.net', true, 'long ago'],
      ]),
    );
    expect(messages).toHaveLength(4);
    expect(chats?.contacts).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: bob.pn, name: 'Bob Builder', lid: bob.lid })]),
    );
    // The PN↔LID pair the history carried is what Baileys now addresses Bob by.
    expect(await client.sock.signalRepository.lidMapping.getLIDForPN(bob.pn)).toBe(bob.lid);
    expect(names?.syncType).toBe(4); // PUSH_NAME
    expect(names?.contacts).toEqual([{ id: bob.pn, notify: 'Bobby' }]);

    // Downloaded from the CDN, acknowledged with hist_sync receipts, first sync counted by Baileys.
    const [record] = sim.history.sent();
    expect(record?.notifications).toHaveLength(2);
    expect(sim.counters.historySyncs).toBe(2);
    expect(sim.counters.media.downloads).toBeGreaterThanOrEqual(2);
    await until(
      'hist_sync receipts',
      () =>
        record?.messageIds.every((id) =>
          sim.messaging.clientReceipts().some((r) => r.type === 'hist_sync' && r.ids.includes(id)),
        ) || undefined,
    );
    // The app-state sync that follows the first history chunk was answered: Baileys counted its sync.
    await until('the first sync to complete', () => (auth.creds.accountSyncCounter === 1 ? true : undefined));
    expect(auth.creds.processedHistoryMessages).toHaveLength(2);

    // A later login of the same companion gets no history again.
    await client.end();
    const again = env.track(createTestClient(sim, { auth }));
    await again.waitForOpen();
    expect(sim.history.sent()).toHaveLength(1);
    expect(sim.counters.historySyncs).toBe(2);
  });

  it('an account without a history sends none', async () => {
    const sim = await env.start();
    const { client, sets } = await pairForFirstLogin(sim, env.track);
    await client.waitForOpen();
    expect(sim.history.sent()).toEqual([]);
    expect(sim.counters.historySyncs).toBe(0);
    expect(sets).toEqual([]);
  });
});
