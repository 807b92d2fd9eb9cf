import { readEvents } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway, stopProcess } from './harness.js';

// Fast maintenance so a missed run shows within seconds.
const SCHEDULER_ENV = {
  EVENT_OUTBOX_GRACE_MS: '1000',
  EVENT_OUTBOX_INTERVAL: '1000',
  OUTBOX_GRACE_MS: '1000',
  OUTBOX_RECONCILE_INTERVAL: '1000',
  // A run the killed replica held keeps its lock this long (default 60 s).
  MAINTENANCE_LOCK_TTL: '5000',
};

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.close());

/** An inbound message stored with its event but never published, as a crashed worker leaves it. */
async function orphanEvent(sessionId: string, n: number): Promise<string> {
  const id = `message.scheduler-kill-${n}.received`;
  await gw.db.repos.messages.insertInboundIgnoringDuplicates(
    {
      sessionId,
      direction: 'inbound',
      remoteJid: '15550002222@s.whatsapp.net',
      waMessageId: `SK-${n}`,
      type: 'text',
      payload: { text: `orphan ${n}` },
    },
    {
      event: {
        id,
        sessionId,
        envelope: { id, event: 'message.received', sessionId, timestamp: 'x', data: {} },
      },
    },
  );
  return id;
}

async function waitPublished(id: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await gw.waitFor(
    `event ${id} on the stream`,
    async () =>
      (await readEvents(gw.redis, gw.prefix, '0', { count: 10_000 })).some((e) => e.event.id === id) ||
      undefined,
    timeoutMs,
  );
  return Date.now() - started;
}

describe('kill -9 of a scheduler', () => {
  it('the other replica carries on at once; a scheduler started again later does too', async () => {
    const session = await gw.db.repos.sessions.create({ name: 'scheduler-kill' });
    const a = await gw.startScheduler(SCHEDULER_ENV);
    const b = await gw.startScheduler(SCHEDULER_ENV);
    const before = await waitPublished(await orphanEvent(session.id, 1), 20_000);

    const { code } = await stopProcess(a, 'SIGKILL');
    expect(code).toBeNull();
    // A run the dead one held keeps its lock until the lock's TTL (5 s here); any other run goes on.
    const afterKill = await waitPublished(await orphanEvent(session.id, 2), 30_000);

    await stopProcess(b, 'SIGKILL');
    const c = await gw.startScheduler(SCHEDULER_ENV);
    const afterRestart = await waitPublished(await orphanEvent(session.id, 3), 30_000);
    console.info(
      `scheduler kill -9: relay ${before} ms with two replicas, ${afterKill} ms after one was killed, ` +
        `${afterRestart} ms after both were killed and one started again`,
    );
    // The relay deletes a row after its XADD: seeing the event on the stream can come first.
    await gw.waitFor(
      'event outbox drained',
      async () => (await gw.db.repos.eventOutbox.count()) === 0 || undefined,
      10_000,
    );
    const { code: exit } = await stopProcess(c, 'SIGTERM');
    expect(exit).toBe(0);
  }, 240_000);
});
