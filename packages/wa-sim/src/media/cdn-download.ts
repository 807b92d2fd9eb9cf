import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { MediaCounters } from '../observe/counters.js';
import type { CdnFaults } from './cdn-faults.js';
import { sendJson } from './cdn-upload.js';
import type { MediaStore } from './media-store.js';

/** An inclusive byte range of a blob. */
interface ByteRange {
  start: number;
  end: number;
}

/**
 * `GET` (or `HEAD`) of a blob by the path of its url or direct path: 200 with the whole blob, or 206
 * with `Content-Range` for a single `Range: bytes=a-b` / `a-` / `-n` (how Baileys fetches part of a
 * file); 416 for a range outside the blob; 404 for an unknown path.
 */
export async function handleDownload(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  deps: { store: MediaStore; counters: MediaCounters; faults: CdnFaults },
): Promise<void> {
  const failure = deps.faults.takeFailure();
  if (failure !== undefined) return sendJson(response, failure, { error: 'injected CDN fault' });
  const blob = deps.store.find(url.pathname);
  if (!blob) return sendJson(response, 404, { error: 'no such media' });
  const range = parseRange(request.headers.range, blob.size);
  if (range === 'unsatisfiable') {
    response.writeHead(416, { 'content-range': `bytes */${blob.size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: blob.size - 1 };
  const headers: Record<string, string | number> = {
    'content-type': 'application/octet-stream',
    'content-length': end - start + 1,
    'accept-ranges': 'bytes',
  };
  if (range) headers['content-range'] = `bytes ${start}-${end}/${blob.size}`;
  response.writeHead(range ? 206 : 200, headers);
  deps.counters.downloads++;
  if (request.method === 'HEAD' || blob.size === 0) {
    response.end();
    return;
  }
  // A client that hangs up mid-download ends the pipeline with an error that is its own business.
  const file = createReadStream(blob.file, { start, end });
  const pacer = deps.faults.pacer();
  const { counters } = deps;
  counters.activeDownloads++;
  counters.maxActiveDownloads = Math.max(counters.maxActiveDownloads, counters.activeDownloads);
  // A download is active until its last byte is handed to the connection, not until the response's
  // 'finish': on a loaded event loop that callback can run after the client, which has every byte
  // already, asked for its next file, and the count would show one download too many.
  let active = true;
  const ended = () => {
    if (!active) return;
    active = false;
    counters.activeDownloads--;
  };
  (pacer ?? file).once('end', ended);
  await (pacer ? pipeline(file, pacer, response) : pipeline(file, response)).catch(() => undefined);
  ended();
}

/**
 * A single range, or undefined to send the whole blob: a missing, malformed or multi-range header is
 * ignored, as HTTP allows. A range starting past the end is unsatisfiable; one ending past it is cut.
 */
function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  if (size === 0) return 'unsatisfiable';
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}
