/**
 * Webhook throughput: `message.received` events/s from inbound messages to a local receiver, against
 * a raw loop posting the same signed payloads to the same receiver, measured in the same run.
 * Goal: gateway ÷ raw ≥ 0.70.
 *
 * One worker process (as `npm start` runs it), real Redis and SQLite, the WhatsApp simulator and the
 * receiver (apps/worker/test/webhook-receiver.ts, 127.0.0.1) in this process, one session with one
 * webhook (`message.received`, signed). Every delivery counted is checked: a valid signature, and
 * each event id counted once (duplicates are reported, not counted). Per round:
 *  - end to end: N texts from 10 simulated peers (10 chains of awaited sends, at once) until the
 *    receiver has all N events (inbound decryption, storage, event stream, dispatcher, queue, POST);
 *  - webhook pipeline: the same N envelopes (new ids) published to the event stream at once, as the
 *    worker publishes them, until the receiver has them all (dispatcher, queue, POST only);
 *  - baseline: the same N envelopes (new ids) posted by a plain Node process with the worker's own
 *    signing and HTTP code (`deliveryHeaders`, `postWebhook`), WEBHOOK_ENDPOINT_CONCURRENCY (5) in
 *    flight, as many as the worker keeps in flight to one endpoint (bench/lib/gateway-raw-poster.ts).
 *
 * Run: npm run bench:webhooks   (EVENTS=2000 ROUNDS=2; CPU_PROF_DIR=<dir> profiles the worker)
 */
import { createEvent, publishEvent } from '@wagw/queue';
import { generateWebhookSecret } from '@wagw/webhooks';
import { startGateway } from '../apps/worker/test/harness.js';
import { sessionPhone } from '../apps/worker/test/messaging-fixtures.js';
import { startReceiver } from '../apps/worker/test/webhook-receiver.js';
import {
  benchNumber,
  machineLine,
  perSecond,
  profilingEnv,
  stopWorkersGracefully,
} from './lib/gateway-report.js';
import { type Envelope, startRawPoster, waitForDeliveries } from './lib/gateway-webhooks.js';
import { buildProcessBundles } from './lib/process-bundles.js';

const EVENTS = benchNumber('EVENTS', 2000);
const ROUNDS = benchNumber('ROUNDS', 2);
const PEERS = 10;
const WARM_UP = 50;
const GOAL = 0.7;
// The worker's defaults, which the baseline copies.
const ENDPOINT_CONCURRENCY = 5;
const TIMEOUT_MS = 10_000;
const RUN_TIMEOUT_MS = 90_000;

async function main() {
  buildProcessBundles();
  const gw = await startGateway({
    workerEnv: {
      // A burst of inbound messages can hold the worker's event loop for over a second on 2 cores.
      LEASE_TTL: '15000',
      WEBHOOK_ENDPOINT_CONCURRENCY: String(ENDPOINT_CONCURRENCY),
      WEBHOOK_TIMEOUT: String(TIMEOUT_MS),
      ...profilingEnv(),
    },
  });
  const receiver = await startReceiver();
  let raw: Awaited<ReturnType<typeof startRawPoster>> | undefined;
  try {
    raw = await startRawPoster();
    await gw.startWorker('bench-webhooks');
    const session = await gw.createSession('webhooks');
    const secret = generateWebhookSecret();
    await gw.db.repos.webhooks.create({
      sessionId: session.id,
      url: receiver.url,
      events: ['message.received'],
      secret,
    });
    await gw.pair(session.id, 60_000);
    const phone = await sessionPhone(gw, session.id);
    const peers = Array.from({ length: PEERS }, (_, i) =>
      gw.sim.messaging.addContact({ phone: `1555400${String(i).padStart(4, '0')}`, name: `Peer ${i}` }),
    );
    const textOf = (e: Envelope) => String((e.data.payload as { text?: string } | undefined)?.text ?? '');

    /** N texts from the peers, 10 chains at once; until the receiver has N `message.received`. */
    const endToEnd = async (tag: string, count: number) => {
      const started = Date.now();
      const delivered = waitForDeliveries(
        receiver,
        secret,
        (e) => e.event === 'message.received' && textOf(e).startsWith(`${tag}-`),
        count,
        RUN_TIMEOUT_MS,
      );
      await Promise.all(
        peers.map(async (peer, p) => {
          for (let i = p; i < count; i += PEERS) await peer.sendText(phone, `${tag}-${i}`);
        }),
      );
      const sentMs = Date.now() - started;
      const result = await delivered;
      return { ms: result.lastAt - started, sentMs, ...result };
    };
    /** The same envelopes under new ids straight onto the event stream, as the worker publishes them. */
    const pipeline = async (envelopes: readonly Envelope[], suffix: string) => {
      const copies = envelopes.map((e) =>
        createEvent(e.event, session.id, e.data, { id: `${e.id}.${suffix}` }),
      );
      const delivered = waitForDeliveries(
        receiver,
        secret,
        (e) => e.id.endsWith(`.${suffix}`),
        copies.length,
        RUN_TIMEOUT_MS,
      );
      const started = Date.now();
      await Promise.all(copies.map((e) => publishEvent(gw.redis, gw.prefix, e)));
      const result = await delivered;
      return { ms: result.lastAt - started, ...result };
    };
    const baseline = async (envelopes: readonly Envelope[], suffix: string) => {
      const copies = envelopes.map((e) => ({ ...e, id: `${e.id}.${suffix}` }));
      const delivered = waitForDeliveries(
        receiver,
        secret,
        (e) => e.id.endsWith(`.${suffix}`),
        copies.length,
        RUN_TIMEOUT_MS,
      );
      const started = Date.now();
      const posted = await raw!.post({
        url: receiver.url,
        secret,
        envelopes: copies,
        concurrency: ENDPOINT_CONCURRENCY,
        timeoutMs: TIMEOUT_MS,
      });
      if (posted.failed > 0) throw new Error(`${posted.failed} raw posts failed`);
      const result = await delivered;
      return { ms: result.lastAt - started, ...result };
    };

    // Warm-up (not reported): Signal sessions with each peer, code compiled, keep-alive sockets open.
    const warm = await endToEnd('warm', WARM_UP);
    await pipeline(warm.envelopes, 'warm-pipe');
    await baseline(warm.envelopes, 'warm-raw');

    console.log(`webhook throughput: ${machineLine()}`);
    console.log(
      `${EVENTS} message.received events, one endpoint, signatures verified, duplicates not counted`,
    );
    console.log(
      '| round | end to end events/s | webhook pipeline events/s | raw posting events/s | end-to-end ratio | pipeline ratio | duplicates |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const e2e = await endToEnd(`r${round}`, EVENTS);
      const pipe = await pipeline(e2e.envelopes, `pipe${round}`);
      const base = await baseline(e2e.envelopes, `raw${round}`);
      const [a, b, c] = [perSecond(EVENTS, e2e.ms), perSecond(EVENTS, pipe.ms), perSecond(EVENTS, base.ms)];
      const duplicates = e2e.requests + pipe.requests - 2 * EVENTS;
      ratios.push(a / c);
      const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
      console.log(
        `| ${round} | ${a.toFixed(0)} (${s(e2e.ms)}; peers done at ${s(e2e.sentMs)}) | ${b.toFixed(0)} (${s(pipe.ms)}) | ${c.toFixed(0)} (${s(base.ms)}) | ${(a / c).toFixed(2)} | ${(b / c).toFixed(2)} | ${duplicates} |`,
      );
    }
    const ratio = [...ratios].sort((x, y) => x - y)[Math.floor(ratios.length / 2)] ?? 0;
    console.log(`end-to-end ratio (median of ${ROUNDS}): ${ratio.toFixed(2)} (goal ≥ ${GOAL})`);
    if (ratio < GOAL) process.exitCode = 1;
  } finally {
    await raw?.end();
    await stopWorkersGracefully(gw);
    await receiver.stop();
    await gw.close();
  }
}

await main();
