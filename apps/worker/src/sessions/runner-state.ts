import type { SocketLifetime } from './socket-lifetime.js';

/** How a runner is asked to end. Each leaves the session in a different, deliberate state. */
export type StopMode =
  /** Desired state went to `stopped`: close (still linked), status `stopped`, release the lease. */
  | 'stop'
  /** This worker is shutting down: close without logging out, hand the session over at once. */
  | 'shutdown'
  /** The lease is gone: touch nothing (another worker may own the session now). */
  | 'lease-lost'
  /** Unlink the device from the account, clear auth state, status `logged_out`. */
  | 'logout';

/** How a runner ended: as asked, or on its own (`terminal`: a status a person must act on). */
export type RunnerEnd = StopMode | 'terminal';

/** Where one session runner is. Only the socket states carry a socket; only one exists at a time. */
export type RunnerState =
  /** No socket: deciding what to do next, loading auth state, or waiting for a connect slot. */
  | { kind: 'idle' }
  /** A socket exists and has shown neither a QR nor `open` yet. */
  | { kind: 'connecting'; lifetime: SocketLifetime }
  /** The socket shows a QR; it also serves pairing-code requests. */
  | { kind: 'qr'; lifetime: SocketLifetime }
  | { kind: 'open'; lifetime: SocketLifetime }
  /** A restart was asked for: the socket is closing and the next one starts at once. */
  | { kind: 'restarting'; lifetime: SocketLifetime }
  /** Waiting out a reconnect delay; aborting `wake` ends the wait early. */
  | { kind: 'backing-off'; wake: AbortController }
  /** Asked to end: the socket (if any) is closing; nothing starts again. */
  | { kind: 'stopping'; mode: StopMode; lifetime?: SocketLifetime }
  | { kind: 'stopped'; end: RunnerEnd };

export type RunnerEvent =
  | { type: 'socket-created'; lifetime: SocketLifetime }
  | { type: 'qr' }
  | { type: 'open' }
  | { type: 'socket-ended' }
  | { type: 'backing-off'; wake: AbortController }
  | { type: 'restart' }
  | { type: 'stop'; mode: StopMode }
  | { type: 'finished'; end: RunnerEnd };

type SocketState = Extract<RunnerState, { lifetime: SocketLifetime }>;

export function socketOf(state: RunnerState): SocketLifetime | undefined {
  return 'lifetime' in state ? state.lifetime : undefined;
}

function hasLiveSocket(state: RunnerState): state is SocketState {
  return state.kind === 'connecting' || state.kind === 'qr' || state.kind === 'open';
}

/**
 * The runner's one transition function. `stopped` is final and `stopping` only ends in `stopped`,
 * so no late socket event can start anything once a stop was asked for; a restart closes a live
 * socket (`restarting`) or cuts a backoff short (`idle`), and means nothing otherwise (the next
 * socket is a fresh start anyway). A socket that ends while restarting stays `restarting` until
 * the runner has read it and starts the next one.
 */
export function nextState(state: RunnerState, event: RunnerEvent): RunnerState {
  if (state.kind === 'stopped') return state;
  if (event.type === 'finished') return { kind: 'stopped', end: event.end };
  if (state.kind === 'stopping') return state;
  switch (event.type) {
    case 'stop':
      return { kind: 'stopping', mode: event.mode, lifetime: socketOf(state) };
    case 'socket-created':
      return { kind: 'connecting', lifetime: event.lifetime };
    case 'qr':
    case 'open':
      return hasLiveSocket(state) ? { kind: event.type, lifetime: state.lifetime } : state;
    case 'socket-ended':
      return state.kind === 'restarting' ? state : { kind: 'idle' };
    case 'backing-off':
      return { kind: 'backing-off', wake: event.wake };
    case 'restart':
      if (hasLiveSocket(state)) return { kind: 'restarting', lifetime: state.lifetime };
      return state.kind === 'backing-off' ? { kind: 'idle' } : state;
  }
}
