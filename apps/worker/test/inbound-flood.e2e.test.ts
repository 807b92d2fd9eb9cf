import { WEBHOOK_HEADERS } from '@wagw/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SentText, waitStoredResendingUnreceipted } from './flood-redelivery.js';
import { type Gateway, startGateway } from './harness.js';
import { createOutbox, sessionPhone, workerHeartbeat } from './messaging-fixtures.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

const CONTACTS = 10;
const PER_CONTACT = 30;
const TOTAL = CONTACTS * PER_CONTACT;

let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let fast: Receiver;
let slow: Receiver;
let hanging: Receiver;

beforeAll(async () => {
  fast = await startReceiver();
  // 300 ms per answer: with 5 in flight per endpoint, ~16 deliveries/s, far below the flood's rate.
  slow = await startReceiver({ reply: () => ({ status: 200, delayMs: 300 }) });
  // Never answers: every delivery waits out WEBHOOK_TIMEOUT, then its endpoint's breaker opens.
  hanging = await startReceiver({ reply: () => 'hang' });
  // PostgreSQL: in one CI run on SQLite, with three processes and the test writing to one file
  // while other heavy test files ran, the worker met SQLITE_BUSY past busy_timeout and the 300
  // messages were not all stored within 120 s (open in issue #16). This test is about receivers.
  // Production's lease, keep-alive and silence limits, not the harness' fast ones: in a full CI run
  // the socket dropped mid-flood with them (271 of 300 stored), as in inbound.e2e.
  gw = await startGateway({
    database: 'postgres',
    workerEnv: {
      WEBHOOK_TIMEOUT: '2000',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_BACKOFF_DELAY: '200',
      LEASE_TTL: '15000',
      WA_KEEPALIVE_INTERVAL: '30000',
      WATCHDOG_SILENCE_TIMEOUT: '75000',
    },
  });
  await gw.startWorker('w1');
  api = await gw.startApi({ WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_BACKOFF_DELAY: '200' });
}, 60_000);
afterAll(async () => {
  for (const r of [fast, slow, hanging]) await r?.stop();
  await gw?.close();
});

const ids = (r: Receiver) => r.requests.map((q) => q.headers[WEBHOOK_HEADERS.id] as string);

describe('a flood of inbound messages with slow and dead webhook receivers', () => {
  it(`${TOTAL} messages at once: all stored once; each receiver gets each event once, at its own pace`, async () => {
    const session = await gw.createSession('flooded', {
      linked: true,
      settings: { pacing: { perMinute: 60_000, minDelayMs: 0, maxDelayMs: 0 } },
    });
    await gw.waitForStatus(session.id, 'open', 60_000);
    for (const r of [fast, slow, hanging]) {
      const res = await api.call('POST', `/api/sessions/${session.id}/webhooks`, {
        url: r.url,
        events: ['message.received'],
      });
      expect(res.status).toBe(201);
    }
    const phone = await sessionPhone(gw, session.id);
    const contacts = Array.from({ length: CONTACTS }, (_, i) =>
      gw.sim.messaging.addContact({ phone: `1666400${i}0000` }),
    );

    const started = Date.now();
    const loginsBefore = gw.sim.counters.logins;
    const floodSent: SentText[] = [];
    const flood = Promise.all(
      contacts.map(async (c, i) => {
        for (let n = 0; n < PER_CONTACT; n++) {
          const text = `flood-${i}-${n}`;
          const message = await c.sendText(phone, text);
          floodSent.push({ from: c, id: message.id, text });
        }
      }),
    );
    // Sends keep going out during the flood: the inbound path and slow receivers do not starve them.
    const outbox = createOutbox(gw, session.id);
    const sent = await Promise.all(contacts.map((c, i) => outbox.text(c.pn, `out-during-flood-${i}`)));
    await flood;

    await waitStoredResendingUnreceipted(gw, {
      n: TOTAL,
      stored: async () => (await gw.db.repos.messages.countByStatus(session.id)).received,
      phone,
      sent: floodSent,
      loginsBefore,
      firstWaitMs: 120_000,
      laterWaitMs: 240_000,
    });
    const storedMs = Date.now() - started;
    await gw.waitFor(
      'every event at the fast receiver',
      async () => new Set(ids(fast)).size >= TOTAL || undefined,
      300_000,
    );
    const fastMs = Date.now() - started;
    await gw.waitFor(
      'every event at the slow receiver',
      async () => new Set(ids(slow)).size >= TOTAL || undefined,
      300_000,
    );
    const slowMs = Date.now() - started;
    await gw.waitFor(
      'the sends made during the flood delivered',
      async () => {
        for (const m of sent)
          if ((await gw.db.repos.messages.getById(m.id))?.status === 'queued') return false;
        return (
          gw.sim.messaging.decrypted().filter((d) => d.text?.startsWith('out-during-flood-')).length >=
          CONTACTS
        );
      },
      60_000,
    );

    expect((await gw.db.repos.messages.countByStatus(session.id)).received).toBe(TOTAL);
    expect(ids(fast)).toHaveLength(TOTAL);
    expect(new Set(ids(slow)).size).toBe(TOTAL);
    // The dead receiver cost retries, then its breaker held deliveries back: far fewer than 3 per event.
    // The owner's: w1, or one of its peers when the suite runs with several workers (E2E_WORKERS).
    const beat = await workerHeartbeat(gw, (await gw.ownerWorker(session.id)).id);
    const breakers = (beat?.breakers ?? {}) as Record<string, string>;
    const open = Object.entries(breakers).filter(
      ([name, state]) => name.startsWith('webhook') && state !== 'closed',
    );
    console.info(
      `flood of ${TOTAL}: stored in ${storedMs} ms, fast receiver done at ${fastMs} ms, slow at ${slowMs} ms; ` +
        `hanging receiver got ${hanging.requests.length} requests; breakers not closed: ${JSON.stringify(open)}; ` +
        `worker event-loop p99 ${beat?.eventLoopDelayP99Ms} ms, rss ${Math.round(Number(beat?.rss) / 2 ** 20)} MiB`,
    );
    expect(hanging.requests.length).toBeLessThan(TOTAL);
  }, 900_000);
});
