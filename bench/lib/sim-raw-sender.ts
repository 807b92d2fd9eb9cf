/**
 * The baseline of the delivery bench: one raw Baileys socket in a plain Node process of its own (as
 * the worker is one), paired to the bench's simulator, sending texts in a loop with no gateway
 * around it. Each send is awaited the way the worker's send processor awaits it: the ack waiter is
 * armed first, then `sendMessage` is awaited, then the server's `<ack class="message">` for that id
 * (apps/worker/src/messaging/send.processor.ts, ack-waiter.ts). The socket has the Baileys options
 * of the worker's socket factory and an in-memory key store.
 *
 * Driven over IPC by bench/delivery.bench.ts: it sends `{ qr }` (the parent scans it) and `{ open }`;
 * `{ send: { to, count, tag } }` is answered `{ sent: count, ms }`; `{ end: true }` ends it.
 * Environment: WA_WS_URL, WA_ROOT_PUBLIC_KEY (base64).
 */
import { createMemoryAuthState, createTestClient, type TestClient } from '@wagw/wa-sim';
import { type BinaryNode, Browsers, generateMessageIDV2 } from '@whiskeysockets/baileys';

const ACK_TIMEOUT_MS = 15_000;
const endpoint = {
  url: process.env.WA_WS_URL as string,
  rootPublicKey: Buffer.from(process.env.WA_ROOT_PUBLIC_KEY as string, 'base64'),
};
// The options apps/worker/src/sessions/socket-factory.ts sets (timeouts as the bench's worker has them).
const config = {
  browser: Browsers.macOS('Chrome'),
  keepAliveIntervalMs: 2000,
  connectTimeoutMs: 5000,
  defaultQueryTimeoutMs: 5000,
  markOnlineOnConnect: false,
  syncFullHistory: false,
};
const auth = createMemoryAuthState();
const send = (message: unknown) => process.send?.(message);

async function login(): Promise<TestClient> {
  const first = createTestClient(endpoint, { auth, config });
  send({ qr: await first.waitForQr(30_000) });
  const closed = await first.waitForClose(60_000);
  await first.end();
  if (closed.statusCode !== 515) throw new Error(`expected 515 after pairing, got ${closed.statusCode}`);
  const client = createTestClient(endpoint, { auth, config });
  await client.waitForOpen(30_000);
  return client;
}

/** The server's acks by message id, armed before each send (an ack can beat `sendMessage`). */
function ackWaiter(client: TestClient) {
  const waiting = new Map<string, (error: string | undefined) => void>();
  client.sock.ws.on('CB:ack,class:message', (node: BinaryNode) => {
    const id = node.attrs.id;
    if (id) waiting.get(id)?.(node.attrs.error);
  });
  return (id: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${id}`)), ACK_TIMEOUT_MS);
      waiting.set(id, (error) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (error) reject(new Error(`ack error ${error} for ${id}`));
        else resolve();
      });
    });
}

const client = await login();
const expectAck = ackWaiter(client);
send({ open: true });

process.on('message', async (message: { send?: { to: string; count: number; tag: string }; end?: true }) => {
  if (message.end) {
    await client.end();
    process.exit(0);
  }
  if (!message.send) return;
  const { to, count, tag } = message.send;
  const started = performance.now();
  try {
    for (let i = 0; i < count; i++) {
      const id = generateMessageIDV2(client.sock.user?.id);
      const acked = expectAck(id);
      await client.sock.sendMessage(to, { text: `${tag}-${i}` }, { messageId: id });
      await acked;
    }
    send({ sent: count, ms: performance.now() - started });
  } catch (err) {
    send({ error: (err as Error).message });
  }
});
