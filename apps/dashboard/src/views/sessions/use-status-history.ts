import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { type GatewayEvent, useCatchUp, useGatewayEvent } from '../../live-events.js';
import type { SessionStatus, SessionTransition } from './session-types.js';

const LIMIT = 50;

/** A `session.status` event as the history row the worker wrote with it. */
function transitionOf(event: GatewayEvent): SessionTransition {
  const data = event.data as {
    status: SessionStatus;
    previous: SessionStatus | null;
    reason: string | null;
    disconnectCode: number | null;
    workerId: string | null;
  };
  return {
    id: event.id,
    fromStatus: data.previous,
    toStatus: data.status,
    reason: data.reason,
    disconnectCode: data.disconnectCode,
    workerId: data.workerId,
    createdAt: event.timestamp,
  };
}

/** The last transitions of a session: loaded, reloaded on reconnect, extended live by events. */
export function useStatusHistory(id: string) {
  const [items, setItems] = useState<SessionTransition[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const load = useCallback(() => {
    api<{ items: SessionTransition[] }>(
      'GET',
      `/api/sessions/${encodeURIComponent(id)}/events?limit=${LIMIT}`,
    ).then(
      (page) => {
        setItems(page.items);
        setError(undefined);
      },
      (err: unknown) => setError(err),
    );
  }, [id]);
  useEffect(load, [load]);
  useCatchUp(load);
  useGatewayEvent(['session.status'], (event) => {
    if (event.sessionId !== id) return;
    const row = transitionOf(event);
    // Newest first, by time: events may arrive out of order.
    setItems((list) =>
      [row, ...list].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)).slice(0, LIMIT),
    );
  });
  return { items, error, reload: load };
}
