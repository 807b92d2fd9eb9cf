import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { MediaTooLargeError } from './errors.js';
import type { MediaInfo, MediaStore } from './store-types.js';

/**
 * The SSRF guard a fetch goes through (the webhooks' one: `addressGuard` of @wagw/webhooks), given
 * rather than imported so this package needs no HTTP policy of its own.
 */
export interface AddressGuard {
  /** True when connecting to this IP literal is refused. */
  isForbidden(address: string): boolean;
  /** A `lookup` for http.request that fails when a name resolves to a forbidden address. */
  lookup: LookupFunction;
  /** Whether an error is that lookup's refusal. */
  refused(err: unknown): boolean;
}

export interface FetchToStoreOptions {
  store: Pick<MediaStore, 'put'>;
  guard: AddressGuard;
  /** Largest body accepted; a larger one is refused without being read whole. */
  maxBytes: number;
  /** Bound on the whole fetch: every connection, every redirect, the headers and the body. */
  timeoutMs: number;
  /** Redirects followed, each re-checked against the guard. Default 3. */
  maxRedirects?: number;
}

/**
 * Why a fetch gave up. `forbidden`: the URL, a redirect or a resolved address is in a network the
 * guard refuses; `failed`: anything else. `transient` failures (timeouts, refused or reset
 * connections, 5xx, 408, 429) may succeed if tried again later; the others will not.
 */
export class MediaFetchError extends Error {
  constructor(
    readonly kind: 'forbidden' | 'failed',
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'MediaFetchError';
  }
}

const USER_AGENT = 'wagw-media/1';
const DEFAULT_MAX_REDIRECTS = 3;
const failed = (message: string, transient: boolean) => new MediaFetchError('failed', message, transient);
const forbidden = (message: string) => new MediaFetchError('forbidden', message, false);

/**
 * Fetches `url` (http or https) into the store, streamed: the body goes to the store as it arrives,
 * so a file is never held whole in memory. Every connection goes through the guard (IP literals
 * checked here, names by its `lookup` on the very addresses connected to), redirects included.
 * Throws `MediaFetchError` and nothing else.
 */
export async function fetchToStore(url: string, options: FetchToStoreOptions): Promise<MediaInfo> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    return await follow(url, options, controller.signal);
  } catch (err) {
    if (controller.signal.aborted) {
      throw failed(`no complete answer within ${options.timeoutMs} ms`, true);
    }
    throw asFetchError(err, options.guard);
  } finally {
    clearTimeout(timer);
  }
}

async function follow(raw: string, options: FetchToStoreOptions, signal: AbortSignal): Promise<MediaInfo> {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let url = parseTarget(raw);
  for (let redirects = 0; ; redirects++) {
    checkAddress(url, options.guard);
    const response = await get(url, options.guard, signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.destroy();
      if (redirects >= maxRedirects) throw failed(`more than ${maxRedirects} redirects`, false);
      url = parseTarget(location, url);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.destroy();
      throw failed(`HTTP ${status} from ${url.host}`, isTransientStatus(status));
    }
    const declared = Number(response.headers['content-length']);
    if (declared > options.maxBytes) {
      response.destroy();
      throw failed(`${url.host} announced ${declared} bytes, above the limit of ${options.maxBytes}`, false);
    }
    const info = await options.store.put(response, { maxBytes: options.maxBytes });
    if (info.size === 0) throw failed(`${url.host} answered an empty body`, false);
    return info;
  }
}

/** An absolute http(s) URL, a redirect's `Location` resolved against the URL it came from. */
function parseTarget(raw: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw failed(base ? 'a redirect to an invalid URL' : 'an invalid URL', false);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw failed(`${url.protocol} is not http or https`, false);
  }
  return url;
}

/** Node skips `lookup` for an IP-literal host, so those are judged here. */
function checkAddress(url: URL, guard: AddressGuard): void {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host) && guard.isForbidden(host)) {
    throw forbidden(`${host} is in a private, loopback or reserved network`);
  }
}

function get(url: URL, guard: AddressGuard, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'GET',
      // A fresh connection per fetch: a pooled socket would skip `lookup`, and with it the guard.
      agent: false,
      lookup: guard.lookup,
      signal,
      headers: { 'user-agent': USER_AGENT, accept: '*/*' },
    });
    request.once('response', resolve);
    request.once('error', reject);
    request.end();
  });
}

function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function asFetchError(err: unknown, guard: AddressGuard): MediaFetchError {
  if (err instanceof MediaFetchError) return err;
  if (guard.refused(err)) return forbidden((err as Error).message);
  if (err instanceof MediaTooLargeError) return failed(err.message, false);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = (err as Error | undefined)?.message ?? String(err);
  // No such host (EAI_AGAIN, a resolver that did not answer, stays transient).
  if (code === 'ENOTFOUND') return failed(message, false);
  // TLS: an untrusted or mismatching certificate will not fix itself.
  if (code?.startsWith('ERR_TLS_') || code?.includes('CERT') || code?.startsWith('ERR_SSL_')) {
    return failed(message, false);
  }
  // Refused, reset or unreachable connections, a body cut short, a store that failed to write:
  // all may work when tried again.
  return failed(code && !message.includes(code) ? `${code}: ${message}` : message, true);
}
