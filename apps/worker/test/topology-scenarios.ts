import type { ChildProcess } from 'node:child_process';
import { waMessageIdFor } from '@wagw/queue';
import { openEventStream } from '@wagw/testing';
import { verifyWebhook } from '@wagw/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess } from './harness.js';
import { sessionPhone } from './messaging-fixtures.js';
import { startTopology, type Topology } from './topology.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

const CONTACTS = 5;
const API_KEY = 'e2e-admin-key-0123456789';
/** What a client retries: nginx's answers for a replica that went away, and a dropped connection. */
const RETRIABLE = new Set([502, 503, 504]);

/**
 * The end-to-end path through the deployed topology (2 API replicas behind nginx, 3 workers, the
 * scheduler) on one database dialect: pairing, sends both ways, webhooks, and a replica or a worker
 * killed under load with nothing lost and nothing delivered twice.
 */
export function describeTopology(database: 'sqlite' | 'postgres') {
  describe(`the deployed topology on ${database}: nginx, 2 API replicas, 3 workers, scheduler`, () => {
    let topo: Topology;
    let receiver: Receiver;
    let sessionId: string;
    let secret: string;
    const phones = Array.from(
      { length: CONTACTS },
      (_, i) => `1888${database === 'sqlite' ? 1 : 2}00${i}0000`,
    );

    beforeAll(async () => {
      topo = await startTopology({
        database,
        // Sessions keep their owner through seconds of CPU contention in the full suite.
        workerEnv: { LEASE_TTL: '10000' },
        // A killed replica's Idempotency-Key claims are taken over after REQUEST_TIMEOUT + 5 s.
        apiEnv: { REQUEST_TIMEOUT: '5000' },
      });
      receiver = await startReceiver();
    }, 90_000);
    afterAll(async () => {
      await receiver?.stop();
      await topo?.close();
    });

    /** Texts each contact decrypted (own-device copies excluded): text → WhatsApp ids it came under. */
    function delivered(prefix: string) {
      const byText = new Map<string, string[]>();
      for (const m of topo.gw.sim.messaging.decrypted()) {
        if (m.ownDevice || !m.text?.startsWith(prefix)) continue;
        byText.set(m.text, [...(byText.get(m.text) ?? []), m.id]);
      }
      return byText;
    }

    async function waitDelivered(prefix: string, count: number, timeoutMs = 60_000) {
      await topo.gw.waitFor(
        `${count} "${prefix}" messages at the peers`,
        async () => (delivered(prefix).size >= count ? true : undefined),
        timeoutMs,
      );
    }

    it('pairs a session, sends single and bulk messages, receives and delivers signed webhooks', async () => {
      const created = await topo.call('POST', '/api/sessions', {
        name: `topology-${database}`,
        settings: { pacing: { perMinute: 60_000, minDelayMs: 0, maxDelayMs: 0 } },
      });
      expect(created.status).toBe(201);
      sessionId = ((await created.json()) as { id: string }).id;
      const hook = await topo.call('POST', `/api/sessions/${sessionId}/webhooks`, {
        url: receiver.url,
        events: ['message.received'],
      });
      expect(hook.status).toBe(201);
      secret = ((await hook.json()) as { secret: string }).secret;

      // The QR through the balancer (either replica answers), scanned by the simulated phone.
      const qr = await topo.gw.waitFor('the QR through nginx', async () => {
        const res = await topo.call('GET', `/api/sessions/${sessionId}/qr?format=raw`);
        return res.ok ? res.text() : undefined;
      });
      await topo.gw.sim.scan(qr);
      await topo.gw.waitFor('the session open through nginx', async () => {
        const view = (await (await topo.call('GET', `/api/sessions/${sessionId}`)).json()) as {
          status: string;
        };
        return view.status === 'open' || undefined;
      });
      const contacts = phones.map((phone) => topo.gw.sim.messaging.addContact({ phone }));
      // Live events through nginx (unbuffered, as deploy/nginx.conf configures it for SSE).
      const stream = await openEventStream(
        `${topo.balancer.url}/api/events?sessionId=${sessionId}&event=message.status`,
        { 'x-api-key': API_KEY },
      );

      const singles = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const res = await topo.call('POST', `/api/sessions/${sessionId}/messages`, {
            to: phones[i % CONTACTS],
            text: `single-${i}`,
          });
          expect(res.status).toBe(202);
          return ((await res.json()) as { id: string }).id;
        }),
      );
      const bulk = await topo.call('POST', `/api/sessions/${sessionId}/messages/bulk`, {
        messages: Array.from({ length: 50 }, (_, i) => ({ to: phones[i % CONTACTS], text: `bulk-${i}` })),
      });
      expect(bulk.status).toBe(202);
      await waitDelivered('single-', 20);
      await waitDelivered('bulk-', 50);
      for (const [, ids] of [...delivered('single-'), ...delivered('bulk-')]) expect(ids).toHaveLength(1);
      expect(delivered('single-').get('single-3')).toEqual([waMessageIdFor(singles[3]!)]);
      try {
        const streamed = new Set<string>();
        while (!singles.every((id) => streamed.has(id))) {
          const message = await stream.next(15_000);
          streamed.add((JSON.parse(message.data ?? '{}') as { data: { messageId: string } }).data.messageId);
        }
      } finally {
        stream.close();
      }

      // Inbound: every message stored once and its webhook delivered, signed, once.
      const phone = await sessionPhone(topo.gw, sessionId);
      const inbound = await Promise.all(contacts.map((c, i) => c.sendText(phone, `inbound-${i}`)));
      await topo.gw.waitFor(
        'a webhook per inbound message',
        async () =>
          receiver.events().filter((e) => e.event === 'message.received').length >= CONTACTS || undefined,
      );
      const received = receiver.requests.filter((r) => JSON.parse(r.body).event === 'message.received');
      expect(received).toHaveLength(CONTACTS);
      for (const request of received) expect(verifyWebhook(secret, request.headers, request.body)).toBe(true);
      expect(new Set(received.map((r) => JSON.parse(r.body).id)).size).toBe(inbound.length);
      expect((await topo.gw.db.repos.messages.countByStatus(sessionId)).received).toBe(inbound.length);
    }, 120_000);

    /**
     * `total` single sends by 10 concurrent clients through nginx, each with its own Idempotency-Key,
     * retried like a well-behaved client retries (nginx's 502/503/504, a dropped connection, 409
     * IDEMPOTENCY_IN_PROGRESS while a dead replica's claim ages out). `during(i)` runs before send
     * i, to kill or stop something mid-load. Resolves with the accepted ids, the retries and every
     * answer a client could not retry.
     */
    async function sendUnderLoad(tag: string, total: number, during: (i: number) => Promise<void>) {
      let retried = 0;
      const failures: string[] = [];
      const send = async (i: number) => {
        const key = `topology-${database}-${tag}-${i}`;
        const deadline = Date.now() + 45_000;
        while (Date.now() < deadline) {
          const res = await topo
            .call(
              'POST',
              `/api/sessions/${sessionId}/messages`,
              { to: phones[i % CONTACTS], text: `${tag}-${i}` },
              { 'idempotency-key': key },
            )
            .catch(() => undefined);
          if (res?.status === 202) return ((await res.json()) as { id: string }).id;
          const body = res ? await res.text() : 'connection lost';
          const inProgress = res?.status === 409 && body.includes('IDEMPOTENCY_IN_PROGRESS');
          if (res && !RETRIABLE.has(res.status) && !inProgress) {
            failures.push(`${i}: ${res.status} ${body}`);
            return undefined;
          }
          retried++;
          await new Promise((r) => setTimeout(r, inProgress ? 1000 : 200));
        }
        failures.push(`${i}: not accepted within 45 s`);
        return undefined;
      };
      const ids: Array<string | undefined> = [];
      let next = 0;
      const lanes = Array.from({ length: 10 }, async () => {
        while (next < total) {
          const i = next++;
          await during(i);
          ids[i] = await send(i);
        }
      });
      await Promise.all(lanes);
      return { ids, retried, failures };
    }

    it('kill -9 of an API replica under load: clients see retriable errors at worst; nothing lost or doubled', async () => {
      const total = 200;
      const { ids, retried, failures } = await sendUnderLoad('api-kill', total, async (i) => {
        if (i === total / 4) await topo.killApi(0);
      });
      expect(failures).toEqual([]);
      expect(new Set(ids).size).toBe(total);
      await waitDelivered('api-kill-', total, 90_000);
      for (const [text, waIds] of delivered('api-kill-')) expect(waIds, text).toHaveLength(1);
      console.info(`api kill: ${total} accepted, ${retried} client retries`);
      await topo.restartApi(0);
    }, 150_000);

    it('kill -9 of the worker that owns the session under a bulk: the rest delivered by another, once each', async () => {
      const owner = await topo.gw.ownerOf(sessionId);
      expect(owner).toBeTruthy();
      const count = 150;
      const res = await topo.call('POST', `/api/sessions/${sessionId}/messages/bulk`, {
        messages: Array.from({ length: count }, (_, i) => ({
          to: phones[i % CONTACTS],
          text: `worker-kill-${i}`,
        })),
      });
      expect(res.status).toBe(202);
      await topo.gw.waitFor(
        'a third delivered',
        async () => delivered('worker-kill-').size >= count / 3 || undefined,
        60_000,
      );
      const killedAt = Date.now();
      const child = topo.gw.workers.get(owner!)!;
      child.kill('SIGKILL');
      await waitDelivered('worker-kill-', count, 120_000);
      const newOwner = await topo.gw.ownerOf(sessionId);
      expect(newOwner).not.toBe(owner);
      let redelivered = 0;
      for (const [, waIds] of delivered('worker-kill-')) {
        expect(new Set(waIds).size).toBe(1);
        redelivered += waIds.length - 1;
      }
      // At most the message in flight at the kill is sent again, under the same WhatsApp id.
      expect(redelivered).toBeLessThanOrEqual(1);
      console.info(
        `worker kill: all ${count} delivered ${Date.now() - killedAt} ms after the kill, ${redelivered} redelivered`,
      );
    }, 180_000);

    it('SIGTERM of the owning worker, an API replica and the scheduler under load: each exits 0 within 30 s, nothing lost or doubled', async () => {
      const owner = await topo.gw.ownerOf(sessionId);
      expect(owner).toBeTruthy();
      const total = 120;
      const exits: Record<string, { code: number | null; elapsedMs: number }> = {};
      const stopping: Array<Promise<void>> = [];
      const stop = (name: string, child: ChildProcess) =>
        stopping.push(
          stopProcess(child, 'SIGTERM').then((exit) => {
            exits[name] = exit;
          }),
        );
      const { ids, retried, failures } = await sendUnderLoad('sigterm', total, async (i) => {
        if (i === 20) stop('worker', topo.gw.workers.get(owner!)!);
        if (i === 50) stop('api', topo.apis[1]!.process());
        if (i === 80) stop('scheduler', topo.gw.workers.get(topo.schedulerId!)!);
      });
      await Promise.all(stopping);
      expect(failures).toEqual([]);
      expect(new Set(ids).size).toBe(total);
      // The API too: before answers carried Connection: close while draining, nginx's upstream
      // keep-alive connections held server.close() until the 30 s budget forced an exit (graceful-close.test.ts).
      for (const name of ['worker', 'scheduler', 'api']) {
        expect(exits[name]?.code, `${name} exit code`).toBe(0);
        expect(exits[name]?.elapsedMs, `${name} drain time`).toBeLessThan(30_000);
      }
      expect(Object.keys(exits).sort()).toEqual(['api', 'scheduler', 'worker']);
      await waitDelivered('sigterm-', total, 120_000);
      let redelivered = 0;
      for (const [, waIds] of delivered('sigterm-')) {
        expect(new Set(waIds).size).toBe(1);
        redelivered += waIds.length - 1;
      }
      // The worker drains before closing its socket: the send in hand gets its ack, none goes twice.
      expect(redelivered).toBe(0);
      console.info(
        `sigterm: exits ${JSON.stringify(exits)}, ${retried} client retries, ${redelivered} redelivered`,
      );
    }, 180_000);
  });
}
