import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { Readable } from 'node:stream';
import type { SimMedia } from '../src/index.js';

export interface CdnResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One HTTPS request to the simulator's CDN the way a client behind an origin override makes it: TCP to
 * `sim.media.origin`, TLS for `servername` (default mmg.whatsapp.net), trusting only the CA file.
 */
export function cdnRequest(
  media: SimMedia,
  options: {
    method?: string;
    path: string;
    body?: Buffer;
    headers?: Record<string, string>;
    servername?: string;
  },
): Promise<CdnResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: media.port,
        servername: options.servername ?? 'mmg.whatsapp.net',
        ca: readFileSync(media.caFile),
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * A `fetch` for Baileys' download code that sends every https URL to the simulator's CDN, keeping the URL's
 * host for TLS: Node's fetch cannot be given a CA in-process (NODE_EXTRA_CA_CERTS is read at start-up, and
 * its undici dispatcher is not importable here), so tests swap the transport, not Baileys' code.
 */
export function cdnFetch(media: SimMedia): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: media.port,
          servername: url.hostname,
          ca: media.caPem,
          method: init?.method ?? 'GET',
          path: url.pathname + url.search,
          headers,
          agent: false,
        },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (typeof value === 'string') responseHeaders.set(name, value);
    }
    return new Response(Readable.toWeb(res) as ReadableStream, {
      status: res.statusCode ?? 0,
      headers: responseHeaders,
    });
  }) as typeof fetch;
}
