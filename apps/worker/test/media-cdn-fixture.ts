import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** One request the CDN answered, with the TLS server name (SNI) its connection asked for. */
export interface CdnRequest {
  method: string;
  path: string;
  servername: string;
  range?: string;
  /** SHA-256 (base64) of an upload's body. */
  bodySha256?: string;
}

export interface MediaCdn {
  /** `127.0.0.1:<port>`, the value for WA_MEDIA_ORIGIN_OVERRIDE. */
  origin: string;
  requests: CdnRequest[];
  close(): Promise<void>;
}

/**
 * A minimal WhatsApp-like media CDN on 127.0.0.1: `POST /mms/<type>/…` stores the body and answers
 * `{ url, direct_path }` as WhatsApp does; `GET <direct path>` serves it, honouring a single Range.
 */
export async function startMediaCdn(tls: { certPem: string; keyPem: string }): Promise<MediaCdn> {
  const blobs = new Map<string, Buffer>();
  const requests: CdnRequest[] = [];
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const record: CdnRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      servername: (req.socket as TLSSocket).servername || '',
      ...(req.headers.range ? { range: req.headers.range } : {}),
    };
    requests.push(record);
    if (req.method === 'POST') void upload(req, res, record, blobs);
    else download(req, res, blobs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `127.0.0.1:${port}`, requests, close: () => closeServer(server) };
}

async function upload(
  req: IncomingMessage,
  res: ServerResponse,
  record: CdnRequest,
  blobs: Map<string, Buffer>,
) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  record.bodySha256 = createHash('sha256').update(body).digest('base64');
  const directPath = `/v/t62.7118-24/${randomBytes(8).toString('hex')}.enc?oh=test`;
  blobs.set(new URL(directPath, 'https://x').pathname, body);
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({ url: `https://mmg.whatsapp.net${directPath}&mms3=true`, direct_path: directPath }),
  );
}

function download(req: IncomingMessage, res: ServerResponse, blobs: Map<string, Buffer>) {
  const blob = blobs.get(new URL(req.url ?? '/', 'https://x').pathname);
  if (!blob) {
    res.statusCode = 404;
    res.end();
    return;
  }
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (!range) {
    res.end(blob);
    return;
  }
  const start = Number(range[1]);
  const end = Math.min(range[2] ? Number(range[2]) : blob.length - 1, blob.length - 1);
  res.statusCode = 206;
  res.setHeader('content-range', `bytes ${start}-${end}/${blob.length}`);
  res.end(blob.subarray(start, end + 1));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
