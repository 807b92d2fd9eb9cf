import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createMemoryAuthState, createTestClient, pairTestClient, type TestClient } from '../src/index.js';
import { useSimulator } from './sim-test-helpers.js';

/** Stops a Baileys client writing anything, as if its process were paused (SIGSTOP). */
function freeze(client: TestClient): void {
  const ws = client.sock.ws as unknown as { socket: { send: (...args: unknown[]) => void } };
  ws.socket.send = () => undefined;
}

async function silentSocket(url: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  const closed = once(ws, 'close').then(([code]) => code as number);
  await once(ws, 'open');
  return { ws, closed };
}

describe('server-side idle timeout', () => {
  const env = useSimulator();

  it('drops a client that sends nothing; settable at runtime', async () => {
    const sim = await env.start({ idleTimeoutMs: 300 });
    const started = Date.now();
    const first = await silentSocket(sim.url);
    const [[conn, idleMs], code] = await Promise.all([sim.waitForEvent('idle-timeout'), first.closed]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(idleMs).toBe(300);
    expect(code).toBe(1006); // terminated, no close frame
    expect(conn.isOpen).toBe(false);
    expect(sim.counters.idleDrops).toBe(1);
    expect(sim.connections()).toHaveLength(0);

    sim.setIdleTimeout(null);
    const second = await silentSocket(sim.url);
    // Switched off, no connection arms an idle timer, so nothing can drop it (no sleep needed to see it).
    expect(sim.connections().map((c) => c.idleTimeoutMs)).toEqual([null]);
    expect(second.ws.readyState).toBe(WebSocket.OPEN);
    sim.setIdleTimeout(200);
    expect(sim.idleTimeoutMs).toBe(200);
    expect(await second.closed).toBe(1006);
    expect(sim.counters.idleDrops).toBe(2);
  });

  it('keeps a pinging Baileys client; drops it once frozen, before its creds log in elsewhere', async () => {
    const sim = await env.start({ idleTimeoutMs: 1000 }); // margin for event-loop stalls on a loaded CI box
    const auth = createMemoryAuthState(undefined, { seedPreKeys: 812 });
    const { client, companion } = await pairTestClient(sim, { auth, config: { keepAliveIntervalMs: 150 } });
    env.track(client);
    // Barrier: ten keep-alive pings 150 ms apart span more than one idle timeout (1000 ms).
    let pings = 0;
    await sim.waitFor(
      (entry) =>
        entry.direction === 'in' &&
        entry.node.tag === 'iq' &&
        entry.node.attrs.xmlns === 'w:p' &&
        ++pings >= 10,
      { timeout: 10_000 },
    );
    expect(client.updates.some((u) => u.connection === 'close')).toBe(false);
    expect(sim.counters.idleDrops).toBe(0);

    freeze(client);
    expect((await client.waitForClose()).statusCode).toBe(428);
    expect(sim.counters.idleDrops).toBe(1);
    const next = env.track(createTestClient(sim, { auth }));
    await next.waitForOpen();
    expect(sim.counters.replacedConflicts).toBe(0);
    expect(sim.counters.concurrency(companion.jid)).toEqual({ current: 1, max: 1 });
  });
});
