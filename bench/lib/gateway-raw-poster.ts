/**
 * The baseline of the webhook-throughput bench: a plain Node process (as the worker is one) posting
 * signed payloads to the bench's receiver with the worker's own code and settings: the body signed
 * by `deliveryHeaders`, sent by `postWebhook` (keep-alive agent, SSRF-guarded lookup, the
 * WEBHOOK_TIMEOUT budget), at most `concurrency` in flight, which is WEBHOOK_ENDPOINT_CONCURRENCY:
 * the number of deliveries a worker has in flight to one endpoint.
 *
 * Driven over IPC by bench/webhook-throughput.bench.ts: `{ post: { url, secret, items, concurrency,
 * timeoutMs } }` is answered `{ posted: n, failed, ms }`; `{ end: true }` exits.
 */
import { createNetworkPolicy, deliveryHeaders, postWebhook } from '@wagw/webhooks';

interface PostOrder {
  url: string;
  secret: string;
  /** Envelopes: `body` is the JSON text sent as it is (the signature covers these exact bytes). */
  items: Array<{ id: string; event: string; sessionId: string | null; body: string }>;
  concurrency: number;
  timeoutMs: number;
}

const policy = createNetworkPolicy(['127.0.0.0/8']);

async function post(order: PostOrder): Promise<{ failed: number; ms: number }> {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const lane = async () => {
    for (let i = next++; i < order.items.length; i = next++) {
      const item = order.items[i];
      if (!item) break;
      const headers = deliveryHeaders({
        secret: order.secret,
        eventId: item.id,
        event: item.event,
        sessionId: item.sessionId,
        attempt: 1,
        body: item.body,
      });
      const result = await postWebhook(order.url, item.body, headers, { timeoutMs: order.timeoutMs, policy });
      if (!result.ok) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: order.concurrency }, lane));
  return { failed, ms: performance.now() - started };
}

process.on('message', async (message: { post?: PostOrder; end?: true }) => {
  if (message.end) process.exit(0);
  if (!message.post) return;
  const { failed, ms } = await post(message.post);
  process.send?.({ posted: message.post.items.length, failed, ms });
});
process.send?.({ ready: true });
