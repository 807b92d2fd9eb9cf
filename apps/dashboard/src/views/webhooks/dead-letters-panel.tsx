import { api } from '../../api.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { ErrorText } from '../../ui/error-text.js';
import { formatTime } from '../../ui/format-time.js';
import { useAction } from '../../ui/use-action.js';
import type { DeadLetter } from './webhook-shapes.js';

/**
 * Deliveries that exhausted their retries: replay one or all (the worker delivers them again and
 * removes each one that gets through), or discard them. `onChanged` re-reads the list.
 */
export function DeadLettersPanel(props: {
  titleId: string;
  webhookId: string;
  deadLetters: readonly DeadLetter[] | undefined;
  loadError: unknown;
  onChanged: () => void;
}) {
  const base = `/api/webhooks/${encodeURIComponent(props.webhookId)}/dead-letters`;
  const action = useAction(async (method: 'POST' | 'DELETE', path: string) => {
    await api(method, path);
    props.onChanged();
  });
  const rows = props.deadLetters ?? [];
  const dead = rows.filter((row) => row.status === 'dead').length;
  return (
    <section class="webhook-section" aria-labelledby={props.titleId}>
      <h3 id={props.titleId}>
        Dead letters <span class="muted small">({rows.length})</span>
      </h3>
      <ErrorText error={props.loadError} />
      {rows.length > 0 ? (
        <div class="button-row">
          <button
            type="button"
            class="button"
            disabled={action.busy || dead === 0}
            onClick={() => void action.run('POST', `${base}/replay`)}
          >
            Replay all ({dead})
          </button>
          <ConfirmButton
            label="Discard all"
            question={`Discard all ${rows.length} dead letters?`}
            confirmLabel="Yes, discard all"
            busy={action.busy}
            onConfirm={() => void action.run('DELETE', base)}
          />
        </div>
      ) : null}
      <ErrorText error={action.error} />
      {props.deadLetters === undefined ? (
        <p class="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p class="muted">None: every delivery got through or is still being retried.</p>
      ) : (
        <table class="table responsive dead-letters">
          <caption class="visually-hidden">Dead letters, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Failed</th>
              <th scope="col">Last answer</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-dead-letter-id={row.id} data-event-id={row.eventId}>
                <td data-label="Event">
                  <code>{row.event}</code>
                  <div class="muted small">{row.eventId}</div>
                </td>
                <td data-label="Failed">
                  {formatTime(row.updatedAt)}
                  <div class="muted small">
                    {row.attempts} attempts{row.replayCount > 0 ? `, replayed ${row.replayCount}×` : ''}
                  </div>
                </td>
                <td data-label="Last answer">
                  {row.lastStatus !== null ? (
                    <>
                      <code>HTTP {row.lastStatus}</code>
                      {row.lastResponse ? <div class="small response-excerpt">{row.lastResponse}</div> : null}
                    </>
                  ) : (
                    <span class="small">{row.lastError}</span>
                  )}
                </td>
                <td data-label="State">
                  <span class={`badge ${row.status === 'dead' ? 'badge-bad' : 'badge-wait'}`}>
                    {row.status}
                  </span>
                </td>
                <td data-label="Actions">
                  <div class="actions">
                    <button
                      type="button"
                      class="button"
                      aria-label={`Replay ${row.event} ${row.eventId}`}
                      disabled={action.busy || row.status !== 'dead'}
                      onClick={() => void action.run('POST', `${base}/${encodeURIComponent(row.id)}/replay`)}
                    >
                      Replay
                    </button>
                    <ConfirmButton
                      label="Discard"
                      accessibleLabel={`Discard ${row.event} ${row.eventId}`}
                      question="Discard this dead letter?"
                      confirmLabel="Yes, discard"
                      busy={action.busy}
                      onConfirm={() => void action.run('DELETE', `${base}/${encodeURIComponent(row.id)}`)}
                    />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
