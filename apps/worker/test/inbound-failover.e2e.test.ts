import { WEBHOOK_HEADERS } from '@wagw/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway, stopProcess } from './harness.js';
import { sessionPhone } from './messaging-fixtures.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

const CONTACTS = 8;
const PER_CONTACT = 25;
const TOTAL = CONTACTS * PER_CONTACT;
/** The owner is killed once it acknowledged this many: mid-flood, with a backlog in hand. */
const ACKNOWLEDGED_AT_KILL = 60;
const LEASE_TTL_MS = 2000;

let gw: Gateway;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  gw = await startGateway({
    workerEnv: {
      LEASE_TTL: String(LEASE_TTL_MS),
      // Webhook deliveries the dead worker held (an active job, or events its dispatcher had read)
      // go to the survivor after these instead of the 30 s defaults (each checked every half of
      // it): with the defaults a loaded run once took more than the 60 s the last wait allows.
      // webhooks-failover.e2e.test.ts proves that hand-over; this file proves the inbound path.
      WEBHOOK_LOCK_DURATION: '5000',
      WEBHOOK_CLAIM_IDLE: '3000',
    },
  });
}, 60_000);
afterAll(async () => {
  await receiver?.stop();
  await gw?.close();
});

describe('kill -9 of the owning worker while messages arrive', () => {
  it(`${TOTAL} inbound messages: each one the dead worker had not acknowledged is stored and announced once`, async () => {
    await gw.startWorker('doomed');
    // 'doomed' and its peers (E2E_WORKERS) die together: one survivor takes the session over.
    const doomed = gw.workerIds();
    const session = await gw.createSession('inbound-failover', { linked: true });
    await gw.waitForStatus(session.id, 'open', 60_000);
    const api = await gw.startApi();
    const hook = await api.call('POST', `/api/sessions/${session.id}/webhooks`, {
      url: receiver.url,
      events: ['message.received'],
    });
    expect(hook.status).toBe(201);
    await gw.startWorker('survivor');
    // The production topology: its relay publishes what the dead worker stored and did not publish.
    await gw.startScheduler();
    const phone = await sessionPhone(gw, session.id);
    const contacts = Array.from({ length: CONTACTS }, (_, i) =>
      gw.sim.messaging.addContact({ phone: `1666500${i}0000` }),
    );

    const sent: string[] = [];
    let killedAt = 0;
    let acknowledgedBeforeKill = new Set<string>();
    const me = (await gw.db.repos.sessions.getById(session.id))?.meJid as string;
    const kill = async () => {
      const deadConnections = new Set(gw.sim.connectionsOf(me).map((c) => c.id));
      expect(deadConnections.size).toBe(1);
      killedAt = Date.now();
      await Promise.all(doomed.map((id) => stopProcess(gw.workers.get(id)!, 'SIGKILL')));
      // What the server got acknowledged once it read the dead worker's connection to its end:
      // WhatsApp never sends those again.
      await gw.waitFor(
        "the dead worker's connection closed at the server",
        async () => gw.sim.connections().every((c) => !deadConnections.has(c.id)) || undefined,
        10_000,
      );
      acknowledgedBeforeKill = new Set(gw.sim.messaging.clientReceipts().flatMap((r) => r.ids));
    };
    const sending = Promise.all(
      contacts.map(async (c, i) => {
        for (let n = 0; n < PER_CONTACT; n++) {
          sent.push((await c.sendText(phone, `failover-${i}-${n}`)).id);
          // Paced like people typing, so the flood outlasts the kill and the takeover.
          await new Promise((r) => setTimeout(r, 20));
        }
      }),
    );
    const receipted = () => gw.sim.messaging.clientReceipts().flatMap((r) => r.ids).length;
    await gw.waitFor(
      'the owner acknowledging messages',
      async () => receipted() >= ACKNOWLEDGED_AT_KILL || undefined,
      60_000,
    );
    await kill();
    await sending;

    // Stored by whoever acknowledged them: the dead worker before it died, the survivor after.
    const stored = async () => {
      const found = await Promise.all(sent.map((id) => gw.db.repos.messages.getByWaId(session.id, id)));
      return new Set(found.flatMap((row, i) => (row ? [sent[i] as string] : [])));
    };
    const unacknowledged = () => sent.filter((id) => !acknowledgedBeforeKill.has(id));
    // Baileys handles one message at a time: it decrypts, acknowledges, then hands the message
    // over. The keys a message used are stored only once Baileys is done with it
    // (message-turns.ts), so every message the server got no receipt for, the one in hand at
    // the kill included, and those read after a connection of the survivor dropped under the
    // flood, comes again and decrypts.
    const missing = () => unacknowledged().filter((id) => !have.has(id));
    let have = new Set<string>();
    let lastOwner = '';
    let reachedAt = 0;
    await gw.waitFor(
      'every message not acknowledged before the kill stored',
      async () => {
        have = await stored();
        lastOwner = `${await gw.ownerOf(session.id)} (${(await gw.db.repos.sessions.getById(session.id))?.status})`;
        if (missing().length > 0) return undefined;
        reachedAt = Date.now();
        return true;
      },
      120_000,
      () =>
        `${missing().length} of ${unacknowledged().length} missing; owner ${lastOwner}, ` +
        `${gw.sim.counters.logins} logins, ${gw.sim.counters.redeliveries} delivered again`,
    );
    const recoveredMs = reachedAt - killedAt;
    // Each stored message's event reaches the receiver, once per event id.
    const rows = await Promise.all([...have].map((id) => gw.db.repos.messages.getByWaId(session.id, id)));
    const messageIds = new Set(rows.map((r) => r?.id));
    const announced = () =>
      new Set(
        receiver.requests.map((q) => (JSON.parse(q.body) as { data: { messageId: string } }).data.messageId),
      );
    await gw.waitFor(
      'every stored message announced',
      async () => [...messageIds].every((id) => announced().has(id as string)) || undefined,
      60_000,
      () =>
        `${[...messageIds].filter((id) => !announced().has(id as string)).length} of ${messageIds.size} not yet`,
    );
    const eventIds = receiver.requests.map((q) => q.headers[WEBHOOK_HEADERS.id] as string);
    const lostAfterReceipt = sent.filter((id) => acknowledgedBeforeKill.has(id) && !have.has(id));
    console.info(
      `inbound failover: ${TOTAL} sent, killed after ${acknowledgedBeforeKill.size} acknowledged; ${unacknowledged().length} unacknowledged ` +
        `at the kill, all stored ${recoveredMs} ms after it; ` +
        `${gw.sim.counters.redeliveries} delivered again by the server, ${gw.sim.counters.logins} logins; ` +
        `${lostAfterReceipt.length} acknowledged by the dead worker but not stored; ` +
        `${eventIds.length - new Set(eventIds).size} webhook deliveries repeated an event id`,
    );
    // Exactly once in the database (unique per session and WhatsApp id) and at the receiver per event.
    expect((await gw.db.repos.messages.countByStatus(session.id)).received).toBe(have.size);
    expect(announced().size).toBe(have.size);
    expect(acknowledgedBeforeKill.size).toBeGreaterThanOrEqual(ACKNOWLEDGED_AT_KILL);
    // Baileys acknowledges before it hands a message over, and each is stored before it goes on
    // (message-turns.ts): at most the one in hand at the kill was acknowledged and not stored.
    expect(lostAfterReceipt.length).toBeLessThanOrEqual(1);
    expect(unacknowledged().length).toBeGreaterThan(0);
  }, 240_000);
});
