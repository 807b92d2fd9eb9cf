import { api } from '../../api.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { ErrorText } from '../../ui/error-text.js';
import { useAction } from '../../ui/use-action.js';
import type { Session } from './session-types.js';

type Command = 'start' | 'stop' | 'restart' | 'logout';

/**
 * start/stop/restart/logout. Each answers 202 with the session as the API wrote it (the desired
 * state); what the worker then does arrives as `session.status` events.
 */
export function SessionActions(props: { session: Session; onChanged: (session: Session) => void }) {
  const { session } = props;
  const command = useAction(async (kind: Command) => {
    props.onChanged(await api<Session>('POST', `/api/sessions/${encodeURIComponent(session.id)}/${kind}`));
  });
  const button = (kind: Command, text: string) => (
    <button type="button" class="button" disabled={command.busy} onClick={() => void command.run(kind)}>
      {text}
    </button>
  );
  return (
    <section aria-labelledby="actions-title" class="card">
      <h2 id="actions-title">Actions</h2>
      <div class="button-row">
        {button('start', 'Start')}
        {button('stop', 'Stop')}
        {button('restart', 'Restart')}
        <ConfirmButton
          label="Log out"
          question="Unlink this device from WhatsApp? Pairing again needs the phone."
          confirmLabel="Yes, log out"
          busy={command.busy}
          onConfirm={() => void command.run('logout')}
        />
      </div>
      {session.pendingCommand ? <p class="hint">Pending: {session.pendingCommand}</p> : null}
      <ErrorText error={command.error} />
    </section>
  );
}
