import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { type GatewayEvent, useCatchUp, useGatewayEvent } from '../../live-events.js';
import { applySessionStatus } from './apply-live-event.js';
import type { Session } from './session-types.js';

/**
 * One session, loaded once and after every stream reconnect, its status kept current by
 * `session.status` events. `reload` is for after a command the page itself sent.
 */
export function useLiveSession(id: string) {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const reload = useCallback(() => {
    api<Session>('GET', `/api/sessions/${encodeURIComponent(id)}`).then(
      (next) => {
        setSession(next);
        setError(undefined);
      },
      (err: unknown) => setError(err),
    );
  }, [id]);
  useEffect(reload, [reload]);
  useCatchUp(reload);

  useGatewayEvent(['session.status'], (event: GatewayEvent) => {
    if (event.sessionId === id) setSession((current) => current && applySessionStatus(current, event));
  });

  return { session, error, reload, setSession };
}
