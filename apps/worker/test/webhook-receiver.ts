import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from '@wagw/testing';

/** One request as the receiver saw it: headers, the raw body (what signatures cover) and when. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** The status it was answered with (null: left hanging). */
  status: number | null;
}

/** How the receiver answers the next request: a status (+ body), or `hang` (never answer). */
export type Reply =
  | { status: number; body?: string; delayMs?: number; headers?: Record<string, string> }
  | 'hang';

/**
 * A real HTTP webhook receiver on 127.0.0.1 for end-to-end tests. `reply` decides each answer (by
 * request number, from 1); it can be stopped and started again on the same port to play "down".
 */
export async function startReceiver(options: { reply?: (n: number) => Reply; port?: number } = {}) {
  const port = options.port ?? (await freePort());
  const requests: ReceivedRequest[] = [];
  let reply: (n: number) => Reply = options.reply ?? (() => ({ status: 200 }));
  let server: Server | null = null;

  async function listen(): Promise<void> {
    const s = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const record: ReceivedRequest = {
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
          status: null,
        };
        requests.push(record);
        const answer = reply(requests.length);
        if (answer === 'hang') return;
        const send = () => {
          record.status = answer.status;
          res
            .writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers })
            .end(answer.body ?? 'ok');
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
    s.listen(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      s.once('listening', resolve);
      s.once('error', reject);
    });
    server = s;
  }

  await listen();
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    /** The envelopes received (parsed bodies), in arrival order. */
    events: () =>
      requests.map((r) => JSON.parse(r.body) as { id: string; event: string; data: Record<string, unknown> }),
    setReply(next: (n: number) => Reply) {
      reply = next;
    },
    /** Closes the port (connections refused) until `start()`. */
    async stop(): Promise<void> {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    start: listen,
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
