import { ConfirmButton } from '../../ui/confirm-button.js';
import { ErrorText } from '../../ui/error-text.js';
import { formatTime } from '../../ui/format-time.js';
import { StatusBadge } from '../../ui/status-badge.js';
import { pairHref, sessionHref } from '../../ui/use-hash-route.js';
import { needsPairing, type Session } from './session-types.js';
import type { CountState } from './use-message-counts.js';

function Counts({ state, which }: { state: CountState | undefined; which: 'sent' | 'received' }) {
  if (state === undefined || state === 'loading') return <span class="muted">…</span>;
  if ('error' in state) return <ErrorText error={state.error} />;
  return <span>{state[which]}</span>;
}

/**
 * The worker writes a disconnect code only on the transition that follows a disconnect (and clears
 * it once the session is open again), so with a code the status reason is the disconnect's reason.
 */
function LastDisconnect({ session }: { session: Session }) {
  if (session.lastDisconnectCode === null) return <span class="muted">—</span>;
  return (
    <span>
      <code>{session.lastDisconnectCode}</code> {session.statusReason}
    </span>
  );
}

export function SessionsTable(props: {
  sessions: readonly Session[];
  counts: ReadonlyMap<string, CountState>;
  deleting: string | undefined;
  onDelete: (session: Session) => void;
}) {
  return (
    <table class="table responsive">
      <caption class="visually-hidden">Sessions, with live status</caption>
      <thead>
        <tr>
          <th scope="col">Session</th>
          <th scope="col">Status</th>
          <th scope="col">Owner worker</th>
          <th scope="col">Last disconnect</th>
          <th scope="col">Sent (24 h)</th>
          <th scope="col">Received (24 h)</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.sessions.map((session) => (
          <tr key={session.id} data-session-id={session.id}>
            <th scope="row" data-label="Session">
              <a href={sessionHref(session.id)}>{session.name}</a>
              <div class="muted small">{session.me?.jid ?? session.id}</div>
            </th>
            <td data-label="Status">
              <StatusBadge status={session.status} label={`Status of ${session.name}`} />
              {session.statusReason ? <div class="small">{session.statusReason}</div> : null}
              <div class="muted small">since {formatTime(session.statusChangedAt)}</div>
            </td>
            <td data-label="Owner worker">{session.ownerWorkerId ?? <span class="muted">none</span>}</td>
            <td data-label="Last disconnect">
              <LastDisconnect session={session} />
            </td>
            <td data-label="Sent (24 h)">
              <Counts state={props.counts.get(session.id)} which="sent" />
            </td>
            <td data-label="Received (24 h)">
              <Counts state={props.counts.get(session.id)} which="received" />
            </td>
            <td data-label="Actions">
              <div class="actions">
                {needsPairing(session.status) ? (
                  <a class="button" href={pairHref(session.id)} aria-label={`Pair ${session.name}`}>
                    Pair
                  </a>
                ) : null}
                <a class="button" href={sessionHref(session.id)} aria-label={`Details of ${session.name}`}>
                  Details
                </a>
                <ConfirmButton
                  label="Delete"
                  accessibleLabel={`Delete ${session.name}`}
                  question={`Delete ${session.name}?`}
                  confirmLabel="Yes, delete"
                  busy={props.deleting === session.id}
                  onConfirm={() => props.onDelete(session)}
                />
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
