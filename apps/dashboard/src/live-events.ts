/**
 * The page's one connection to GET /api/events (authorised by the session cookie), shared by every
 * view. Views subscribe to event names and register a catch-up: whenever the stream (re)opens, each
 * mounted view refetches what it shows, because events published while the stream was down (API
 * restart, network drop, the stream's own backlog trimmed) are otherwise missed. That is what lets
 * the page survive an API restart without a reload.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { currentSession } from './api.js';

/** The envelope of docs/events.md. */
export interface GatewayEvent {
  id: string;
  event: string;
  sessionId: string | null;
  timestamp: string;
  data: Record<string, unknown>;
}

export type StreamState = 'connecting' | 'open' | 'reconnecting';

/** Every event name the API publishes today (docs/events.md); EventSource needs them by name. */
const EVENT_NAMES = [
  'session.status',
  'session.qr',
  'session.pairing_code',
  'message.received',
  'message.status',
  'batch.completed',
] as const;

/**
 * Backoff for a stream the browser gave up on (a non-200 answer such as a 502 from a proxy or a
 * 503 from an overloaded replica closes an EventSource for good): 1 s doubling to 30 s, ±20 %.
 * Plain network errors are retried by the browser itself, with Last-Event-ID.
 */
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 30_000;

type Listener = (event: GatewayEvent) => void;

const listeners = new Map<string, Set<Listener>>();
const catchUps = new Set<() => void>();
const stateListeners = new Set<(state: StreamState) => void>();

let source: EventSource | undefined;
let state: StreamState = 'connecting';
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;

function setState(next: StreamState): void {
  state = next;
  for (const listener of stateListeners) listener(next);
}

function dispatch(message: MessageEvent<string>): void {
  let event: GatewayEvent;
  try {
    event = JSON.parse(message.data) as GatewayEvent;
  } catch {
    return;
  }
  for (const listener of listeners.get(event.event) ?? []) listener(event);
}

function open(): void {
  const next = new EventSource('/api/events');
  source = next;
  next.addEventListener('open', () => {
    failures = 0;
    setState('open');
    for (const catchUp of [...catchUps]) catchUp();
  });
  next.addEventListener('error', () => {
    if (source !== next) return;
    if (next.readyState === EventSource.CONNECTING) {
      // The browser retries by itself (network error, API restarting).
      setState('reconnecting');
      return;
    }
    // CLOSED: the API answered something other than a stream. If the cookie is no longer valid,
    // currentSession() makes api() announce the sign-out; otherwise try again later.
    next.close();
    source = undefined;
    setState('reconnecting');
    failures++;
    const delay = Math.min(RETRY_BASE_MS * 2 ** (failures - 1), RETRY_MAX_MS) * (0.8 + Math.random() * 0.4);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      currentSession()
        .then((session) => {
          if (session) open();
        })
        // The API is down: keep trying on the same schedule.
        .catch(() => open());
    }, delay);
  });
  for (const name of EVENT_NAMES) next.addEventListener(name, dispatch as EventListener);
}

/** Opens the stream (after sign-in). Idempotent. */
export function connectEvents(): void {
  if (source || retryTimer) return;
  failures = 0;
  setState('connecting');
  open();
}

/** Closes the stream (on sign-out). */
export function disconnectEvents(): void {
  clearTimeout(retryTimer);
  retryTimer = undefined;
  source?.close();
  source = undefined;
  setState('connecting');
}

/** Calls `handler` for every event with one of `names` while the component is mounted. */
export function useGatewayEvent(names: readonly string[], handler: (event: GatewayEvent) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  const key = names.join(',');
  useEffect(() => {
    const listener: Listener = (event) => latest.current(event);
    const subscribed = key.split(',');
    for (const name of subscribed) {
      const set = listeners.get(name) ?? new Set<Listener>();
      listeners.set(name, set);
      set.add(listener);
    }
    return () => {
      for (const name of subscribed) listeners.get(name)?.delete(listener);
    };
  }, [key]);
}

/**
 * Calls `load` each time the stream opens or reopens while the component is mounted, so what it
 * shows catches up with events it could not receive. A view still does its own first load.
 */
export function useCatchUp(load: () => void): void {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    const catchUp = () => latest.current();
    catchUps.add(catchUp);
    return () => {
      catchUps.delete(catchUp);
    };
  }, []);
}

/** The stream's state, for the header's live indicator. */
export function useStreamState(): StreamState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    stateListeners.add(setCurrent);
    setCurrent(state);
    return () => {
      stateListeners.delete(setCurrent);
    };
  }, []);
  return current;
}
