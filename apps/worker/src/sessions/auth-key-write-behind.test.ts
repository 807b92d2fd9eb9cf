import { createLogger } from '@wagw/logger';
import { describe, expect, it, vi } from 'vitest';
import { createKeyWriteBehind, type KeyWrite, keyWriteBehindFor } from './auth-key-write-behind.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const locked = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('Signal key writes while the database is unavailable', () => {
  it('holds them, serves them back, and writes them in one transaction when the database answers', async () => {
    let up = false;
    const written: KeyWrite[][] = [];
    const write = vi.fn(async (writes: KeyWrite[]) => {
      if (!up) throw locked();
      written.push(writes);
    });
    const keys = createKeyWriteBehind({ sessionId: 's1', logger, write });
    await keys.set([{ type: 'session', id: 'a', value: 'v1' }]);
    expect(keys.held('session', 'a')).toBe('v1');
    // Once writes are held, later ones join them without touching the database.
    await keys.set([
      { type: 'session', id: 'a', value: 'v2' },
      { type: 'pre-key', id: '7', value: null },
    ]);
    expect(write).toHaveBeenCalledTimes(1);
    expect(keys.held('session', 'a')).toBe('v2');
    expect(keys.held('pre-key', '7')).toBeNull();
    expect(keys.held('session', 'b')).toBeUndefined();

    await keys.flush();
    expect(keys.size()).toBe(2);
    up = true;
    await keys.flush();
    expect(written).toEqual([
      [
        { type: 'session', id: 'a', value: 'v2' },
        { type: 'pre-key', id: '7', value: null },
      ],
    ]);
    expect(keys.size()).toBe(0);
    await keys.set([{ type: 'session', id: 'c', value: 'v3' }]);
    expect(written).toHaveLength(2);
  });

  it('fails a write whose error is not about availability, as before', async () => {
    const keys = createKeyWriteBehind({
      sessionId: 's2',
      logger,
      write: async () => {
        throw Object.assign(new Error('NOT NULL constraint failed'), { code: 'SQLITE_CONSTRAINT_NOTNULL' });
      },
    });
    await expect(keys.set([{ type: 'session', id: 'a', value: 'v' }])).rejects.toThrow(/constraint/);
    expect(keys.size()).toBe(0);
  });
});

describe('Signal key writes held when the session is taken over', () => {
  it('are dropped, never written over the new owner’s keys, and the instance is forgotten', async () => {
    let owner = true;
    let up = false;
    const written: KeyWrite[][] = [];
    const onIdle = vi.fn();
    const keys = createKeyWriteBehind({
      sessionId: 's2',
      logger,
      write: async (writes) => {
        if (!up) throw locked();
        written.push(writes);
      },
      holdsLease: () => owner,
      onIdle,
    });
    await keys.set([{ type: 'session', id: 'peer', value: 'old' }]);
    expect(keys.size()).toBe(1);
    owner = false;
    up = true;
    await keys.flush();
    expect(written).toEqual([]);
    expect(keys.size()).toBe(0);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });
});

describe('a later socket of the same session in this process', () => {
  it('writes, and flushes what an earlier socket held, through its own write and lease', async () => {
    let up = false;
    const byFirst: KeyWrite[][] = [];
    const bySecond: KeyWrite[][] = [];
    const first = keyWriteBehindFor('s3', logger, async (writes) => {
      if (!up) throw locked();
      byFirst.push(writes);
    });
    await first.set([{ type: 'session', id: 'peer', value: 'held' }]);
    // Reclaimed under a new lease generation: the earlier socket's write would now be refused.
    const second = keyWriteBehindFor(
      's3',
      logger,
      async (writes) => {
        if (!up) throw locked();
        bySecond.push(writes);
      },
      () => true,
    );
    expect(second).toBe(first);
    expect(second.held('session', 'peer')).toBe('held');
    up = true;
    await second.flush();
    await second.set([{ type: 'session', id: 'peer', value: 'new' }]);
    expect(byFirst).toEqual([]);
    expect(bySecond).toEqual([
      [{ type: 'session', id: 'peer', value: 'held' }],
      [{ type: 'session', id: 'peer', value: 'new' }],
    ]);
  });
});
