import { randomUUID } from 'node:crypto';
import type { RedisConnection } from './connections.js';
import { redisKeys } from './keys.js';
import {
  isSessionRpcMethod,
  SESSION_RPC_METHODS,
  type SessionRpcMethod,
  type SessionRpcParams,
  type SessionRpcResult,
} from './session-rpc-methods.js';
import {
  CLAIM_GRACE_MS,
  RPC_LIST_TTL_MS,
  type RpcReplyEnvelope,
  type RpcRequestEnvelope,
  rpcReplyEnvelope,
  SessionRpcError,
} from './session-rpc-protocol.js';

export interface SessionRpcClientOptions {
  /** Fail-fast (producer) connection: lease reads and request pushes. */
  redis: RedisConnection;
  /**
   * Opens the dedicated connection that blocks in BLPOP on this client's reply list. Called once, on
   * the first call, so a process that never calls holds no extra connection.
   */
  openReader: () => RedisConnection;
  prefix: string;
  /** Default deadline of a call in ms (SESSION_RPC_TIMEOUT). */
  timeoutMs: number;
  logger: { warn: (obj: object, msg: string) => void };
}

type Waiter = { resolve: (reply: RpcReplyEnvelope | 'timeout') => void; timer: NodeJS.Timeout };

/** Longest BLPOP; closing disconnects the reader, so this only bounds how stale a reconnect can get. */
const READ_BLOCK_S = 5;
/** A call whose owner moved is retried on the new owner only if at least this much time is left. */
const MIN_RETRY_BUDGET_MS = 500;

/**
 * Calls a method on the live socket of a session, wherever it runs: the owner is read from the
 * session's lease (`<workerId>|<generation>`), the request pushed to that worker's list together
 * with a claim key whose TTL is the deadline, and the answer read from this client's own reply list
 * by one BLPOP loop (one blocking connection however many calls are in flight; a reply pushed while
 * the reader reconnects waits in the list). The worker claims each request once, and only before
 * its deadline, so a request runs at most once and never after the caller gave up on it.
 * A worker that no longer holds the lease answers NOT_OWNER and the call goes once to the new owner.
 */
export function createSessionRpcClient(options: SessionRpcClientOptions) {
  const keys = redisKeys(options.prefix);
  // Per process start: a restarted replica never reads replies meant for its previous life.
  const replicaId = `api-${randomUUID()}`;
  const waiters = new Map<string, Waiter>();
  let reader: RedisConnection | undefined;
  let closed = false;

  function deliver(raw: string): void {
    let reply: RpcReplyEnvelope;
    try {
      reply = rpcReplyEnvelope.parse(JSON.parse(raw));
    } catch (err) {
      options.logger.warn({ err }, 'malformed session rpc reply dropped');
      return;
    }
    const waiter = waiters.get(reply.id);
    if (!waiter) return; // its caller gave up already
    waiters.delete(reply.id);
    clearTimeout(waiter.timer);
    waiter.resolve(reply);
  }

  async function readLoop(conn: RedisConnection): Promise<void> {
    const list = keys.rpcReplies(replicaId);
    while (!closed) {
      try {
        const popped = await conn.blpop(list, READ_BLOCK_S);
        if (popped) deliver(popped[1]);
      } catch (err) {
        if (closed) return;
        options.logger.warn({ err }, 'session rpc reply read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  function ensureReader(): void {
    if (reader || closed) return;
    reader = options.openReader();
    void readLoop(reader);
  }

  function waitReply(id: string, ms: number): Promise<RpcReplyEnvelope | 'timeout'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiters.delete(id);
        resolve('timeout');
      }, ms);
      waiters.set(id, { resolve, timer });
    });
  }

  async function readOwner(sessionId: string): Promise<{ workerId: string; generation: number } | null> {
    const value = await options.redis.get(keys.lease(sessionId)).catch((err) => {
      throw new SessionRpcError('QUEUE_UNAVAILABLE', `Redis is unreachable: ${(err as Error).message}`);
    });
    if (!value) return null;
    const [workerId, generation] = value.split('|');
    return workerId && Number(generation) > 0 ? { workerId, generation: Number(generation) } : null;
  }

  /** One request to one worker: its reply, or SESSION_OWNER_TIMEOUT after `budgetMs`. */
  async function exchange(
    request: Omit<RpcRequestEnvelope, 'id' | 'replyTo'>,
    workerId: string,
    budgetMs: number,
  ): Promise<RpcReplyEnvelope> {
    const id = randomUUID();
    const envelope: RpcRequestEnvelope = { ...request, id, replyTo: replicaId };
    ensureReader();
    const reply = waitReply(id, budgetMs);
    const requests = keys.rpcRequests(workerId);
    try {
      await options.redis
        .multi()
        .set(keys.rpcPending(id), '1', 'PX', budgetMs + CLAIM_GRACE_MS)
        .lpush(requests, JSON.stringify(envelope))
        // A dead worker's list does not outlive the last request pushed to it by much.
        .pexpire(requests, budgetMs + RPC_LIST_TTL_MS)
        .exec();
    } catch (err) {
      const waiter = waiters.get(id);
      if (waiter) clearTimeout(waiter.timer);
      waiters.delete(id);
      throw new SessionRpcError('QUEUE_UNAVAILABLE', `Redis is unreachable: ${(err as Error).message}`);
    }
    const answer = await reply;
    if (answer !== 'timeout') return answer;
    // Deleting the claim key decides the race with a late worker: if it is still there, nobody
    // took the request and now nobody will; if it is gone, the worker has it (and may finish it).
    const abandoned = await options.redis.del(keys.rpcPending(id)).catch(() => 0);
    throw new SessionRpcError(
      'SESSION_OWNER_TIMEOUT',
      abandoned === 1
        ? `worker ${workerId} did not take the request within ${budgetMs} ms`
        : `worker ${workerId} took the request but did not answer within ${budgetMs} ms`,
    );
  }

  return {
    /** Runs `method` on the session's socket; throws SessionRpcError (codes in session-rpc-protocol.ts). */
    async call<M extends SessionRpcMethod>(
      sessionId: string,
      method: M,
      params: SessionRpcParams<M>,
      callOptions: { timeoutMs?: number } = {},
    ): Promise<SessionRpcResult<M>> {
      if (closed) throw new SessionRpcError('QUEUE_UNAVAILABLE', 'session rpc client is closed');
      if (!isSessionRpcMethod(method)) {
        throw new SessionRpcError('SESSION_METHOD_UNSUPPORTED', `no session method ${String(method)}`);
      }
      const spec = SESSION_RPC_METHODS[method];
      const checked = spec.params.safeParse(params);
      if (!checked.success) throw new SessionRpcError('INVALID_PARAMS', checked.error.message);
      const deadline = Date.now() + (callOptions.timeoutMs ?? options.timeoutMs);
      let owner = await readOwner(sessionId);
      for (let attempt = 1; ; attempt++) {
        if (!owner) throw new SessionRpcError('SESSION_NOT_OPEN', `no worker holds session ${sessionId}`);
        const reply = await exchange(
          { sessionId, generation: owner.generation, method, params: checked.data },
          owner.workerId,
          Math.max(1, deadline - Date.now()),
        );
        if (reply.ok) {
          const result = spec.result.safeParse(reply.result);
          if (result.success) return result.data as SessionRpcResult<M>;
          throw new SessionRpcError('INTERNAL_ERROR', `worker answered ${method} with an invalid result`);
        }
        const { code, message, retryAfter } = reply.error;
        if (code !== 'NOT_OWNER') throw new SessionRpcError(code, message, retryAfter);
        // The lease moved between our read and the worker's check: follow it once.
        const moved = await readOwner(sessionId);
        const changed = moved && (moved.workerId !== owner.workerId || moved.generation !== owner.generation);
        if (attempt > 1 || !changed || deadline - Date.now() < MIN_RETRY_BUDGET_MS) {
          throw new SessionRpcError('SESSION_NOT_OPEN', `session ${sessionId} is moving between workers`);
        }
        owner = moved;
      }
    },

    /** Stops the reader; calls in flight end as timeouts. */
    async close(): Promise<void> {
      closed = true;
      reader?.disconnect();
    },

    /** Calls waiting for an answer (for tests and metrics). */
    inFlight: () => waiters.size,
  };
}

export type SessionRpcClient = ReturnType<typeof createSessionRpcClient>;
