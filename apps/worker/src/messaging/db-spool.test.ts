import { createLogger } from '@wagw/logger';
import { createProducerConnection, type RedisConnection, redisKeys, waitUntilReady } from '@wagw/queue';
import { createBreaker } from '@wagw/resilience';
import { freePort, redisUrl, tempSqliteUrl, uniquePrefix } from '@wagw/testing';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createDbSpool,
  type DbSpoolOptions,
  newSpoolCounters,
  type SpoolEntry,
  shouldSpool,
} from './db-spool.js';
import { LazyDbSpool } from './lazy-db-spool.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const prefix = uniquePrefix('db-spool');
let redis: RedisConnection;
let n = 0;

beforeAll(async () => {
  redis = createProducerConnection(redisUrl());
  await waitUntilReady(redis);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** A database that is down until `up()`; what it stored, in order, by receipt id. */
function fakeDatabase() {
  let available = false;
  const stored: string[] = [];
  const unavailable = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  return {
    stored,
    up: () => {
      available = true;
    },
    replay: vi.fn(async (entry: SpoolEntry) => {
      if (!available) throw unavailable;
      if (entry.kind === 'receipt' && !stored.includes(entry.waId)) stored.push(entry.waId);
    }),
  };
}

function optionsFor(overrides: Partial<DbSpoolOptions> & Pick<DbSpoolOptions, 'replay'>) {
  const sessionId = `s${++n}`;
  const error = vi.fn();
  const options: DbSpoolOptions = {
    sessionId,
    logger: Object.assign(Object.create(logger), { error }),
    redis,
    key: redisKeys(prefix).dbSpool(sessionId),
    max: 100,
    counters: newSpoolCounters(),
    retryAfterMs: () => 0,
    holdsLease: () => true,
    backoff: { baseMs: 10, maxMs: 50 },
    ...overrides,
  };
  return { options, error };
}

function spoolFor(overrides: Partial<DbSpoolOptions> & Pick<DbSpoolOptions, 'replay'>) {
  const { options, error } = optionsFor(overrides);
  return { spool: createDbSpool(options), counters: options.counters, key: options.key, error };
}

const receipt = (i: number) => ({ kind: 'receipt' as const, waId: `W${i}`, status: 3 });

async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('which failures are spooled', () => {
  it('spools a real SQLITE_BUSY, a refused PostgreSQL connection and an open breaker', async () => {
    const file = tempSqliteUrl();
    const holder = new BetterSqlite3(file.file);
    const writer = new BetterSqlite3(file.file);
    holder.exec('create table t (x int)');
    writer.pragma('busy_timeout = 0');
    holder.exec('begin exclusive');
    const busy = (() => {
      try {
        writer.exec('insert into t values (1)');
      } catch (err) {
        return err;
      }
    })();
    holder.exec('rollback');
    holder.close();
    writer.close();
    file.cleanup();
    expect(shouldSpool(busy)).toBe(true);

    const closed = await freePort();
    const client = new pg.Client({ connectionString: `postgres://x@127.0.0.1:${closed}/x` });
    const refused = await client.connect().catch((err: unknown) => err);
    expect(shouldSpool(refused)).toBe(true);
    // drizzle wraps driver errors; the cause chain is followed.
    expect(shouldSpool(new Error('Failed query: insert ...', { cause: refused }))).toBe(true);

    const breaker = createBreaker({ name: 'db', threshold: 1, resetMs: 60_000 });
    await breaker.execute(() => Promise.reject(busy)).catch(() => undefined);
    const open = await breaker.execute(() => Promise.resolve()).catch((err: unknown) => err);
    expect(shouldSpool(open)).toBe(true);
    breaker.dispose();

    for (const err of [
      Object.assign(new Error('Connection terminated unexpectedly'), {}),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('timeout'), { name: 'TimeoutError' }),
    ])
      expect(shouldSpool(err)).toBe(true);
  });

  it('does not spool errors of the write itself', () => {
    for (const err of [
      Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }),
      Object.assign(new Error('duplicate key value'), { code: '23505' }),
      Object.assign(new Error('syntax error'), { code: '42601' }),
      new TypeError('cannot read properties of undefined'),
      'a string',
      null,
    ])
      expect(shouldSpool(err)).toBe(false);
  });
});

describe('the spool', () => {
  it('keeps writes while the database is down and replays them in order once it answers', async () => {
    const db = fakeDatabase();
    const { spool, counters, key } = spoolFor({ replay: db.replay });
    for (let i = 0; i < 20; i++) expect(await spool.push(receipt(i))).toBe(true);
    expect(await redis.llen(key)).toBe(20);
    expect(spool.depth()).toEqual({ redis: 20, memory: 0 });
    // Tried and refused a few times (backoff), nothing lost.
    await until(() => db.replay.mock.calls.length >= 3);
    expect(await redis.llen(key)).toBe(20);
    db.up();
    await until(async () => (await redis.llen(key)) === 0);
    expect(db.stored).toEqual(Array.from({ length: 20 }, (_, i) => `W${i}`));
    expect(counters).toMatchObject({ spooled: 20, replayed: 20, refused: 0, dropped: 0 });
    expect(spool.depth()).toEqual({ redis: 0, memory: 0 });
    await spool.dispose();
  });

  it('refuses beyond DB_SPOOL_MAX, counts it and logs it once per interval', async () => {
    const db = fakeDatabase();
    const { spool, counters, key, error } = spoolFor({ replay: db.replay, max: 5 });
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await spool.push(receipt(i)));
    expect(results).toEqual([true, true, true, true, true, false, false, false]);
    expect(await redis.llen(key)).toBe(5);
    expect(counters).toMatchObject({ spooled: 5, refused: 3 });
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]?.[0]).toMatchObject({ refused: 1, max: 5 });
    await spool.dispose();
    await redis.del(key);
  });

  it('drops an entry whose replay fails for another reason and goes on', async () => {
    const replayed: string[] = [];
    const { spool, counters, key } = spoolFor({
      replay: async (entry) => {
        if (entry.kind === 'receipt' && entry.waId === 'W1') throw new Error('bad row');
        if (entry.kind === 'receipt') replayed.push(entry.waId);
      },
    });
    for (let i = 0; i < 3; i++) await spool.push(receipt(i));
    await until(async () => (await redis.llen(key)) === 0);
    expect(replayed).toEqual(['W0', 'W2']);
    expect(counters).toMatchObject({ replayed: 2, dropped: 1 });
    await spool.dispose();
  });

  it('a new owner drains what the former one left; only the lease holder drains', async () => {
    const db = fakeDatabase();
    const first = spoolFor({ replay: db.replay });
    for (let i = 0; i < 10; i++) await first.spool.push(receipt(i));
    await first.spool.dispose();
    db.up();
    let holds = false;
    const second = createDbSpool({
      sessionId: 'taker',
      logger,
      redis,
      key: first.key,
      max: 100,
      counters: newSpoolCounters(),
      retryAfterMs: () => 0,
      holdsLease: () => holds,
      replay: db.replay,
    });
    second.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(await redis.llen(first.key)).toBe(10);
    holds = true;
    second.start();
    await until(async () => (await redis.llen(first.key)) === 0);
    expect(db.stored).toHaveLength(10);
    await second.dispose();
  });

  it('a pass in flight when the session leaves stops before its next entry', async () => {
    // The first replay is held while the session leaves and the database comes back: the former
    // owner's pass must not go on to replay the rest (the next owner's job now).
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const replayed: string[] = [];
    let down = true;
    let holding = false;
    const replay = async (entry: SpoolEntry) => {
      if (entry.kind !== 'receipt') return;
      if (down && !holding) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      if (holding && replayed.length === 0) await gate;
      replayed.push(entry.waId);
    };
    const { spool, key } = spoolFor({ replay });
    for (let i = 0; i < 10; i++) await spool.push(receipt(i));
    holding = true;
    spool.start();
    await until(async () => (await redis.llen(key)) === 10);
    await new Promise((r) => setTimeout(r, 100));
    const disposed = spool.dispose();
    down = false;
    release();
    await disposed;
    await new Promise((r) => setTimeout(r, 200));
    expect(replayed).toEqual(['W0']);
    expect(await redis.llen(key)).toBe(9);
  });

  it('two drainers at once (a takeover in progress) replay every entry, none lost', async () => {
    const seen: string[] = [];
    const replay = async (entry: SpoolEntry) => {
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      if (entry.kind === 'receipt') seen.push(entry.waId);
    };
    const a = spoolFor({ replay, batch: 7 } as never);
    const b = createDbSpool({
      sessionId: 'b',
      logger,
      redis,
      key: a.key,
      max: 1000,
      counters: newSpoolCounters(),
      retryAfterMs: () => 0,
      holdsLease: () => true,
      replay,
      batch: 5,
    });
    const values = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ ...receipt(i), id: `e${i}`, at: Date.now() }),
    );
    await redis.rpush(a.key, ...values);
    a.spool.start();
    b.start();
    await until(async () => (await redis.llen(a.key)) === 0);
    await until(() => new Set(seen).size === 200);
    await a.spool.dispose();
    await b.dispose();
  });

  it('keeps writes in memory while Redis is down too, bounded, and replays them', async () => {
    const port = await freePort();
    const down = createProducerConnection(`redis://127.0.0.1:${port}`);
    down.on('error', () => undefined);
    const db = fakeDatabase();
    const { spool, counters } = spoolFor({ replay: db.replay, redis: down, max: 3 });
    for (let i = 0; i < 4; i++) await spool.push(receipt(i));
    expect(spool.depth()).toEqual({ redis: 0, memory: 3 });
    expect(counters).toMatchObject({ spooled: 3, refused: 1 });
    db.up();
    await until(() => spool.depth().memory === 0);
    expect(db.stored).toEqual(['W0', 'W1', 'W2']);
    await spool.dispose();
    down.disconnect();
  });
});

describe('a session spool built only when there is something to spool', () => {
  it('claimed with entries a former owner left: replays them in order and empties the key', async () => {
    const replayed: string[] = [];
    const { options: opts } = optionsFor({
      replay: async (entry) => {
        if (entry.kind === 'receipt') replayed.push(entry.waId);
      },
    });
    // A former owner spooled three writes while the database was down, then lost the session.
    const former = createDbSpool({ ...opts, holdsLease: () => false });
    for (let i = 1; i <= 3; i++) await former.push(receipt(i));
    await former.dispose();

    const spool = new LazyDbSpool(opts);
    spool.start();
    await vi.waitFor(() => expect(replayed).toEqual(['W1', 'W2', 'W3']), { timeout: 5000 });
    await vi.waitFor(async () => expect(await redis.llen(opts.key)).toBe(0));
    expect(opts.counters.replayed).toBe(3);
    await spool.dispose();
  });

  it('claimed with none: no drain, depth zero; the first refused write builds it and is replayed', async () => {
    let up = false;
    const replay = vi.fn(async () => {
      if (!up) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    });
    const { options: opts } = optionsFor({ replay });
    const spool = new LazyDbSpool(opts);
    spool.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(replay).not.toHaveBeenCalled();
    expect(spool.depth()).toEqual({ redis: 0, memory: 0 });

    expect(await spool.push(receipt(1))).toBe(true);
    expect(opts.counters.spooled).toBe(1);
    await vi.waitFor(() => expect(replay).toHaveBeenCalled());
    expect(spool.depth().redis).toBe(1);
    up = true;
    await vi.waitFor(() => expect(opts.counters.replayed).toBe(1), { timeout: 5000 });
    await vi.waitFor(async () => expect(await redis.llen(opts.key)).toBe(0));
    await spool.dispose();
  });

  it('Redis not answering at the claim: nothing thrown; a write goes to memory and is replayed', async () => {
    const down = createProducerConnection('redis://127.0.0.1:1');
    down.on('error', () => {});
    const replay = vi.fn(async () => {});
    const spool = new LazyDbSpool(optionsFor({ replay, redis: down }).options);
    spool.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(await spool.push(receipt(1))).toBe(true);
    await vi.waitFor(() => expect(replay).toHaveBeenCalledTimes(1), { timeout: 5000 });
    await spool.dispose();
    down.disconnect();
  });
});
