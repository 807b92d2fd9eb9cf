import { api } from '../../api.js';
import { ErrorText } from '../../ui/error-text.js';
import { StatusBadge } from '../../ui/status-badge.js';
import { useAction } from '../../ui/use-action.js';
import { sessionHref } from '../../ui/use-hash-route.js';
import { PairingCodeForm } from './pairing-code-form.js';
import { QrCode } from './qr-code.js';
import type { Session, SessionStatus } from './session-types.js';
import { useLiveSession } from './use-live-session.js';

/** Statuses in which no worker runs the session, so no QR will come until it is started. */
const IDLE = new Set<SessionStatus>(['stopped', 'failed', 'logged_out', 'conflict', 'needs_pairing']);

function StartToPair({ session, onStarted }: { session: Session; onStarted: (session: Session) => void }) {
  const start = useAction(async () => {
    onStarted(await api<Session>('POST', `/api/sessions/${encodeURIComponent(session.id)}/start`));
  });
  return (
    <div class="card">
      <p>
        No worker runs this session now ({session.status}), so there is no QR code to show. Start it to pair.
      </p>
      <button type="button" class="button primary" disabled={start.busy} onClick={() => void start.run()}>
        Start
      </button>
      <ErrorText error={start.error} />
    </div>
  );
}

/** Pairing a number: the live QR, or a pairing code; turns into "Connected" by itself on `open`. */
export function PairingPage({ id }: { id: string }) {
  const { session, error, setSession } = useLiveSession(id);
  if (!session) {
    return (
      <>
        <h1>Pair a session</h1>
        {error ? <ErrorText error={error} /> : <p role="status">Loading…</p>}
      </>
    );
  }
  const open = session.status === 'open';
  return (
    <>
      <h1>Pair {session.name}</h1>
      <p class="status-line" role="status">
        Status <StatusBadge status={session.status} />
        {open ? (
          <>
            {' '}
            <strong>Connected</strong>
            {session.me ? ` as ${session.me.jid}` : ''}.
          </>
        ) : null}
      </p>
      {open ? (
        <p>
          The phone is linked. <a href={sessionHref(id)}>Open the session</a> to send a test message.
        </p>
      ) : IDLE.has(session.status) ? (
        <StartToPair session={session} onStarted={setSession} />
      ) : (
        <div class="pairing">
          <QrCode sessionId={id} name={session.name} />
          <PairingCodeForm sessionId={id} />
        </div>
      )}
    </>
  );
}
