import { describe, expect, it } from 'vitest';
import { nextState, type RunnerState } from './runner-state.js';
import type { SocketLifetime } from './socket-lifetime.js';

const lifetime = { isOpen: () => true } as unknown as SocketLifetime;
const wake = new AbortController();

describe('nextState', () => {
  it('follows a socket from creation through QR to open, and back to idle when it ends', () => {
    let state: RunnerState = { kind: 'idle' };
    state = nextState(state, { type: 'socket-created', lifetime });
    expect(state).toEqual({ kind: 'connecting', lifetime });
    state = nextState(state, { type: 'qr' });
    expect(state).toEqual({ kind: 'qr', lifetime });
    state = nextState(state, { type: 'open' });
    expect(state).toEqual({ kind: 'open', lifetime });
    expect(nextState(state, { type: 'socket-ended' })).toEqual({ kind: 'idle' });
  });

  it('a restart closes a live socket and survives its end; it cuts a backoff short; otherwise nothing', () => {
    const restarting = nextState({ kind: 'open', lifetime }, { type: 'restart' });
    expect(restarting).toEqual({ kind: 'restarting', lifetime });
    expect(nextState(restarting, { type: 'socket-ended' })).toEqual(restarting);
    expect(nextState(restarting, { type: 'open' })).toEqual(restarting);
    expect(nextState({ kind: 'backing-off', wake }, { type: 'restart' })).toEqual({ kind: 'idle' });
    expect(nextState({ kind: 'idle' }, { type: 'restart' })).toEqual({ kind: 'idle' });
  });

  it('a stop keeps the socket to close, and nothing but finishing leaves stopping', () => {
    const stopping = nextState({ kind: 'qr', lifetime }, { type: 'stop', mode: 'logout' });
    expect(stopping).toEqual({ kind: 'stopping', mode: 'logout', lifetime });
    for (const event of [
      { type: 'socket-created', lifetime },
      { type: 'open' },
      { type: 'socket-ended' },
      { type: 'backing-off', wake },
      { type: 'restart' },
      { type: 'stop', mode: 'shutdown' },
    ] as const) {
      expect(nextState(stopping, event)).toEqual(stopping);
    }
    const stopped = nextState(stopping, { type: 'finished', end: 'logout' });
    expect(stopped).toEqual({ kind: 'stopped', end: 'logout' });
    expect(nextState(stopped, { type: 'socket-created', lifetime })).toEqual(stopped);
    expect(nextState(stopped, { type: 'stop', mode: 'stop' })).toEqual(stopped);
  });

  it('a runner that ends on its own (terminal status) is stopped from any state', () => {
    expect(nextState({ kind: 'backing-off', wake }, { type: 'finished', end: 'terminal' })).toEqual({
      kind: 'stopped',
      end: 'terminal',
    });
  });
});
