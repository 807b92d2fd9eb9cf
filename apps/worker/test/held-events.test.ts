import { pairTestClient, startSimulator, type TestClient, type WaSimulator } from '@wagw/wa-sim';
import type { BinaryNode } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { releaseHeldEvents } from '../src/messaging/held-events.js';

const SENDS = 150;

let sim: WaSimulator | undefined;
let client: TestClient | undefined;
afterEach(async () => {
  await client?.end();
  await sim?.close();
  client = undefined;
  sim = undefined;
});

/**
 * Real Baileys rc14 against the simulator, the way the worker sends: one message at a time, each
 * awaited to its server ack, to a contact that sends no receipts (the simulator's default), so
 * nothing incoming makes Baileys flush its event buffer. First login after pairing, as a new
 * gateway session has it: Baileys holds events for its initial history sync (up to 20 s), and
 * its own 100 ms flush of each send's upsert cannot release them (held-events.ts).
 */
async function sendAndTime(release: boolean) {
  sim = await startSimulator();
  const paired = await pairTestClient(sim, { scan: { name: 'Alice' }, skipInitialSyncWait: false });
  client = paired.client;
  const sock = client.sock;
  const bob = sim.messaging.addContact({ phone: '15557654321' });
  const held = release ? releaseHeldEvents(sock) : undefined;
  const ackAt = new Map<string, number>();
  const upsertAt = new Map<string, number>();
  sock.ws.on('CB:ack,class:message', (node: BinaryNode) => {
    if (node.attrs.id) ackAt.set(node.attrs.id, Date.now());
  });
  sock.ev.on('messages.upsert', ({ messages }) => {
    for (const m of messages) if (m.key.fromMe && m.key.id) upsertAt.set(m.key.id, Date.now());
  });
  const ids: string[] = [];
  for (let i = 0; i < SENDS; i++) {
    const sent = await sock.sendMessage(bob.pn, { text: `bulk-${i}` });
    const id = sent?.key.id ?? '';
    ids.push(id);
    await vi.waitFor(() => expect(ackAt.has(id)).toBe(true), { timeout: 5000, interval: 2 });
  }
  // Settle: a release scheduled by the last ack has run by now.
  await new Promise((r) => setTimeout(r, 500));
  held?.stop();
  const lags = ids.map((id) => (upsertAt.get(id) ?? Number.POSITIVE_INFINITY) - (ackAt.get(id) ?? 0));
  return { lags, stillBuffering: sock.ev.isBuffering() };
}

describe("Baileys' own upserts during a bulk without receipts, right after pairing", () => {
  it('with the release, every sent message is upserted within a second of its server ack', async () => {
    const { lags } = await sendAndTime(true);
    expect(Math.max(...lags)).toBeLessThan(1000);
  }, 60_000);

  it('without it, Baileys rc14 still holds them (the reason for the release)', async () => {
    const { lags, stillBuffering } = await sendAndTime(false);
    expect(stillBuffering).toBe(true);
    expect(lags.filter((lag) => lag > 1000).length).toBeGreaterThan(SENDS / 2);
  }, 60_000);
});
