import { ErrorText } from '../../ui/error-text.js';
import { formatTime } from '../../ui/format-time.js';
import { StatusBadge } from '../../ui/status-badge.js';
import { pairHref } from '../../ui/use-hash-route.js';
import { RecentMessages } from './recent-messages.js';
import { SessionActions } from './session-actions.js';
import { needsPairing, type Session } from './session-types.js';
import { StatusHistory } from './status-history.js';
import { TestSendForm } from './test-send-form.js';
import { useLiveSession } from './use-live-session.js';
import { useRecentMessages } from './use-recent-messages.js';
import { useStatusHistory } from './use-status-history.js';

function Summary({ session }: { session: Session }) {
  return (
    <dl class="summary">
      <div>
        <dt>Status</dt>
        <dd>
          <span role="status">
            <StatusBadge status={session.status} label="Session status" />
          </span>{' '}
          <span class="muted small">since {formatTime(session.statusChangedAt)}</span>
        </dd>
      </div>
      <div>
        <dt>Reason</dt>
        <dd>{session.statusReason ?? '—'}</dd>
      </div>
      <div>
        <dt>Last disconnect code</dt>
        <dd>{session.lastDisconnectCode ?? '—'}</dd>
      </div>
      <div>
        <dt>Owner worker</dt>
        <dd data-testid="owner">{session.ownerWorkerId ?? 'none'}</dd>
      </div>
      <div>
        <dt>Number</dt>
        <dd>{session.me?.jid ?? 'not linked'}</dd>
      </div>
      <div>
        <dt>Wanted</dt>
        <dd>{session.desiredState}</dd>
      </div>
    </dl>
  );
}

/** One session: live status, history, recent messages both ways, commands and a test send. */
export function SessionDetailPage({ id }: { id: string }) {
  const live = useLiveSession(id);
  const history = useStatusHistory(id);
  const messages = useRecentMessages(id);
  const { session } = live;
  if (!session) {
    return (
      <>
        <h1>Session</h1>
        {live.error ? <ErrorText error={live.error} /> : <p role="status">Loading…</p>}
      </>
    );
  }
  return (
    <>
      <h1>{session.name}</h1>
      <p class="muted small">{session.id}</p>
      {needsPairing(session.status) ? (
        <p>
          <a class="button primary" href={pairHref(id)}>
            Pair this session
          </a>
        </p>
      ) : null}
      <Summary session={session} />
      <div class="columns">
        <SessionActions session={session} onChanged={live.setSession} />
        <TestSendForm sessionId={id} onSent={messages.reload} />
      </div>
      <ErrorText error={messages.error} />
      <RecentMessages items={messages.items} />
      <ErrorText error={history.error} />
      <StatusHistory items={history.items} />
    </>
  );
}
