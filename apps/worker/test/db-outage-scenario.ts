import type { Message } from '@wagw/db';
import { readEvents, redisKeys } from '@wagw/queue';
import { expect } from 'vitest';
import type { Gateway } from './harness.js';
import { createOutbox, sessionPhone, waitForMessageStatus, workerHeartbeat } from './messaging-fixtures.js';

/** Worker settings for a database outage: the breaker opens on the first failure and probes every 5 s. */
const DB_OUTAGE_WORKER_ENV: Record<string, string> = {
  DB_FAILURE_THRESHOLD: '1',
  DB_RESET_TIMEOUT: '5000',
  SEND_JITTER_MS: '0',
  SEND_RATE_PER_MINUTE: '600',
  // A locked SQLite file blocks the event loop for busy_timeout (5 s) per attempt; a 3 s test lease
  // would lapse during it and move the session, which is not what this test is about.
  LEASE_TTL: '30000',
  WATCHDOG_SILENCE_TIMEOUT: '60000',
  // Production keep-alive and query timeouts: the 2 s / 5 s test values read a 5 s stall as a dead
  // connection.
  WA_KEEPALIVE_INTERVAL: '30000',
  WA_QUERY_TIMEOUT: '60000',
  LOG_LEVEL: process.env.DB_OUTAGE_LOG ?? 'warn',
};

export interface Outage {
  /** Makes the database unavailable to the worker (and only to it). */
  start(): Promise<void>;
  /** Makes it available again. */
  end(): Promise<void>;
}

export interface OutageFigures {
  inbound: number;
  receipts: number;
  spooledAtPeak: number;
  drainMs: number;
}

/**
 * A session with OUTBOUND sent messages; the database goes away; contacts send INBOUND messages
 * and receipts (delivered, then read) arrive for the sent ones; the database comes back. Every
 * message is stored once with one `message.received`, every status is final, the spool is empty.
 */
export async function runDbOutage(
  gw: Gateway,
  outage: Outage,
  counts: { inbound: number; outbound: number; workerEnv?: Record<string, string> } = {
    inbound: 20,
    outbound: 5,
  },
): Promise<OutageFigures> {
  await gw.startWorker('w1', { ...DB_OUTAGE_WORKER_ENV, ...counts.workerEnv });
  const session = await gw.createSession('db-outage', { linked: true });
  await gw.waitForStatus(session.id, 'open', 60_000);
  // w1, or one of its peers when the suite runs with several workers (E2E_WORKERS).
  const { id: owner } = await gw.ownerWorker(session.id);
  const phone = await sessionPhone(gw, session.id);
  const spoolKey = redisKeys(gw.prefix).dbSpool(session.id);
  const outbox = createOutbox(gw, session.id);
  try {
    const contacts = Array.from({ length: 4 }, (_, i) =>
      gw.sim.messaging.addContact({ phone: `1555420${String(i).padStart(4, '0')}`, name: `Peer ${i}` }),
    );
    const sent: Array<{ row: Message; to: (typeof contacts)[number]; waId: string }> = [];
    for (let i = 0; i < counts.outbound; i++) {
      const to = contacts[i % contacts.length]!;
      const row = await outbox.text(to.pn, `before the outage ${i}`);
      const got = await gw.sim.messaging.waitForMessage(
        (m) => m.id === row.waMessageId && !m.ownDevice,
        20_000,
      );
      await waitForMessageStatus(gw, row.id, 'sent');
      sent.push({ row, to, waId: got.id });
    }

    await outage.start();
    const inbound: string[] = [];
    for (let i = 0; i < counts.inbound; i++) {
      const from = contacts[i % contacts.length]!;
      inbound.push((await from.sendText(phone, `during the outage ${i}`)).id);
    }
    for (const { to, waId } of sent) await to.receipt(waId, 'delivery');
    for (const { to, waId } of sent) await to.receipt(waId, 'read');
    // Baileys buffers events for ~100 ms and folds a message's delivery and read receipts into one
    // update when both land in one buffer: at least one receipt write per sent message.
    const expected = counts.inbound + counts.outbound;
    // Everything that arrived is in the spool, nothing in the database yet.
    const spooledAtPeak = await gw.waitFor(
      `${expected} writes spooled`,
      async () => {
        const depth = await gw.redis.llen(spoolKey);
        return depth >= expected ? depth : undefined;
      },
      120_000,
    );
    // Health tells the truth: the worker reports what waits.
    await gw.waitFor('the heartbeat to report the spool', async () => {
      const beat = await workerHeartbeat(gw, owner);
      return ((beat?.dbSpool as { depth?: number } | undefined)?.depth ?? 0) >= expected || undefined;
    });

    const released = performance.now();
    await outage.end();
    await gw.waitFor(
      'every write made',
      async () => {
        if ((await gw.redis.llen(spoolKey)) > 0) return undefined;
        for (const id of inbound)
          if (!(await gw.db.repos.messages.getByWaId(session.id, id))) return undefined;
        for (const { row } of sent)
          if ((await gw.db.repos.messages.getById(row.id))?.status !== 'read') return undefined;
        return true;
      },
      120_000,
    );
    const drainMs = Math.round(performance.now() - released);

    expect((await gw.db.repos.messages.countByStatus(session.id)).received).toBe(counts.inbound);
    const events = await readEvents(gw.redis, gw.prefix, '0', { count: 10_000 });
    const received = events
      .filter((e) => e.event.event === 'message.received')
      .map((e) => (e.event.data as { waMessageId?: string }).waMessageId);
    expect(received.sort()).toEqual([...inbound].sort());
    for (const { row } of sent) {
      const statuses = events
        .filter((e) => e.event.event === 'message.status' && e.event.data.messageId === row.id)
        .map((e) => e.event.data.status);
      // `delivered` is absent when Baileys folded it into the read receipt (see above).
      expect([
        ['sending', 'sent', 'delivered', 'read'],
        ['sending', 'sent', 'read'],
      ]).toContainEqual(statuses);
    }
    await gw.waitFor('the heartbeat to report an empty spool', async () => {
      const beat = await workerHeartbeat(gw, owner);
      const spool = beat?.dbSpool as { depth?: number; replayed?: number } | undefined;
      return (spool?.depth === 0 && (spool.replayed ?? 0) >= expected) || undefined;
    });
    return { inbound: counts.inbound, receipts: spooledAtPeak - counts.inbound, spooledAtPeak, drainMs };
  } finally {
    await outbox.close();
  }
}
