import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRetryAfter, postWebhook } from './http-post.js';
import { createNetworkPolicy } from './url-guard.js';

// Real HTTP servers on 127.0.0.1. The policy allows loopback except where a test checks that it
// is refused.
const loopback = createNetworkPolicy(['127.0.0.0/8']);
const strict = createNetworkPolicy([]);

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, received: Received) => void,
): Promise<{ url: string; port: number; received: Received[]; connections: () => number }> {
  const received: Received[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      received.push(entry);
      handler(req, res, entry);
    });
  });
  server.on('connection', () => connections++);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, received, connections: () => connections };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const body = JSON.stringify({ id: 'evt_1', event: 'session.status', data: { status: 'open' } });

describe('postWebhook', () => {
  it('POSTs the body as JSON with our and the caller headers, and reports a 2xx as ok', async () => {
    // The receiver answers after 50 ms, so durationMs must cover at least that much.
    const server = await serve((_req, res) => setTimeout(() => res.writeHead(204).end(), 50));
    const started = performance.now();
    const result = await postWebhook(
      `${server.url}/hook?x=1`,
      body,
      { authorization: 'Bearer t', 'webhook-id': 'evt_1' },
      { timeoutMs: 2000, policy: loopback },
    );
    expect(result).toMatchObject({ ok: true, status: 204, body: '', error: null, retryAfterMs: null });
    const elapsed = performance.now() - started;
    expect(result.durationMs).toBeGreaterThanOrEqual(49); // timers may fire up to 1 ms early
    expect(result.durationMs).toBeLessThanOrEqual(Math.ceil(elapsed));
    const [request] = server.received;
    expect(request).toMatchObject({ method: 'POST', url: '/hook?x=1', body });
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'wagw-webhooks/1',
      authorization: 'Bearer t',
      'webhook-id': 'evt_1',
    });
  });

  it('keeps content-type ours even if a caller passes another one', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end('ok'));
    await postWebhook(
      server.url,
      body,
      { 'Content-Type': 'text/plain' },
      { timeoutMs: 2000, policy: loopback },
    );
    expect(server.received[0]?.headers['content-type']).toBe('application/json');
  });

  it('reports 4xx and 5xx with their status and body', async () => {
    const server = await serve((req, res) =>
      req.url === '/bad' ? res.writeHead(400).end('{"error":"bad"}') : res.writeHead(503).end('down'),
    );
    expect(
      await postWebhook(`${server.url}/bad`, body, {}, { timeoutMs: 2000, policy: loopback }),
    ).toMatchObject({
      ok: false,
      status: 400,
      body: '{"error":"bad"}',
      error: 'HTTP 400',
    });
    expect(
      await postWebhook(`${server.url}/down`, body, {}, { timeoutMs: 2000, policy: loopback }),
    ).toMatchObject({
      ok: false,
      status: 503,
      body: 'down',
      error: 'HTTP 503',
    });
  });

  it('does not follow a redirect', async () => {
    const server = await serve((req, res) =>
      req.url === '/moved' ? res.writeHead(302, { location: '/target' }).end() : res.writeHead(200).end(),
    );
    const result = await postWebhook(`${server.url}/moved`, body, {}, { timeoutMs: 2000, policy: loopback });
    expect(result).toMatchObject({ ok: false, status: 302 });
    expect(server.received.map((r) => r.url)).toEqual(['/moved']);
  });

  it('times out within the budget on a server that never answers', async () => {
    const server = await serve(() => {});
    const started = performance.now();
    const result = await postWebhook(server.url, body, {}, { timeoutMs: 300, policy: loopback });
    const took = performance.now() - started;
    expect(result).toMatchObject({ ok: false, status: null, error: 'timeout after 300 ms' });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(300 + 250);
    expect(result.durationMs).toBeLessThan(300 + 250);
  });

  it('counts a slow body against the same budget', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part of the answer');
      // ...and the rest never comes.
    });
    const started = performance.now();
    const result = await postWebhook(server.url, body, {}, { timeoutMs: 300, policy: loopback });
    expect(result).toMatchObject({ ok: false, status: null, error: 'timeout after 300 ms' });
    expect(performance.now() - started).toBeLessThan(300 + 250);
  });

  it('keeps the first maxResponseBytes of a huge body and does not wait for the rest', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const started = performance.now();
    const result = await postWebhook(server.url, body, {}, { timeoutMs: 5000, policy: loopback });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.body).toBe('a'.repeat(4096));
    expect(performance.now() - started).toBeLessThan(2000);

    const small = await postWebhook(
      server.url,
      body,
      {},
      { timeoutMs: 5000, policy: loopback, maxResponseBytes: 10 },
    );
    expect(small.body).toBe('a'.repeat(10));
  });

  it('reuses a keep-alive connection for consecutive deliveries', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end('ok'));
    for (let i = 0; i < 3; i++) {
      expect((await postWebhook(server.url, body, {}, { timeoutMs: 2000, policy: loopback })).ok).toBe(true);
    }
    expect(server.connections()).toBe(1);
  });

  it('reads Retry-After in seconds and as an HTTP date', async () => {
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    const server = await serve((req, res) =>
      req.url === '/seconds'
        ? res.writeHead(429, { 'retry-after': '7' }).end()
        : res.writeHead(503, { 'retry-after': inTwoMinutes }).end(),
    );
    const seconds = await postWebhook(
      `${server.url}/seconds`,
      body,
      {},
      { timeoutMs: 2000, policy: loopback },
    );
    expect(seconds).toMatchObject({ ok: false, status: 429, retryAfterMs: 7000 });
    const date = await postWebhook(`${server.url}/date`, body, {}, { timeoutMs: 2000, policy: loopback });
    expect(date.retryAfterMs).toBeGreaterThan(110_000);
    expect(date.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('reports a refused connection without throwing', async () => {
    const server = await serve(() => {});
    const port = server.port;
    servers.pop()?.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const result = await postWebhook(
      `http://127.0.0.1:${port}/`,
      body,
      {},
      { timeoutMs: 2000, policy: loopback },
    );
    expect(result).toMatchObject({ ok: false, status: null, body: null });
    expect(result.error).toMatch(/^ECONNREFUSED: /);
  });

  it('refuses at connect time a hostname resolving to loopback when loopback is not allowed', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const result = await postWebhook(
      `http://localhost:${server.port}/`,
      body,
      {},
      { timeoutMs: 2000, policy: strict },
    );
    expect(result).toMatchObject({ ok: false, status: null });
    expect(result.error).toMatch(/^EWEBHOOKFORBIDDEN: /);
    expect(server.received).toHaveLength(0);
  });

  it('refuses a forbidden IP literal (which Node would connect to without any lookup)', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const result = await postWebhook(server.url, body, {}, { timeoutMs: 2000, policy: strict });
    expect(result.error).toMatch(/^EWEBHOOKFORBIDDEN: /);
    expect(server.received).toHaveLength(0);
  });

  it('delivers to loopback by name when the policy allows 127.0.0.0/8', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end('ok'));
    const policy = createNetworkPolicy(['127.0.0.0/8', '::1/128']);
    const result = await postWebhook(
      `http://localhost:${server.port}/`,
      body,
      {},
      { timeoutMs: 2000, policy },
    );
    expect(result).toMatchObject({ ok: true, status: 200, body: 'ok' });
  });

  it('never throws on bad input', async () => {
    expect((await postWebhook('not a url', body, {}, { timeoutMs: 100, policy: loopback })).error).toMatch(
      /^ERR_INVALID_URL/,
    );
    expect(
      (await postWebhook('ftp://127.0.0.1/', body, {}, { timeoutMs: 100, policy: loopback })).error,
    ).toMatch(/^ERR_UNSUPPORTED_PROTOCOL/);
    const server = await serve((_req, res) => res.writeHead(200).end());
    const bad = await postWebhook(
      server.url,
      body,
      { 'x-evil': 'a\r\nb' },
      { timeoutMs: 100, policy: loopback },
    );
    expect(bad).toMatchObject({ ok: false, status: null });
    expect(bad.error).toMatch(/^ERR_INVALID_CHAR/);
  });
});

describe('parseRetryAfter', () => {
  it('parses seconds, dates, past dates and garbage', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 31 Dec 2023 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
