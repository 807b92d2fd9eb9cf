import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, type NetworkPolicy } from './url-guard.js';

/**
 * One delivery attempt. node:http rather than fetch because fetch (undici) cannot take our `lookup`
 * per request, and the connect-time address check is what makes the SSRF guard hold against DNS
 * rebinding. Retrying, backoff and breakers are the caller's business: this only reports.
 */

export interface PostResult {
  ok: boolean;
  /** HTTP status; null when no complete response arrived (timeout, refused, DNS, reset). */
  status: number | null;
  /** The first `maxResponseBytes` of the response body (UTF-8), for logs and dead letters. */
  body: string | null;
  error: string | null;
  durationMs: number;
  /** From a Retry-After header (delay in seconds, or an HTTP date), when the receiver sent one. */
  retryAfterMs: number | null;
}

const USER_AGENT = 'wagw-webhooks/1';
const DEFAULT_MAX_RESPONSE_BYTES = 4096;
/**
 * After the kept bytes, up to this much more is read and dropped so a keep-alive socket can be
 * reused; a receiver sending more than that is cut off instead of holding the worker's time.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024;
/** Idle keep-alive sockets are closed before the usual 5 s server keep-alive timeout ends them under us. */
const IDLE_SOCKET_MS = 4000;

interface Agents {
  http: http.Agent;
  https: https.Agent;
}

/**
 * Keep-alive agents, shared by every delivery of the process: most deliveries go to a few
 * endpoints, and a TLS handshake per event would cost more than the request. One pair per policy,
 * because a pooled socket skips `lookup`: a socket opened under one policy must never serve another.
 */
const agentsByPolicy = new WeakMap<NetworkPolicy, Agents>();

function agentsFor(policy: NetworkPolicy): Agents {
  let agents = agentsByPolicy.get(policy);
  if (!agents) {
    const lookup = guardedLookup(policy);
    const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const, lookup };
    agents = { http: new http.Agent(options), https: new https.Agent(options) };
    agentsByPolicy.set(policy, agents);
  }
  return agents;
}

/** Retry-After as a delay: integer seconds, or an HTTP date (a date in the past means now). */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  const message = e?.message ?? String(err);
  return `${e?.code ?? 'ERROR'}: ${message}`;
}

export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; policy: NetworkPolicy; maxResponseBytes?: number },
): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  return new Promise<PostResult>((resolve) => {
    let settled = false;
    let request: http.ClientRequest | undefined;
    let response: http.IncomingMessage | undefined;

    function finish(result: Omit<PostResult, 'durationMs'>): void {
      if (settled) return;
      settled = true;
      resolve({ ...result, durationMs: elapsed() });
    }
    const fail = (error: string) =>
      finish({ ok: false, status: null, body: null, error, retryAfterMs: null });

    // One budget for connect + headers + body: per-phase timeouts would let a slow receiver take
    // several times the configured time.
    // It also bounds the draining of a response that was answered early (see DRAIN_LIMIT_BYTES).
    const timer = setTimeout(() => {
      fail(`timeout after ${opts.timeoutMs} ms`);
      response?.destroy();
      request?.destroy();
    }, opts.timeoutMs);
    const done = () => clearTimeout(timer);

    let target: URL;
    try {
      target = new URL(url);
    } catch {
      done();
      fail('ERR_INVALID_URL: invalid URL');
      return;
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      done();
      fail(`ERR_UNSUPPORTED_PROTOCOL: ${target.protocol} is not http or https`);
      return;
    }
    // Node does not call `lookup` for an IP-literal host, so such hosts are checked here.
    const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
    if (isIP(host) && opts.policy.isForbidden(host)) {
      done();
      fail(`EWEBHOOKFORBIDDEN: refusing to connect to ${host}: private, loopback or reserved network`);
      return;
    }

    const agents = agentsFor(opts.policy);
    const isHttps = target.protocol === 'https:';
    try {
      request = (isHttps ? https : http).request(target, {
        method: 'POST',
        agent: isHttps ? agents.https : agents.http,
        lookup: guardedLookup(opts.policy),
        headers: {
          'user-agent': USER_AGENT,
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        },
      });
    } catch (err) {
      // e.g. a header value with a newline (ERR_INVALID_CHAR).
      done();
      fail(describe(err));
      return;
    }

    request.on('error', (err) => {
      done();
      fail(describe(err));
    });

    // Redirects are not followed: a 3xx is reported as a non-2xx like any other, because following
    // one would send the signed event to a URL nobody validated.
    request.on('response', (res) => {
      response = res;
      const status = res.statusCode ?? 0;
      const retryAfterMs = parseRetryAfter(
        typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : undefined,
      );
      const chunks: Buffer[] = [];
      let kept = 0;
      let seen = 0;
      const complete = () =>
        finish({
          ok: status >= 200 && status < 300,
          status,
          body: Buffer.concat(chunks).toString('utf8'),
          error: status >= 200 && status < 300 ? null : `HTTP ${status}`,
          retryAfterMs,
        });
      res.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (kept < maxBytes) {
          const part = chunk.subarray(0, maxBytes - kept);
          chunks.push(part);
          kept += part.length;
        }
        // Enough to report: answer now, and drop the rest (or the socket if the rest is large).
        if (seen > maxBytes) complete();
        if (seen > maxBytes + DRAIN_LIMIT_BYTES) res.destroy();
      });
      res.on('end', complete);
      // A body cut off after the kept bytes was already answered (fail is then a no-op); before
      // that, the receiver did not finish its answer, which is a failed attempt.
      res.on('error', (err) => fail(describe(err)));
      res.on('aborted', () => fail('ECONNRESET: response aborted'));
      // Ended or destroyed: nothing left for the timer to bound ('end' comes first when complete).
      res.on('close', () => {
        done();
        fail('ECONNRESET: response closed before its end');
      });
    });

    request.end(body);
  });
}
