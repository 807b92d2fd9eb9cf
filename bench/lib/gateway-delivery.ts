/**
 * Pieces of bench/delivery.bench.ts: writing outbound messages exactly as the API's bulk route does,
 * counting what the simulator's peers decrypted, and the raw-Baileys baseline process.
 */
import { newId } from '@wagw/db';
import {
  createConsumerConnection,
  enqueueBulk,
  openSendQueue,
  SEND_QUEUE_JOBS,
  sendMessageJob,
  waMessageIdFor,
} from '@wagw/queue';
import { redisUrl } from '@wagw/testing';
import type { DecryptedMessage, WaSimulator } from '@wagw/wa-sim';
import type { Queue } from 'bullmq';
import type { Gateway } from '../../apps/worker/test/harness.js';
import { forkBenchChild } from './gateway-child.js';

/** Jobs per addBulk call, as apps/api/src/routes/batches/batches.service.ts enqueues them. */
const ENQUEUE_CHUNK = 1000;

/**
 * A bulk send without the API process, step for step as the API's bulk route does it: all rows
 * `queued` in one transaction (with a batch id and `waMessageIdFor(id)`), then the `send` jobs in
 * addBulk chunks of 1,000 with jobId = message id. `stage` writes the rows; `enqueue` adds the jobs
 * (what the worker reacts to) and is what a measurement times.
 */
export function createBulkOutbox(gw: Gateway) {
  const connection = createConsumerConnection(redisUrl());
  const queues = new Map<string, Queue>();
  const queueOf = (sessionId: string) => {
    let queue = queues.get(sessionId);
    if (!queue) {
      // Waking, as the API's queues do: the session's consumer starts when a job arrives.
      queue = openSendQueue(connection, gw.prefix, sessionId);
      queues.set(sessionId, queue);
    }
    return queue;
  };
  return {
    async stage(sessionId: string, to: string, texts: readonly string[]) {
      const batchId = newId();
      const rows = texts.map((text) => {
        const id = newId();
        return {
          id,
          sessionId,
          batchId,
          direction: 'outbound' as const,
          waMessageId: waMessageIdFor(id),
          remoteJid: to,
          type: 'text',
          payload: { type: 'text' as const, text },
        };
      });
      await gw.db.repos.messages.insertMany(rows);
      const enqueue = async () => {
        for (let i = 0; i < rows.length; i += ENQUEUE_CHUNK) {
          const jobs = rows.slice(i, i + ENQUEUE_CHUNK).map((row) => ({
            name: SEND_QUEUE_JOBS.send,
            data: { messageId: row.id, sessionId, batchId },
            options: { jobId: row.id },
          }));
          await enqueueBulk(queueOf(sessionId), sendMessageJob, jobs);
        }
      };
      return { batchId, enqueue };
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}

/**
 * Resolves when the simulator's peers have decrypted `count` messages matching `match` (own-device
 * copies never count), with the last one. Counted as they arrive, not polled, so the time is exact.
 */
export function waitForDecrypted(
  sim: WaSimulator,
  match: (m: DecryptedMessage) => boolean,
  count: number,
  timeoutMs: number,
): Promise<DecryptedMessage> {
  let seen = 0;
  return sim.messaging.waitForMessage((m) => {
    if (m.ownDevice || !match(m)) return false;
    seen += 1;
    return seen >= count;
  }, timeoutMs);
}

/** The raw-Baileys baseline in its own process (bench/lib/sim-raw-sender.ts), paired to `sim`. */
export async function startRawSender(sim: WaSimulator) {
  const child = forkBenchChild(new URL('./sim-raw-sender.ts', import.meta.url), {
    WA_WS_URL: sim.url,
    WA_ROOT_PUBLIC_KEY: Buffer.from(sim.rootPublicKey).toString('base64'),
  });
  try {
    const { qr } = await child.next<{ qr: string }>('qr');
    await sim.scan(qr);
    await child.next('open');
  } catch (err) {
    await child.end();
    throw err;
  }
  return {
    /** Sends `count` texts `${tag}-${i}` to `to`, each awaited to its server ack; resolves with ms. */
    async send(to: string, count: number, tag: string): Promise<number> {
      const answer = child.next<{ ms: number }>('sent');
      child.send({ send: { to, count, tag } });
      return (await answer).ms;
    },
    end: child.end,
  };
}
