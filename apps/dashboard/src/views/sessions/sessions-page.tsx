import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { type GatewayEvent, useCatchUp, useGatewayEvent } from '../../live-events.js';
import { ErrorText } from '../../ui/error-text.js';
import { isAdmin, usePrincipal } from '../../ui/principal-context.js';
import { useAction } from '../../ui/use-action.js';
import { pairHref } from '../../ui/use-hash-route.js';
import { applySessionStatus } from './apply-live-event.js';
import { CreateSessionForm } from './create-session-form.js';
import type { Session } from './session-types.js';
import { SessionsTable } from './sessions-table.js';
import { useMessageCounts } from './use-message-counts.js';

/**
 * Every session the key may see, with its status kept live by `session.status` events (no
 * polling), reloaded after each stream reconnect and when an event names a session not listed yet.
 */
export function SessionsPage() {
  const principal = usePrincipal();
  const [sessions, setSessions] = useState<Session[] | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);

  const load = useCallback(() => {
    api<{ items: Session[] }>('GET', '/api/sessions').then(
      (page) => {
        setSessions(page.items);
        setLoadError(undefined);
      },
      (err: unknown) => setLoadError(err),
    );
  }, []);
  useEffect(load, []);
  useCatchUp(load);

  useGatewayEvent(['session.status'], (event: GatewayEvent) => {
    if (!sessions) return;
    if (!sessions.some((s) => s.id === event.sessionId)) {
      load();
      return;
    }
    setSessions((list) => list?.map((s) => applySessionStatus(s, event)));
  });

  const counts = useMessageCounts(sessions?.map((s) => s.id) ?? []);

  const [deleting, setDeleting] = useState<string | undefined>(undefined);
  const remove = useAction(async (session: Session) => {
    setDeleting(session.id);
    try {
      await api('DELETE', `/api/sessions/${encodeURIComponent(session.id)}`);
      setSessions((list) => list?.filter((s) => s.id !== session.id));
    } finally {
      setDeleting(undefined);
    }
  });

  return (
    <>
      <h1>Sessions</h1>
      {isAdmin(principal) ? (
        <CreateSessionForm
          onCreated={(session) => {
            setSessions((list) => [...(list ?? []), session]);
            window.location.hash = pairHref(session.id);
          }}
        />
      ) : null}
      <ErrorText error={loadError} />
      <ErrorText error={remove.error} />
      {sessions === undefined ? (
        loadError ? null : (
          <p role="status">Loading sessions…</p>
        )
      ) : sessions.length === 0 ? (
        <p>No sessions yet.</p>
      ) : (
        <SessionsTable
          sessions={sessions}
          counts={counts}
          deleting={deleting}
          onDelete={(session) => void remove.run(session)}
        />
      )}
    </>
  );
}
