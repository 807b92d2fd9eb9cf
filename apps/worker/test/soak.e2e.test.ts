import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { sessionPhone, workerHeartbeat } from './messaging-fixtures.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

/** SOAK_MS: 2 minutes in the suite; `SOAK_MS=1200000 SOAK_REPORT=docs/soak.json` for the 20-minute run. */
const SOAK_MS = Number(process.env.SOAK_MS ?? 120_000);
const SAMPLE_MS = 5000;
const SESSIONS = 8;
const CONTACTS = 5;

interface Sample {
  t: number;
  workerHeap: number;
  /** Heap after the worker's last full collection (0 before its first). */
  workerHeapAfterGc: number;
  workerRss: number;
  workerHandles: number;
  loopP99Ms: number;
  apiRss: number;
  redisMemory: number;
}

let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  gw = await startGateway({ sim: { transcriptLimit: 200 } });
  api = await gw.startApi({ LOG_LEVEL: 'error' });
  await gw.startWorker('soak', { LOG_LEVEL: 'error' });
  await gw.startScheduler({ LOG_LEVEL: 'error' });
}, 60_000);
afterAll(async () => {
  await receiver?.stop();
  await gw?.close();
});

const rssOf = (pid: number | undefined) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return line ? Number(line[1]) * 1024 : 0;
};
/** Bytes held by this gateway's keys (the test Redis is shared with other test files). */
async function prefixMemory(): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await gw.redis.scan(cursor, 'MATCH', `${gw.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const pipeline = gw.redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key);
    for (const [, bytes] of (await pipeline.exec()) ?? []) total += Number(bytes ?? 0);
  } while (cursor !== '0');
  return total;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

describe('soak: session churn, sends, inbound traffic and webhooks', () => {
  it(
    `runs ${Math.round(SOAK_MS / 1000)} s with heap, RSS, handles, loop delay and Redis memory flat`,
    async () => {
      const newSession = async (name: string) => {
        const session = await gw.createSession(name, {
          linked: true,
          settings: { pacing: { perMinute: 60_000, minDelayMs: 0, maxDelayMs: 0 } },
        });
        await gw.waitForStatus(session.id, 'open', 60_000);
        const hook = await api.call('POST', `/api/sessions/${session.id}/webhooks`, {
          url: receiver.url,
          events: ['message.received', 'message.status'],
        });
        expect(hook.status).toBe(201);
        return { id: session.id, phone: await sessionPhone(gw, session.id) };
      };
      const live = await Promise.all(Array.from({ length: SESSIONS }, (_, i) => newSession(`soak-${i}`)));
      const contacts = Array.from({ length: CONTACTS }, (_, i) =>
        gw.sim.messaging.addContact({ phone: `1555700${i}0000` }),
      );
      const apiPid = [...gw.workers].find(([name]) => name.startsWith('api-'))?.[1].pid;
      const workerPid = gw.workers.get('soak')?.pid;

      const samples: Sample[] = [];
      const counts = { sent: 0, inbound: 0, churned: 0, errors: [] as string[] };
      const started = Date.now();
      let tick = 0;
      while (Date.now() - started < SOAK_MS) {
        tick++;
        // Every second: a send from each live session and an inbound text to two of them.
        await Promise.all(
          live.map(async (s, i) => {
            const res = await api.call('POST', `/api/sessions/${s.id}/messages`, {
              to: contacts[(tick + i) % CONTACTS]!.phone,
              text: `soak-${tick}-${i}`,
            });
            if (res.status === 202) counts.sent++;
            else counts.errors.push(`send ${res.status}`);
          }),
        );
        for (const s of [live[tick % SESSIONS]!, live[(tick + 3) % SESSIONS]!]) {
          await contacts[tick % CONTACTS]!.sendText(s.phone, `in-${tick}`);
          counts.inbound++;
        }
        // Every 10 s: one session deleted (logout) and a new one paired in its place.
        if (tick % 10 === 0) {
          const old = live.shift()!;
          const res = await api.call('DELETE', `/api/sessions/${old.id}`);
          if (res.status >= 300) counts.errors.push(`delete ${res.status}`);
          live.push(await newSession(`soak-churn-${tick}`));
          counts.churned++;
        }
        if (tick % (SAMPLE_MS / 1000) === 0) {
          const beat = await workerHeartbeat(gw, 'soak');
          const memory = beat?.memory as { heapUsed: number } | undefined;
          samples.push({
            t: Date.now() - started,
            workerHeap: memory?.heapUsed ?? 0,
            workerHeapAfterGc: Number(beat?.heapAfterGc ?? 0),
            workerRss: rssOf(workerPid),
            workerHandles: Number(beat?.handles ?? 0),
            loopP99Ms: Number(beat?.eventLoopDelayP99Ms ?? 0),
            apiRss: rssOf(apiPid),
            redisMemory: await prefixMemory(),
          });
        }
        await new Promise((r) => setTimeout(r, 1000));
      }

      // Warm-up (first fifth) aside, the last third must not sit well above the middle third.
      const steady = samples.slice(Math.floor(samples.length / 5));
      const third = Math.floor(steady.length / 3);
      const middle = steady.slice(third, 2 * third);
      const last = steady.slice(2 * third);
      const growth = (key: keyof Sample) => mean(last.map((s) => s[key])) / mean(middle.map((s) => s[key]));
      // heapUsed saws with garbage collection; what survives a full collection is the leak signal.
      // A worker that has not run one yet (0) falls back to the lowest heapUsed of the window.
      const retained = (xs: Sample[]) =>
        xs.every((s) => s.workerHeapAfterGc > 0)
          ? mean(xs.map((s) => s.workerHeapAfterGc))
          : Math.min(...xs.map((s) => s.workerHeap));
      const report = {
        soakMs: SOAK_MS,
        counts: { ...counts, errors: counts.errors.length },
        heapMeasure: [...middle, ...last].every((s) => s.workerHeapAfterGc > 0)
          ? 'after full GC'
          : 'lowest heapUsed',
        growth: {
          workerHeap: retained(last) / retained(middle),
          workerRss: growth('workerRss'),
          workerHandles: growth('workerHandles'),
          apiRss: growth('apiRss'),
          redisMemory: growth('redisMemory'),
        },
        maxLoopP99Ms: Math.max(...samples.map((s) => s.loopP99Ms)),
        samples,
      };
      console.info(`soak: ${JSON.stringify({ ...report, samples: samples.length })}`);
      if (process.env.SOAK_REPORT)
        writeFileSync(process.env.SOAK_REPORT, `${JSON.stringify(report, null, 2)}\n`);

      expect(counts.errors).toEqual([]);
      expect(samples.length).toBeGreaterThanOrEqual(6);
      // Loose on purpose: two minutes on shared cores catch a gross leak, not a slow one; the
      // 20-minute run (SOAK_MS=1200000) is the measurement (docs/operations.md, "Soak").
      expect(report.growth.workerHeap, 'worker retained heap growth').toBeLessThan(1.5);
      // RSS moved by 1.39 once in a 2-minute run on an overloaded machine; 20 minutes: 1.01.
      for (const key of ['workerRss', 'workerHandles', 'apiRss'] as const)
        expect(report.growth[key], `${key} growth`).toBeLessThan(1.6);
      // Redis grows until its caps hold it (the event stream's ~10,000 entries, BullMQ's kept jobs):
      // a 2-minute run sees part of that climb; the 20-minute run shows the plateau.
      expect(report.growth.redisMemory, 'redis memory growth').toBeLessThan(2);
    },
    SOAK_MS + 180_000,
  );
});
