import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLogger } from '@wagw/logger';
import { describe, expect, it } from 'vitest';
import { createSessionRunner, type SessionRunner } from '../src/sessions/session-runner.js';
import { simSocketFactory, useSimAndSqlite } from './in-process-socket.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const CYCLES = 500;
const t = useSimAndSqlite();

function snapshot() {
  gc();
  gc();
  const resources = process.getActiveResourcesInfo();
  return {
    heapUsed: process.memoryUsage().heapUsed,
    timers: resources.filter((r) => r === 'Timeout').length,
    sockets: resources.filter((r) => r === 'TCPSocketWrap' || r === 'TCPWRAP').length,
    processListeners: process.eventNames().reduce((sum, name) => sum + process.listenerCount(name), 0),
  };
}

describe('bounded memory across reconnects', () => {
  it(`${CYCLES} connect/disconnect cycles of one session keep heap, timers, sockets and listeners flat`, async () => {
    const session = await t.db.repos.sessions.create({ name: 'cycles', desiredState: 'running' });
    let opens = 0;
    let onOpen: (() => void) | undefined;
    const factory = simSocketFactory(t.sim);
    const runner: SessionRunner = createSessionRunner({
      sessionId: session.id,
      workerId: 'memory-test',
      logger: createLogger({ name: 'memory-test', level: 'silent' }),
      repos: t.db.repos,
      factory,
      backoff: { baseMs: 10, factor: 1, maxAttempts: 3, jitter: 0 },
      watchdog: { openTimeoutMs: 20_000, silenceTimeoutMs: 60_000 },
      holdsLease: () => true,
      connectSlot: (attempt) => attempt(),
      onStatus: async (s) => {
        if (s.status === 'open') {
          opens++;
          onOpen?.();
        }
      },
      onQr: async (qr) => {
        await t.sim.scan(qr);
      },
      onFinished: async () => {},
      pairing: { take: async () => null, store: async () => {} },
    });
    const nextOpen = () =>
      new Promise<void>((resolve) => {
        onOpen = resolve;
      });

    await nextOpen();
    const me = (await t.db.repos.sessions.getById(session.id))!.meJid!;
    // Alternate the two reconnect paths: 515 (at once) and a dropped connection (backoff).
    const cycle = async (i: number) => {
      const opened = nextOpen();
      t.sim.faults.inject(i % 2 === 0 ? { kind: 'stream-error', code: '515' } : { kind: 'terminate' }, {
        target: { companionJid: me },
      });
      await opened;
    };
    for (let i = 0; i < 50; i++) await cycle(i);
    const before = snapshot();
    for (let i = 50; i < CYCLES; i++) await cycle(i);
    const right = snapshot();
    // Baileys' pre-key upload races a 30 s timeout it never clears (UPLOAD_TIMEOUT in
    // lib/Socket/socket.js), so each closed socket stays reachable for 30 s. That retention is
    // bounded by time, not by reconnects: measure once those timers have run out.
    await new Promise((r) => setTimeout(r, 31_000));
    const after = snapshot();
    await runner.stop('stop');

    console.info('memory across reconnects', { before, rightAfterLoop: right, after, opens });
    expect(opens).toBe(CYCLES + 1);
    // One socket at a time: never more than one connection, so no socket leaks either.
    expect(t.sim.counters.maxConcurrentPerCompanion).toBe(1);
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    expect(after.processListeners).toBe(before.processListeners);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
    // 450 reconnects may not grow the heap by more than 8 MB (a leak of ~18 KB per cycle would fail).
    expect(after.heapUsed - before.heapUsed).toBeLessThan(8 * 1024 * 1024);
  }, 300_000);
});
