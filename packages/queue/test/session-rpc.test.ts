import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '@wagw/queue';
import { redisUrl, uniquePrefix } from '@wagw/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsumerConnection,
  createProducerConnection,
  createSessionRpcClient,
  redisKeys,
  type SessionRpcClient,
  SessionRpcError,
  type SessionRpcHandlers,
  startSessionRpcServer,
  waitUntilReady,
} from '../src/index.js';

const prefix = uniquePrefix('session-rpc');
const keys = redisKeys(prefix);
const redis = createProducerConnection(redisUrl());
const quiet = { warn: () => {}, debug: () => {} };
const closers: Array<() => Promise<void>> = [];

beforeAll(() => waitUntilReady(redis));
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  const stale = await redis.keys(`${prefix}:*`);
  if (stale.length) await redis.del(...stale);
  redis.disconnect();
});

function client(timeoutMs = 2000): SessionRpcClient {
  const created = createSessionRpcClient({
    redis,
    openReader: () => createConsumerConnection(redisUrl()),
    prefix,
    timeoutMs,
    logger: quiet,
  });
  closers.push(() => created.close());
  return created;
}

/** A worker's RPC end; `holds` maps session → the generation it holds with an open socket. */
function server(
  workerId: string,
  holds: Map<string, number>,
  handlers: Partial<SessionRpcHandlers<string>> = {},
  replies: RedisConnection = redis,
) {
  const runs: string[] = [];
  const started = startSessionRpcServer<string>({
    connection: createConsumerConnection(redisUrl()),
    redis: replies,
    prefix,
    workerId,
    logger: quiet,
    resolveSession(sessionId, generation) {
      if (holds.get(sessionId) !== generation) throw new SessionRpcError('NOT_OWNER', 'not here');
      return sessionId;
    },
    handlers: {
      'contacts.check': async (params) => {
        runs.push('contacts.check');
        return { results: params.phones.map((phone) => ({ phone, exists: true, jid: null, lid: null })) };
      },
      'contacts.picture': async (params, ctx) => {
        runs.push('contacts.picture');
        return { url: `https://pp.example/${ctx.session}/${params.jid}` };
      },
      ...handlers,
    },
  });
  closers.push(() => started.close());
  return { ...started, runs };
}

const lease = (sessionId: string, workerId: string, generation: number) =>
  redis.set(keys.lease(sessionId), `${workerId}|${generation}`, 'PX', 60_000);

async function rpcError(promise: Promise<unknown>): Promise<SessionRpcError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SessionRpcError)) throw new Error(`expected a SessionRpcError, got ${String(err)}`);
  return err;
}

/** Pushes a request by hand, as a client would, and reads its reply from a reply list of our own. */
async function rawRequest(workerId: string, request: Record<string, unknown>, copies = 1, ttlMs = 5000) {
  const id = randomUUID();
  const replyTo = `raw-${id}`;
  const envelope = JSON.stringify({ id, replyTo, ...request });
  await redis.set(keys.rpcPending(id), '1', 'PX', ttlMs);
  for (let i = 0; i < copies; i++) await redis.lpush(keys.rpcRequests(workerId), envelope);
  return {
    id,
    async reply(timeoutS = 5): Promise<Record<string, unknown> | null> {
      const reader: RedisConnection = createConsumerConnection(redisUrl());
      try {
        const popped = await reader.blpop(keys.rpcReplies(replyTo), timeoutS);
        return popped ? JSON.parse(popped[1]) : null;
      } finally {
        reader.disconnect();
      }
    },
    repliesLeft: () => redis.llen(keys.rpcReplies(replyTo)),
  };
}

describe('session rpc', () => {
  it('runs a method on the worker that holds the session and answers the caller', async () => {
    await lease('s-ok', 'w-ok', 3);
    const worker = server('w-ok', new Map([['s-ok', 3]]));
    const result = await client().call('s-ok', 'contacts.picture', { jid: '15550001@s.whatsapp.net' });
    expect(result).toEqual({ url: 'https://pp.example/s-ok/15550001@s.whatsapp.net' });
    expect(worker.runs).toEqual(['contacts.picture']);
  });

  it('answers many calls in flight through one reply reader', async () => {
    await lease('s-many', 'w-many', 1);
    server('w-many', new Map([['s-many', 1]]));
    const rpc = client(5000);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => rpc.call('s-many', 'contacts.picture', { jid: `${i}@lid` })),
    );
    expect(results.map((r) => r.url)).toEqual(
      Array.from({ length: 40 }, (_, i) => `https://pp.example/s-many/${i}@lid`),
    );
    expect(rpc.inFlight()).toBe(0);
  });

  it('refuses at once when no worker holds the session', async () => {
    const err = await rpcError(client().call('s-nobody', 'contacts.picture', { jid: '1@lid' }));
    expect(err.code).toBe('SESSION_NOT_OPEN');
  });

  it('passes a handler failure through with its code and Retry-After', async () => {
    await lease('s-limited', 'w-limited', 1);
    server('w-limited', new Map([['s-limited', 1]]), {
      'contacts.check': async () => {
        throw new SessionRpcError('RATE_LIMITED', 'slow down', 42);
      },
    });
    const err = await rpcError(client().call('s-limited', 'contacts.check', { phones: ['15550000001'] }));
    expect({ code: err.code, retryAfter: err.retryAfter }).toEqual({ code: 'RATE_LIMITED', retryAfter: 42 });
  });

  it('follows the session once when it moved to another worker between lease read and run', async () => {
    await lease('s-moved', 'w-old', 1);
    const moved = server('w-new', new Map([['s-moved', 2]]));
    const old = server('w-old', new Map(), {
      'contacts.picture': async () => ({ url: 'from the old owner' }),
    });
    // The old owner lost the session; the lease already names the new one when it says so.
    await lease('s-moved', 'w-new', 2);
    const result = await client().call('s-moved', 'contacts.picture', { jid: '1@lid' });
    expect(result.url).toBe('https://pp.example/s-moved/1@lid');
    expect(old.runs).toEqual([]);
    expect(moved.runs).toEqual(['contacts.picture']);
  });

  it('answers SESSION_OWNER_TIMEOUT when the owner is silent, and the late owner drops the request', async () => {
    await lease('s-silent', 'w-silent', 1);
    const err = await rpcError(client(300).call('s-silent', 'contacts.picture', { jid: '1@lid' }));
    expect(err.code).toBe('SESSION_OWNER_TIMEOUT');
    expect(err.message).toMatch(/did not take the request/);
    // The worker comes back: the request is in its list, but its caller gave up on it.
    const late = server('w-silent', new Map([['s-silent', 1]]));
    await waitUntil(() => late.counters.dropped === 1);
    expect(late.runs).toEqual([]);
  });

  it('owner dying mid-request: the call times out, the next call reaches the new owner', async () => {
    await lease('s-dies', 'w-dies', 1);
    // The dying worker's own connection: cut while it works, so no reply can leave it.
    const own = createProducerConnection(redisUrl());
    await waitUntilReady(own);
    let entered = false;
    server(
      'w-dies',
      new Map([['s-dies', 1]]),
      {
        'contacts.picture': async () => {
          entered = true;
          own.disconnect();
          return { url: 'never delivered' };
        },
      },
      own,
    );
    const rpc = client(800);
    const first = rpcError(rpc.call('s-dies', 'contacts.picture', { jid: '1@lid' }));
    await waitUntil(() => entered);
    const err = await first;
    expect(err.code).toBe('SESSION_OWNER_TIMEOUT');
    expect(err.message).toMatch(/took the request but did not answer/);
    // Its lease expires and another worker takes the session at a new generation.
    await lease('s-dies', 'w-heir', 2);
    const heir = server('w-heir', new Map([['s-dies', 2]]));
    expect((await rpc.call('s-dies', 'contacts.picture', { jid: '1@lid' })).url).toContain('s-dies');
    expect(heir.runs).toEqual(['contacts.picture']);
  });

  it('runs a request pushed twice only once', async () => {
    const worker = server('w-twice', new Map([['s-twice', 1]]));
    const raw = await rawRequest(
      'w-twice',
      { sessionId: 's-twice', generation: 1, method: 'contacts.picture', params: { jid: '1@lid' } },
      2,
    );
    expect(await raw.reply()).toMatchObject({ id: raw.id, ok: true });
    await waitUntil(() => worker.counters.dropped === 1);
    expect(worker.runs).toEqual(['contacts.picture']);
    expect(await raw.repliesLeft()).toBe(0);
  });

  it('drops a request found after its deadline without running it', async () => {
    const raw = await rawRequest(
      'w-expired',
      { sessionId: 's-expired', generation: 1, method: 'contacts.picture', params: { jid: '1@lid' } },
      1,
      50,
    );
    await new Promise((r) => setTimeout(r, 150));
    const worker = server('w-expired', new Map([['s-expired', 1]]));
    await waitUntil(() => worker.counters.dropped === 1);
    expect(worker.runs).toEqual([]);
    expect(await raw.reply(1)).toBeNull();
  });

  it('answers an unknown method with SESSION_METHOD_UNSUPPORTED, on both ends', async () => {
    server('w-unknown', new Map([['s-unknown', 1]]));
    const raw = await rawRequest('w-unknown', {
      sessionId: 's-unknown',
      generation: 1,
      method: 'groups.explode',
      params: {},
    });
    expect(await raw.reply()).toMatchObject({ ok: false, error: { code: 'SESSION_METHOD_UNSUPPORTED' } });
    const err = await rpcError(client().call('s-unknown', 'groups.explode' as never, {} as never));
    expect(err.code).toBe('SESSION_METHOD_UNSUPPORTED');
  });

  it('refuses params that do not match the method schema before sending anything', async () => {
    await lease('s-bad', 'w-bad', 1);
    const err = await rpcError(client().call('s-bad', 'contacts.check', { phones: ['not a number'] }));
    expect(err.code).toBe('INVALID_PARAMS');
    expect(await redis.llen(keys.rpcRequests('w-bad'))).toBe(0);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
