import { describe, expect, it } from 'vitest';
import { child, createTestClient, iqResult, pairTestClient } from '../src/index.js';
import { useSimulator } from './sim-test-helpers.js';

describe('extension API and IQ/send-path faults', () => {
  const env = useSimulator();

  it('router.on overrides a default answer until removed; stanza hooks see client stanzas', async () => {
    const sim = await env.start();
    const seen: string[] = [];
    const off = sim.router.on('abt/get/props', (_conn, iq) =>
      iqResult(iq, [{ tag: 'props', attrs: { protocol: '1', hash: 'custom' } }]),
    );
    sim.router.onStanza('ib', (_conn, node) => {
      seen.push(node.tag);
    });
    const { client } = await pairTestClient(sim);
    env.track(client);
    await expect.poll(() => client.auth.creds.lastPropHash).toBe('custom');
    expect(seen.length).toBeGreaterThan(0);
    off();
    expect(sim.router.iqHandler('abt/get/props')).toBeDefined();
  });

  it('iqError, withholdIq and unknown IQs are visible in the transcript', async () => {
    const sim = await env.start();
    sim.faults.iqError('blocklist/get', 503);
    sim.faults.withholdIq('privacy/get/privacy');
    const { client, companion } = await pairTestClient(sim, { config: { defaultQueryTimeoutMs: 2_000 } });
    env.track(client);
    await sim.waitFor((e) => e.direction === 'out' && child(e.node, 'error')?.attrs.code === '503', {
      includePast: true,
    });
    const unhandled = sim.waitForEvent('iq-unhandled');
    await client.sock
      .query({ tag: 'iq', attrs: { to: '@s.whatsapp.net', type: 'get', xmlns: 'sim:test' } })
      .catch(() => undefined);
    const [, node] = await unhandled;
    expect(node.attrs.xmlns).toBe('sim:test');
    const [conn] = sim.connectionsOf(companion.jid);
    const privacy = sim.transcript.forConnection(conn!.id).filter((e) => e.node.attrs.xmlns === 'privacy');
    expect(privacy.map((e) => e.direction)).toEqual(['in']);
  });

  it('filterOutgoing drops or delays server stanzas; slowFrames adds latency', async () => {
    const sim = await env.start();
    const { client, companion } = await pairTestClient(sim);
    await env.track(client).end();
    const isOffline = (node: { tag: string; content?: unknown }) =>
      node.tag === 'ib' && Array.isArray(node.content) && node.content[0]?.tag === 'offline';
    const drop = sim.faults.filterOutgoing(isOffline, 'drop', { target: { companionJid: companion.jid } });
    const first = env.track(createTestClient(sim, { auth: client.auth }));
    await first.waitForOpen();
    expect(first.updates.some((u) => u.receivedPendingNotifications === true)).toBe(false);
    expect(sim.transcript.find((e) => e.dropped === true && isOffline(e.node))).toHaveLength(1);
    await first.end();
    drop.cancel();

    sim.faults.filterOutgoing(isOffline, { delayMs: 300 }, { times: 1 });
    sim.faults.slowFrames(50);
    const second = env.track(createTestClient(sim, { auth: client.auth }));
    const openMs = await second.waitForOpen();
    expect(openMs).toBeGreaterThanOrEqual(200);
    await second.waitForUpdate((u) => u.receivedPendingNotifications === true);
  });
});
