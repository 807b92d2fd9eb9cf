import { createHash } from 'node:crypto';
import { IdempotencyClaimLostError, type IdempotencyKey, type IdempotencyKeysRepository } from '@wagw/db';
import { AppError } from '@wagw/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What a handler under an Idempotency-Key produces: the response to store and send. */
export interface IdempotentResult {
  statusCode: number;
  body: unknown;
  /**
   * An error to answer with *instead*, while `statusCode`/`body` are what is stored for replays.
   * Used when the work is committed but a later step failed (Redis down after the row was
   * written): this request gets the 503, a retry with the same key gets the 202 it would have got.
   */
  error?: AppError;
  /**
   * True when the handler stored the response with its own rows (`IdempotencyCommit`, one
   * transaction), so there is nothing left to complete.
   */
  committed?: boolean;
}

/** The claim a handler under an Idempotency-Key commits its response with (see IdempotencyCommit). */
export interface IdempotencyClaim {
  keyId: string;
}

export interface IdempotencyOptions {
  repo: IdempotencyKeysRepository;
  /** How long a key is remembered. Default 24 h (the draft's recommended minimum). */
  ttlMs?: number;
  /**
   * An `in_progress` record older than this is treated as abandoned (its process died mid-request)
   * and may be claimed again. Default 120000 ms. Safe at any value for handlers that commit their
   * response with their rows: a request still running when its claim is taken over fails its
   * commit (IdempotencyClaimLostError) instead of doing the work a second time.
   */
  abandonAfterMs?: number;
}

const IDEMPOTENCY_HEADER = 'idempotency-key';
const DAY_MS = 24 * 3_600_000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs `handler` at most once per (principal, Idempotency-Key), following
 * draft-ietf-httpapi-idempotency-key-header: the same key with the same request replays the stored
 * status and body; with a different request it is 422 IDEMPOTENCY_KEY_REUSED; while the first
 * request is still running it is 409 IDEMPOTENCY_IN_PROGRESS. Without the header the handler just
 * runs. A handler that throws releases the key: nothing was committed, so a retry may run.
 */
export async function withIdempotency(
  request: FastifyRequest,
  reply: FastifyReply,
  options: IdempotencyOptions,
  handler: (claim?: IdempotencyClaim) => Promise<IdempotentResult>,
): Promise<FastifyReply> {
  const key = request.headers[IDEMPOTENCY_HEADER];
  if (key === undefined) return answer(reply, await handler());
  if (typeof key !== 'string' || !KEY_FORMAT.test(key)) {
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 1-255 visible ASCII characters');
  }
  const scope = scopeOf(request);
  const requestHash = fingerprint(request);
  const claimed = await claim(options, scope, key, requestHash);
  if (!claimed.ok) return replayOrRefuse(reply, claimed.existing, requestHash);

  let result: IdempotentResult;
  try {
    result = await handler({ keyId: claimed.row.id });
  } catch (err) {
    if (err instanceof IdempotencyClaimLostError) {
      // A retry took the claim over (judged abandoned) and does the work; this request's rows
      // were rolled back. The retry's answer is the one to replay.
      throw new AppError(
        'IDEMPOTENCY_IN_PROGRESS',
        'a request with this Idempotency-Key is still in progress',
        {
          retryAfter: 1,
        },
      );
    }
    await options.repo.delete(claimed.row.id).catch(() => undefined);
    throw err;
  }
  if (!result.committed) {
    await options.repo.complete(claimed.row.id, { status: result.statusCode, body: result.body });
  }
  return answer(reply, result);
}

function answer(reply: FastifyReply, result: IdempotentResult): FastifyReply {
  if (result.error) throw result.error;
  return reply.code(result.statusCode).send(result.body);
}

/** The principal's stored key id, or 'admin' for the config key: keys never collide across clients. */
function scopeOf(request: FastifyRequest): string {
  const principal = request.principal as { keyId?: string } | undefined;
  return principal?.keyId ? `key:${principal.keyId}` : 'admin';
}

/** sha256 of method, path and the body with object keys sorted (so key order does not matter). */
export function fingerprint(request: Pick<FastifyRequest, 'method' | 'url' | 'body'>): string {
  const path = request.url.split('?')[0] ?? '';
  return createHash('sha256')
    .update(`${request.method}\n${path}\n${canonicalJson(request.body ?? null)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

type Claim = { ok: true; row: IdempotencyKey } | { ok: false; existing: IdempotencyKey };

/**
 * Inserts the in-progress record; the unique (scope, key) index decides between concurrent
 * requests. An expired or abandoned holder is removed by id (compare-and-set) and the claim retried.
 */
async function claim(options: IdempotencyOptions, scope: string, key: string, requestHash: string) {
  const ttlMs = options.ttlMs ?? DAY_MS;
  const abandonAfterMs = options.abandonAfterMs ?? 120_000;
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = new Date();
    const row = await options.repo.begin({
      scope,
      key,
      requestHash,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlMs),
    });
    if (row) return { ok: true, row } satisfies Claim;
    const existing = await options.repo.get(scope, key);
    if (!existing) continue; // released meanwhile: claim again
    const expired = existing.expiresAt.getTime() <= now.getTime();
    const abandoned =
      existing.status === 'in_progress' && now.getTime() - existing.createdAt.getTime() > abandonAfterMs;
    if (!expired && !abandoned) return { ok: false, existing } satisfies Claim;
    await options.repo.delete(existing.id);
  }
  throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'the Idempotency-Key is contended; retry shortly', {
    retryAfter: 1,
  });
}

function replayOrRefuse(reply: FastifyReply, existing: IdempotencyKey, requestHash: string) {
  if (existing.requestHash !== requestHash) {
    throw new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was used for a different request (method, path or body differ)',
    );
  }
  if (existing.status === 'in_progress' || existing.responseStatus === null) {
    throw new AppError(
      'IDEMPOTENCY_IN_PROGRESS',
      'a request with this Idempotency-Key is still in progress',
      {
        retryAfter: 1,
      },
    );
  }
  return reply
    .code(existing.responseStatus)
    .header('idempotency-replayed', 'true')
    .send(existing.responseBody);
}
