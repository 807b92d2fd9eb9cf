import { createLogger } from '@wagw/logger';
import type { SignalDataSet, SignalKeyStore } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import type { HandOver } from '../src/sessions/message-turns.js';
import type { RunnerEnd } from '../src/sessions/runner-state.js';
import { createSessionRunner } from '../src/sessions/session-runner.js';
import type { SocketFactory } from '../src/sessions/socket-factory.js';
import { simSocketFactory, useSimAndSqlite } from './in-process-socket.js';

const t = useSimAndSqlite();

/** One owner of the session: a runner whose lease the test holds, and the messages it was handed. */
function owner(sessionId: string, name: string, factory: SocketFactory, handOver?: HandOver) {
  const lease = { held: true };
  const received: string[] = [];
  let opened!: () => void;
  const open = new Promise<void>((resolve) => {
    opened = resolve;
  });
  let finished!: (end: RunnerEnd) => void;
  const ended = new Promise<RunnerEnd>((resolve) => {
    finished = resolve;
  });
  const runner = createSessionRunner({
    sessionId,
    workerId: name,
    logger: createLogger({ name, level: 'silent' }),
    repos: t.db.repos,
    factory,
    backoff: { baseMs: 10, factor: 1, maxAttempts: 3, jitter: 0 },
    watchdog: { openTimeoutMs: 20_000, silenceTimeoutMs: 60_000 },
    holdsLease: () => lease.held,
    connectSlot: (attempt) => attempt(),
    onStatus: async (s) => {
      if (s.status === 'open') opened();
    },
    onQr: async (qr) => {
      await t.sim.scan(qr);
    },
    onFinished: async (end) => finished(end),
    pairing: { take: async () => null, store: async () => {} },
    messaging: {
      handlers: {
        'messages.upsert': ({ messages }) => {
          for (const m of messages) if (m.key.id && !m.key.fromMe) received.push(m.key.id);
        },
      },
      opened: async () => {},
      closed: async () => {},
      ...(handOver ? { handOver } : {}),
    },
  });
  return { runner, lease, received, open, ended };
}

/** `base`, with every Signal key write of its sockets made through `around`. */
function watchingKeyWrites(
  base: SocketFactory,
  around: (data: SignalDataSet, write: () => Promise<void>) => Promise<void>,
): SocketFactory {
  return (auth, logger, options) => {
    const keys: SignalKeyStore = auth.keys;
    const watched: SignalKeyStore = {
      get: (type, ids) => keys.get(type, ids),
      set: (data) => around(data, async () => await keys.set(data)),
      clear: () => keys.clear?.() ?? Promise.resolve(),
    };
    return base({ ...auth, keys: watched }, logger, options);
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the window between decrypting a message and acknowledging it', () => {
  it('a message whose receipt never left (lease lost right after its decrypt) is decrypted and handed over by the next owner', async () => {
    const session = await t.db.repos.sessions.create({ name: 'receipt-window', desiredState: 'running' });
    // The lease lapses the moment Baileys has stored what decrypting the armed message changed,
    // before its receipt: the same point a kill -9 or a dropped connection can hit.
    let armed = false;
    let first: ReturnType<typeof owner> | undefined;
    const base = simSocketFactory(t.sim);
    const trapping = watchingKeyWrites(base, async (data, write) => {
      await write();
      if (armed && data.session && first) {
        armed = false;
        first.lease.held = false;
      }
    });
    first = owner(session.id, 'first-owner', trapping);
    await first.open;
    const me = (await t.db.repos.sessions.getById(session.id))!.meJid!;
    const phone = me.split(/[:@]/)[0] as string;
    const contact = t.sim.messaging.addContact({ phone: '15550001111' });

    const before = await contact.sendText(phone, 'before the trap');
    await waitFor('the first message handed over', () => first?.received.includes(before.id) || undefined);

    armed = true;
    const trapped = await contact.sendText(phone, 'decrypted, never acknowledged');
    expect(await first.ended).toBe('lease-lost');
    expect(armed).toBe(false);
    expect(first.received).not.toContain(trapped.id);
    expect(t.sim.messaging.clientReceipts().flatMap((r) => r.ids)).not.toContain(trapped.id);

    // The next owner: WhatsApp delivers the message again, and it must decrypt.
    const redeliveriesBefore = t.sim.counters.redeliveries;
    const second = owner(session.id, 'second-owner', base);
    await second.open;
    await waitFor('the message handed over by the next owner', () =>
      second.received.includes(trapped.id) ? true : undefined,
    );
    expect(t.sim.counters.redeliveries).toBeGreaterThan(redeliveriesBefore);
    await waitFor(
      'its receipt at the server',
      () => t.sim.messaging.clientReceipts().some((r) => r.ids.includes(trapped.id)) || undefined,
    );
    // And the conversation goes on from there.
    const after = await contact.sendText(phone, 'after the takeover');
    await waitFor('a later message handed over', () => second.received.includes(after.id) || undefined);
    await second.runner.stop('stop');
  }, 90_000);

  it('each inbound message is stored before Baileys decrypts the next (it was acknowledged already)', async () => {
    const session = await t.db.repos.sessions.create({ name: 'hand-over', desiredState: 'running' });
    const log: string[] = [];
    let logging = false;
    const base = simSocketFactory(t.sim);
    const loggingFactory = watchingKeyWrites(base, async (data, write) => {
      if (logging && data.session) log.push('decrypted');
      await write();
    });
    // A store that takes a while: Baileys must not decrypt the next message meanwhile.
    const handOver: HandOver = async (messages) => {
      await new Promise((r) => setTimeout(r, 50));
      for (const m of messages) log.push(`stored ${m.key.id}`);
    };
    const o = owner(session.id, 'hand-over', loggingFactory, handOver);
    await o.open;
    const me = (await t.db.repos.sessions.getById(session.id))!.meJid!;
    const phone = me.split(/[:@]/)[0] as string;
    const contact = t.sim.messaging.addContact({ phone: '15550002222' });
    await contact.sendText(phone, 'warm-up');
    await waitFor('the warm-up handed over', () => log.length > 0 || undefined);
    await new Promise((r) => setTimeout(r, 200));
    log.length = 0;
    logging = true;
    const sent = [await contact.sendText(phone, 'one'), await contact.sendText(phone, 'two')];
    await waitFor('both stored', () =>
      log.filter((l) => l.startsWith('stored')).length >= 2 ? true : undefined,
    );
    expect(log).toEqual(['decrypted', `stored ${sent[0]?.id}`, 'decrypted', `stored ${sent[1]?.id}`]);
    // Baileys' buffer still hands them over later; the messaging skips what it stored (HandedOver).
    await waitFor('the buffered upserts', () =>
      o.received.includes(sent[1]?.id as string) ? true : undefined,
    );
    await o.runner.stop('stop');
  }, 60_000);
});
