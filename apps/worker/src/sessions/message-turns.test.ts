import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { type HandOver, type KeyWrite, MessageTurns } from './message-turns.js';

/** A socket with only what is wrapped: Baileys' message mutex (one body at a time). */
function fakeSocket() {
  let tail: Promise<unknown> = Promise.resolve();
  const messageMutex = {
    mutex<T>(code: () => Promise<T> | T): Promise<T> {
      const run = tail.then(() => code());
      tail = run.catch(() => undefined);
      return run;
    },
  };
  const emitted: string[] = [];
  const ev = {
    emit(event: string, _data?: unknown) {
      emitted.push(event);
      return true;
    },
  };
  return { sock: { messageMutex, ev } as unknown as WASocket, messageMutex, ev, emitted };
}

function setup(handOver?: HandOver) {
  const committed: KeyWrite[][] = [];
  const state = { closed: false, commitDelay: Promise.resolve() };
  const writes = new MessageTurns({
    commit: async (w) => {
      await state.commitDelay;
      committed.push(w);
    },
    connectionClosed: () => state.closed,
    onError: () => {},
  });
  const { sock, messageMutex, ev, emitted } = fakeSocket();
  writes.install(sock, handOver);
  return { writes, committed, state, messageMutex, ev, emitted };
}

const session = (id: string, value: string | null): KeyWrite => ({ type: 'session', id, value });

describe('MessageTurns', () => {
  it('holds the writes of a message until Baileys is done with it, and serves them meanwhile', async () => {
    const { writes, committed, messageMutex } = setup();
    await messageMutex.mutex(async () => {
      expect(writes.hold([session('a.0', 'v1'), { type: 'pre-key', id: '7', value: null }])).toBe(true);
      expect(committed).toEqual([]);
      expect(writes.held('session', 'a.0')).toBe('v1');
      expect(writes.held('pre-key', '7')).toBeNull();
    });
    expect(committed).toEqual([[session('a.0', 'v1'), { type: 'pre-key', id: '7', value: null }]]);
    expect(writes.held('session', 'a.0')).toBeUndefined();
  });

  it('drops the writes of a message whose handling failed once the connection closed', async () => {
    const { writes, committed, state, messageMutex } = setup();
    await expect(
      messageMutex.mutex(async () => {
        writes.hold([session('a.0', 'used up')]);
        state.closed = true;
        throw new Error('Connection Closed');
      }),
    ).rejects.toThrow('Connection Closed');
    expect(committed).toEqual([]);
  });

  it('stores them when the handling failed on an open connection', async () => {
    const { writes, committed, messageMutex } = setup();
    await expect(
      messageMutex.mutex(async () => {
        writes.hold([session('a.0', 'v1')]);
        throw new Error('upsert failed');
      }),
    ).rejects.toThrow();
    expect(committed).toEqual([[session('a.0', 'v1')]]);
  });

  it('writes outside a message, and new pre-keys, through at once', async () => {
    const { writes, messageMutex } = setup();
    expect(writes.hold([session('a.0', 'v1')])).toBe(false);
    await messageMutex.mutex(async () => {
      expect(writes.hold([{ type: 'pre-key', id: '8', value: 'new key' }])).toBe(false);
    });
  });

  it('a direct write replaces what a message holds for the same key, and waits for a commit in flight', async () => {
    const { writes, committed, state, messageMutex } = setup();
    let release!: () => void;
    const inHand = messageMutex.mutex(async () => {
      writes.hold([session('a.0', 'from the decrypt'), session('b.0', 'kept')]);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await Promise.resolve();
    // An encrypt for the same chat, computed from the held value, while the message is in hand.
    await writes.beforeDirectWrite([session('a.0', 'from the encrypt')]);
    let commitDone!: () => void;
    state.commitDelay = new Promise<void>((resolve) => {
      commitDone = resolve;
    });
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(writes.held('session', 'b.0')).toBe('kept');
    let directWent = false;
    const direct = writes.beforeDirectWrite([session('b.0', 'newer')]).then(() => {
      directWent = true;
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(directWent).toBe(false);
    commitDone();
    await Promise.all([inHand, direct]);
    expect(committed).toEqual([[session('b.0', 'kept')]]);
  });

  it('stores the inbound messages a turn upserts before the next one starts, and waits for their store', async () => {
    const stored: string[] = [];
    let storeDone!: () => void;
    const storing = new Promise<void>((resolve) => {
      storeDone = resolve;
    });
    const handOver: HandOver = async (messages) => {
      await storing;
      stored.push(...messages.map((m) => m.key.id as string));
    };
    const { messageMutex, ev, emitted } = setup(handOver);
    const message = (id: string, fromMe: boolean) => ({ key: { id, fromMe, remoteJid: 'a@s' } }) as WAMessage;
    let turnEnded = false;
    const turn = messageMutex
      .mutex(async () => {
        ev.emit('messages.upsert', {
          messages: [message('in-1', false), message('own-1', true)],
          type: 'notify',
        });
      })
      .then(() => {
        turnEnded = true;
      });
    await new Promise((r) => setTimeout(r, 10));
    // Baileys' own emitter still got the event; the turn waits for the store.
    expect(emitted).toEqual(['messages.upsert']);
    expect(turnEnded).toBe(false);
    storeDone();
    await turn;
    expect(stored).toEqual(['in-1']);
    // Outside a turn (a history sync, an own message): not handed over here.
    ev.emit('messages.upsert', { messages: [message('in-2', false)], type: 'append' });
    await new Promise((r) => setTimeout(r, 0));
    expect(stored).toEqual(['in-1']);
  });
});
