import asyncHooks, { AsyncLocalStorage } from 'node:async_hooks';
import { syncBuiltinESMExports } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@wagw/logger';
import { initAuthCreds, makeWASocket, type SignalKeyStore, type WASocket } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { MultiplexedStorage, withSharedAsyncStorage } from './shared-async-storage.js';
import { createSocketFactory } from './socket-factory.js';

describe('MultiplexedStorage', () => {
  it('keeps each instance its own store across awaits and timers, nested and concurrent', async () => {
    const a = new MultiplexedStorage<string>();
    const b = new MultiplexedStorage<string>();
    expect(a.getStore()).toBeUndefined();
    const seen = await Promise.all([
      a.run('a1', async () => {
        await sleep(5);
        return b.run('b1', async () => {
          await sleep(5);
          return [a.getStore(), b.getStore()];
        });
      }),
      a.run('a2', async () => {
        await sleep(1);
        return [a.getStore(), b.getStore()];
      }),
    ]);
    expect(seen).toEqual([
      ['a1', 'b1'],
      ['a2', undefined],
    ]);
    expect(a.getStore()).toBeUndefined();
  });

  it('supports exit, enterWith and disable like AsyncLocalStorage', async () => {
    const a = new MultiplexedStorage<number>();
    const b = new MultiplexedStorage<number>();
    await a.run(1, () =>
      b.run(2, () => {
        expect(a.exit(() => [a.getStore(), b.getStore()])).toEqual([undefined, 2]);
        expect(a.getStore()).toBe(1);
      }),
    );
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        a.enterWith(7);
        setImmediate(() => {
          expect(a.getStore()).toBe(7);
          a.disable();
          expect(a.getStore()).toBeUndefined();
          resolve();
        });
      }),
    );
  });
});

const keys: SignalKeyStore = { get: async () => ({}), set: async () => {} };
const logger = createLogger({ name: 'test', level: 'silent' });
const settings = {
  // Nothing listens on port 1: the socket is built and closes; only its construction matters here.
  wsUrl: 'ws://127.0.0.1:1',
  logLevel: 'silent',
  keepAliveIntervalMs: 30_000,
  connectTimeoutMs: 1000,
  defaultQueryTimeoutMs: 1000,
  retryRequestDelayMs: 250,
  maxMsgRetryCount: 3,
};

describe('sockets built by the factory', () => {
  it('create no AsyncLocalStorage of their own (plain makeWASocket creates one per socket)', async () => {
    const original = asyncHooks.AsyncLocalStorage;
    let constructed = 0;
    asyncHooks.AsyncLocalStorage = class Counting<T> extends original<T> {
      constructor() {
        super();
        constructed += 1;
      }
    };
    syncBuiltinESMExports();
    const sockets: WASocket[] = [];
    try {
      const factory = createSocketFactory(settings, undefined);
      for (let i = 0; i < 3; i++) sockets.push(factory({ creds: initAuthCreds(), keys }, logger));
      expect(constructed).toBe(0);
      // The control: what Baileys does unaided, which is what this module exists to avoid.
      sockets.push(
        makeWASocket({
          auth: { creds: initAuthCreds(), keys },
          waWebSocketUrl: settings.wsUrl,
          logger: logger as never,
        }),
      );
      expect(constructed).toBe(1);
    } finally {
      asyncHooks.AsyncLocalStorage = original;
      syncBuiltinESMExports();
      for (const sock of sockets) sock.end(undefined);
    }
    expect(AsyncLocalStorage).toBe(original);

    // Baileys' key-store transactions still see their context through the shared storage.
    const sock = createSocketFactory(settings, undefined)({ creds: initAuthCreds(), keys }, logger);
    try {
      const store = sock.authState.keys as SignalKeyStore & {
        isInTransaction(): boolean;
        transaction<T>(work: () => Promise<T>, key: string): Promise<T>;
      };
      expect(store.isInTransaction()).toBe(false);
      expect(await store.transaction(async () => store.isInTransaction(), 'test')).toBe(true);
    } finally {
      sock.end(undefined);
    }
  });

  it('restores AsyncLocalStorage even when building throws', () => {
    const original = asyncHooks.AsyncLocalStorage;
    expect(() =>
      withSharedAsyncStorage(() => {
        expect(new AsyncLocalStorage()).toBeInstanceOf(MultiplexedStorage);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(asyncHooks.AsyncLocalStorage).toBe(original);
    expect(new AsyncLocalStorage()).not.toBeInstanceOf(MultiplexedStorage);
  });
});
