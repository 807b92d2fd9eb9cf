import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MediaCounters } from '../observe/counters.js';
import type { MediaAuthTokens } from './media-auth.js';
import { isCdnSegment } from './media-kinds.js';
import { type MediaStore, UploadRejected } from './media-store.js';

/** SHA-256 is 32 bytes; Baileys sends it base64url without padding (43 characters). */
const SHA256_BYTES = 32;

/**
 * `POST /mms/<type>/<fileEncSha256 base64url>?auth=<token>&token=<same hash>` (Baileys'
 * getWAUploadToServer): checks the path and token before reading the body, streams the body into
 * the store, and answers `{ url, direct_path }` like WhatsApp. Every refusal is a JSON 4xx.
 */
export async function handleUpload(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  deps: { store: MediaStore; tokens: MediaAuthTokens; counters: MediaCounters },
): Promise<void> {
  const reject = (status: number, error: string) => {
    deps.counters.rejectedUploads++;
    sendJson(response, status, { error });
    // Whatever is left of the body is not wanted; closing avoids reading a large refused upload.
    if (!request.complete) response.once('finish', () => request.destroy());
  };
  const [, mms, segment, hash, ...rest] = url.pathname.split('/');
  if (mms !== 'mms' || !segment || !hash || rest.length) return reject(404, 'unknown upload path');
  if (!isCdnSegment(segment)) return reject(400, `unknown media type "${segment}"`);
  const fileEncSha256 = Buffer.from(hash, 'base64url');
  if (fileEncSha256.length !== SHA256_BYTES || fileEncSha256.toString('base64url') !== hash) {
    return reject(400, 'path does not end in a base64url SHA-256');
  }
  const auth = deps.tokens.check(url.searchParams.get('auth'));
  if (auth !== 'valid') return reject(401, auth === 'expired' ? 'auth token expired' : 'auth token unknown');
  if (url.searchParams.get('token') !== hash) return reject(400, 'token does not match the path');
  const declared = Number(request.headers['content-length']);
  if (declared > deps.store.maxBlobBytes)
    return reject(413, `blob larger than ${deps.store.maxBlobBytes} bytes`);
  try {
    const blob = await deps.store.receive(segment, request, fileEncSha256);
    sendJson(response, 200, { url: blob.url, direct_path: blob.directPath });
  } catch (error) {
    if (error instanceof UploadRejected) return reject(error.status, error.message);
    // The client went away mid-upload: nothing to answer.
    if (!response.headersSent && !request.destroyed) sendJson(response, 500, { error: String(error) });
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}
