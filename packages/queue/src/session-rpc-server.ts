import type { RedisConnection } from './connections.js';
import { redisKeys } from './keys.js';
import { isSessionRpcMethod, SESSION_RPC_METHODS, type SessionRpcMethod } from './session-rpc-methods.js';
import {
  CLAIM_GRACE_MS,
  CLAIM_REQUEST,
  RPC_LIST_TTL_MS,
  type RpcReplyEnvelope,
  type RpcRequestEnvelope,
  rpcRequestEnvelope,
  SessionRpcError,
} from './session-rpc-protocol.js';

/** What a handler gets besides its parsed params. */
export interface RpcCallContext<S> {
  /** What `resolveSession` returned for the request (the worker passes its socket). */
  session: S;
  /** Aborted when the request's deadline passes: stop work nobody waits for any more. */
  signal: AbortSignal;
}

/** One handler per method; `z.output` of its params schema in, its result schema's input out. */
export type SessionRpcHandlers<S> = {
  [M in SessionRpcMethod]: (
    params: ReturnType<(typeof SESSION_RPC_METHODS)[M]['params']['parse']>,
    ctx: RpcCallContext<S>,
  ) => Promise<unknown>;
};

export interface SessionRpcServerOptions<S> {
  /** Dedicated connection for the BLPOP on this worker's request list (consumer profile). */
  connection: RedisConnection;
  /** Claims and replies. */
  redis: RedisConnection;
  prefix: string;
  workerId: string;
  /**
   * The session as this worker holds it at exactly `generation`, with an open socket; throws
   * SessionRpcError NOT_OWNER (other generation, or not here) or SESSION_NOT_OPEN.
   */
  resolveSession: (sessionId: string, generation: number) => S;
  /**
   * The worker passes every method (its createSessionMethods is typed SessionRpcHandlers, so one
   * missing is a compile error there); a server given fewer answers SESSION_METHOD_UNSUPPORTED for
   * the others, as an older worker does.
   */
  handlers: Partial<SessionRpcHandlers<S>>;
  /** Requests run at once; the next pop waits for a free slot. Default 32. */
  concurrency?: number;
  logger: {
    warn: (obj: object, msg: string) => void;
    debug: (obj: object, msg: string) => void;
  };
}

/** Kept back from the deadline for the reply to travel: an answer that arrives late is wasted work. */
const REPLY_MARGIN_MS = 100;
const READ_BLOCK_S = 2;

/**
 * The worker's end of the session RPC (see session-rpc-client.ts): pops requests from this worker's
 * list, claims each once (dropping those past their deadline), checks the session is still held at
 * the caller's generation, runs the handler against the deadline and pushes the reply to the
 * caller's list.
 */
export function startSessionRpcServer<S>(options: SessionRpcServerOptions<S>) {
  const keys = redisKeys(options.prefix);
  const { logger } = options;
  const concurrency = options.concurrency ?? 32;
  const running = new Set<Promise<void>>();
  const counters = { handled: 0, failed: 0, dropped: 0 };
  let stopped = false;

  async function reply(to: string, envelope: RpcReplyEnvelope): Promise<void> {
    const list = keys.rpcReplies(to);
    await options.redis
      .multi()
      .rpush(list, JSON.stringify(envelope))
      .pexpire(list, RPC_LIST_TTL_MS)
      .exec()
      .catch((err) => logger.warn({ err, requestId: envelope.id }, 'session rpc reply failed'));
  }

  async function execute(request: RpcRequestEnvelope, timeLeftMs: number): Promise<unknown> {
    if (!isSessionRpcMethod(request.method) || !options.handlers[request.method]) {
      throw new SessionRpcError('SESSION_METHOD_UNSUPPORTED', `this worker has no method ${request.method}`);
    }
    const spec = SESSION_RPC_METHODS[request.method];
    const params = spec.params.safeParse(request.params);
    if (!params.success) throw new SessionRpcError('INVALID_PARAMS', params.error.message);
    const session = options.resolveSession(request.sessionId, request.generation);
    const controller = new AbortController();
    const budget = Math.max(1, timeLeftMs - REPLY_MARGIN_MS);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          new SessionRpcError('SESSION_OWNER_TIMEOUT', `${request.method} did not finish in ${budget} ms`),
        );
      }, budget);
    });
    try {
      const handler = options.handlers[request.method] as (
        p: unknown,
        c: RpcCallContext<S>,
      ) => Promise<unknown>;
      const result = await Promise.race([
        handler(params.data, { session, signal: controller.signal }),
        expired,
      ]);
      const checked = spec.result.safeParse(result);
      if (!checked.success)
        throw new Error(`${request.method} produced an invalid result: ${checked.error.message}`);
      return checked.data;
    } finally {
      clearTimeout(timer);
    }
  }

  async function serve(raw: string): Promise<void> {
    let request: RpcRequestEnvelope;
    try {
      request = rpcRequestEnvelope.parse(JSON.parse(raw));
    } catch (err) {
      counters.dropped++;
      logger.warn({ err }, 'malformed session rpc request dropped');
      return;
    }
    const timeLeftMs = Number(
      await options.redis.eval(CLAIM_REQUEST, 1, keys.rpcPending(request.id), CLAIM_GRACE_MS),
    );
    if (!(timeLeftMs > 0)) {
      // Past its deadline, abandoned by its caller, or already taken: running it now helps nobody.
      counters.dropped++;
      logger.debug({ requestId: request.id, sessionId: request.sessionId }, 'session rpc request dropped');
      return;
    }
    try {
      const result = await execute(request, timeLeftMs);
      counters.handled++;
      await reply(request.replyTo, { id: request.id, ok: true, result });
    } catch (err) {
      counters.failed++;
      const known = err instanceof SessionRpcError;
      if (!known)
        logger.warn({ err, sessionId: request.sessionId, method: request.method }, 'session rpc failed');
      await reply(request.replyTo, {
        id: request.id,
        ok: false,
        error: {
          code: known ? err.code : 'INTERNAL_ERROR',
          message: known ? err.message : 'the worker failed to run the request',
          ...(known && err.retryAfter !== undefined ? { retryAfter: err.retryAfter } : {}),
        },
      });
    }
  }

  async function loop(): Promise<void> {
    const list = keys.rpcRequests(options.workerId);
    while (!stopped) {
      if (running.size >= concurrency) {
        await Promise.race(running);
        continue;
      }
      let popped: [string, string] | null;
      try {
        popped = await options.connection.blpop(list, READ_BLOCK_S);
      } catch (err) {
        if (stopped) return;
        logger.warn({ err }, 'session rpc request read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (!popped) continue;
      const task = serve(popped[1]).catch((err) => logger.warn({ err }, 'session rpc request failed'));
      running.add(task);
      void task.finally(() => running.delete(task));
    }
  }

  const done = loop();

  return {
    counters,
    /** Stops popping (the blocked read is cut by disconnecting), then lets requests in hand finish. */
    async close(): Promise<void> {
      stopped = true;
      options.connection.disconnect();
      await done;
      await Promise.allSettled([...running]);
    },
  };
}
