/** Pieces of bench/webhook-throughput.bench.ts: counting verified deliveries, the raw poster. */
import { verifyWebhook, WEBHOOK_HEADERS } from '@wagw/webhooks';
import type { Receiver } from '../../apps/worker/test/webhook-receiver.js';
import { forkBenchChild } from './gateway-child.js';

export interface Envelope {
  id: string;
  event: string;
  sessionId: string | null;
  data: Record<string, unknown>;
}

/**
 * Resolves when `receiver` has had `count` distinct event ids matching `match`, each with a valid
 * signature, with the arrival time (ms since the epoch) of the last one and the requests counted,
 * duplicates included. Looks at new requests every 5 ms (each request records when it arrived, so
 * the step only delays noticing, not the figure). A bad signature fails the run.
 */
export async function waitForDeliveries(
  receiver: Receiver,
  secret: string,
  match: (envelope: Envelope) => boolean,
  count: number,
  timeoutMs: number,
): Promise<{ lastAt: number; requests: number; envelopes: Envelope[] }> {
  const ids = new Set<string>();
  const envelopes: Envelope[] = [];
  let requests = 0;
  let seen = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (; seen < receiver.requests.length; seen++) {
      const request = receiver.requests[seen];
      if (!request) continue;
      const envelope = JSON.parse(request.body) as Envelope;
      if (!match(envelope)) continue;
      requests += 1;
      if (!verifyWebhook(secret, request.headers, request.body))
        throw new Error(`delivery of ${envelope.id} has a bad signature`);
      if (request.headers[WEBHOOK_HEADERS.id] !== envelope.id)
        throw new Error('webhook-id is not the event id');
      if (ids.has(envelope.id)) continue;
      ids.add(envelope.id);
      envelopes.push(envelope);
      if (ids.size >= count) return { lastAt: request.at, requests, envelopes };
    }
    if (Date.now() > deadline)
      throw new Error(`only ${ids.size} of ${count} deliveries within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The raw-posting baseline in its own process (bench/lib/gateway-raw-poster.ts). */
export async function startRawPoster() {
  const child = forkBenchChild(new URL('./gateway-raw-poster.ts', import.meta.url));
  await child.next('ready');
  return {
    /** Posts each envelope (as JSON) signed with `secret`; resolves with the poster's own ms. */
    async post(order: {
      url: string;
      secret: string;
      envelopes: readonly Envelope[];
      concurrency: number;
      timeoutMs: number;
    }): Promise<{ ms: number; failed: number }> {
      const items = order.envelopes.map((e) => ({
        id: e.id,
        event: e.event,
        sessionId: e.sessionId,
        body: JSON.stringify(e),
      }));
      const answer = child.next<{ ms: number; failed: number }>('posted');
      child.send({ post: { ...order, envelopes: undefined, items } });
      return answer;
    },
    end: child.end,
  };
}
