import { WEBHOOK_HEADERS } from '@wagw/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway, stopProcess } from './harness.js';
import { sessionPhone } from './messaging-fixtures.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

const CONTACTS = 8;
const PER_CONTACT = 25;
const TOTAL = CONTACTS * PER_CONTACT;
/** Messages sent before the owner is killed; the rest arrive while no worker holds the session. */
const BEFORE_KILL = 80;
const LEASE_TTL_MS = 2000;

let gw: Gateway;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  gw = await startGateway({ workerEnv: { LEASE_TTL: String(LEASE_TTL_MS) } });
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
    const phone = await sessionPhone(gw, session.id);
    const contacts = Array.from({ length: CONTACTS }, (_, i) =>
      gw.sim.messaging.addContact({ phone: `1666500${i}0000` }),
    );

    const sent: string[] = [];
    let killedAt = 0;
    let acknowledgedBeforeKill = new Set<string>();
    const kill = async () => {
      // What the server saw acknowledged when the worker died: WhatsApp never sends those again.
      acknowledgedBeforeKill = new Set(gw.sim.messaging.clientReceipts().flatMap((r) => r.ids));
      killedAt = Date.now();
      await Promise.all(doomed.map((id) => stopProcess(gw.workers.get(id)!, 'SIGKILL')));
    };
    await Promise.all(
      contacts.map(async (c, i) => {
        for (let n = 0; n < PER_CONTACT; n++) {
          sent.push((await c.sendText(phone, `failover-${i}-${n}`)).id);
          if (sent.length === BEFORE_KILL) await kill();
        }
      }),
    );

    // Stored by whoever acknowledged them: the dead worker before it died, the survivor after.
    const stored = async () => {
      const found = await Promise.all(sent.map((id) => gw.db.repos.messages.getByWaId(session.id, id)));
      return new Set(found.flatMap((row, i) => (row ? [sent[i] as string] : [])));
    };
    const unacknowledged = () => sent.filter((id) => !acknowledgedBeforeKill.has(id));
    // Baileys handles one message at a time: it decrypts (storing the Signal keys it used), then
    // acknowledges, then hands the message over. The one it was between decrypting and
    // acknowledging when the process died comes again and cannot be decrypted (Baileys rc14 nacks
    // it with 487 instead of asking the sender): at most one message is lost that way. Every other
    // message not acknowledged is stored, also those Baileys read after a connection of the
    // survivor dropped under the flood (their keys are not stored once the connection closed).
    const missing = () => unacknowledged().filter((id) => !have.has(id));
    let have = new Set<string>();
    let lastOwner = '';
    let reachedAt = 0;
    await gw.waitFor(
      'every message not acknowledged before the kill stored, but the one in flight',
      async () => {
        have = await stored();
        lastOwner = `${await gw.ownerOf(session.id)} (${(await gw.db.repos.sessions.getById(session.id))?.status})`;
        if (missing().length > 1) return undefined;
        reachedAt ||= Date.now();
        // The last one may still be on its way: give it a moment before counting it lost.
        await new Promise((r) => setTimeout(r, missing().length === 1 ? 3000 : 0));
        have = await stored();
        return missing().length <= 1 || undefined;
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
    );
    const eventIds = receiver.requests.map((q) => q.headers[WEBHOOK_HEADERS.id] as string);
    const lostAfterReceipt = sent.filter((id) => acknowledgedBeforeKill.has(id) && !have.has(id));
    console.info(
      `inbound failover: ${TOTAL} sent, killed after ${BEFORE_KILL}; ${unacknowledged().length} unacknowledged ` +
        `at the kill, stored but ${missing().length} ${recoveredMs} ms after it; ` +
        `${gw.sim.counters.redeliveries} delivered again by the server, ${gw.sim.counters.logins} logins; ` +
        `${lostAfterReceipt.length} acknowledged by the dead worker but not stored; ` +
        `${eventIds.length - new Set(eventIds).size} webhook deliveries repeated an event id`,
    );
    // Exactly once in the database (unique per session and WhatsApp id) and at the receiver per event.
    expect((await gw.db.repos.messages.countByStatus(session.id)).received).toBe(have.size);
    expect(announced().size).toBe(have.size);
    expect(unacknowledged().length).toBeGreaterThanOrEqual(TOTAL - BEFORE_KILL);
  }, 240_000);
});
