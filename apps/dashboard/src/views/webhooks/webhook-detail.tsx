import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { ErrorText } from '../../ui/error-text.js';
import { useAction } from '../../ui/use-action.js';
import { DeadLettersPanel } from './dead-letters-panel.js';
import { DeliveriesTable } from './deliveries-table.js';
import { SecretNotice } from './secret-notice.js';
import { useAutoRefresh } from './use-auto-refresh.js';
import { WebhookForm, type WebhookFormValues } from './webhook-form.js';
import type { DeadLetter, DeliveryAttempt, Webhook, WebhookWithSecret } from './webhook-shapes.js';

/** Deliveries and dead letters change without an event on the stream: re-read this often. */
const REFRESH_MS = 3000;
/** Extra reads after an action, while its outcome is likeliest to change (ms after it). */
const FOLLOW_UP_MS = [500, 1000, 2000, 4000, 7000];

/**
 * One webhook: its settings (edit, enable/disable, rotate the secret, delete), a test event, its
 * recent delivery attempts and its dead letters. Focus moves to its heading when it opens.
 */
export function WebhookDetail(props: {
  webhook: Webhook;
  scope: string;
  onChanged: (webhook: Webhook) => void;
  onDeleted: () => void;
  onClose: () => void;
}) {
  const { webhook } = props;
  const readOnly = webhook.source === 'config';
  const path = `/api/webhooks/${encodeURIComponent(webhook.id)}`;
  const heading = useRef<HTMLHeadingElement>(null);
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [testNote, setTestNote] = useState<string | undefined>(undefined);
  const [attempts, setAttempts] = useState<DeliveryAttempt[] | undefined>(undefined);
  const [attemptsError, setAttemptsError] = useState<unknown>(undefined);
  const [deadLetters, setDeadLetters] = useState<DeadLetter[] | undefined>(undefined);
  const [deadError, setDeadError] = useState<unknown>(undefined);

  useEffect(() => heading.current?.focus(), [webhook.id]);

  const load = useCallback(() => {
    api<{ items: DeliveryAttempt[] }>('GET', `${path}/deliveries?limit=20`).then((page) => {
      setAttempts(page.items);
      setAttemptsError(undefined);
    }, setAttemptsError);
    api<{ items: DeadLetter[] }>('GET', `${path}/dead-letters?limit=50`).then((page) => {
      setDeadLetters(page.items);
      setDeadError(undefined);
    }, setDeadError);
  }, [path]);
  useAutoRefresh(load, REFRESH_MS, webhook.id);

  // After a test or a replay the interesting part comes within seconds: look sooner than the timer.
  const followUps = useRef<ReturnType<typeof setTimeout>[]>([]);
  const followUp = useCallback(() => {
    load();
    for (const timer of followUps.current) clearTimeout(timer);
    followUps.current = FOLLOW_UP_MS.map((ms) => setTimeout(load, ms));
  }, [load]);
  useEffect(() => () => followUps.current.forEach(clearTimeout), []);

  const save = useAction(async (patch: Partial<WebhookFormValues> & { rotateSecret?: boolean }) => {
    const updated = await api<WebhookWithSecret>('PATCH', path, patch);
    const { secret: newSecret, ...view } = updated;
    if (newSecret) setSecret(newSecret);
    props.onChanged(view);
    setEditing(false);
  });
  const test = useAction(async () => {
    setTestNote(undefined);
    const queued = await api<{ eventId: string }>('POST', `${path}/test`);
    setTestNote(`Test event ${queued.eventId} queued; its attempts appear below.`);
    followUp();
  });
  const remove = useAction(async () => {
    await api('DELETE', path);
    props.onDeleted();
  });
  const titleId = `webhook-${webhook.id}-title`;

  return (
    <section class="card webhook-detail" aria-labelledby={titleId} data-webhook-id={webhook.id}>
      <div class="detail-head">
        <h2 id={titleId} ref={heading} tabIndex={-1}>
          Webhook <span class="webhook-url">{webhook.url}</span>
        </h2>
        <button type="button" class="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      <dl class="summary">
        <div>
          <dt>Receives</dt>
          <dd>{props.scope}</dd>
        </div>
        <div>
          <dt>Events</dt>
          <dd>
            <code>{webhook.events.join(', ')}</code>
          </dd>
        </div>
        <div>
          <dt>State</dt>
          <dd>
            <span class={`badge ${webhook.enabled ? 'badge-ok' : 'badge-off'}`}>
              {webhook.enabled ? 'enabled' : 'disabled'}
            </span>
          </dd>
        </div>
        <div>
          <dt>Signing secret</dt>
          <dd>{webhook.secretPrefix ? <code>{webhook.secretPrefix}…</code> : 'none (unsigned)'}</dd>
        </div>
        <div>
          <dt>Id</dt>
          <dd>
            <code>{webhook.id}</code>
          </dd>
        </div>
      </dl>
      {readOnly ? (
        <p class="hint">
          This webhook comes from the configuration (WEBHOOK_URL, WEBHOOK_EVENTS, WEBHOOK_SECRET): change it
          there.
        </p>
      ) : null}
      {secret ? (
        <SecretNotice
          title="New signing secret"
          secret={secret}
          note="Shown this once: give it to the receiver now. Deliveries are signed with it from now on."
          onDone={() => setSecret(undefined)}
        />
      ) : null}
      <div class="button-row">
        <button
          type="button"
          class="button primary"
          disabled={test.busy || !webhook.enabled}
          onClick={() => void test.run()}
        >
          {test.busy ? 'Sending…' : 'Send test event'}
        </button>
        {readOnly ? null : (
          <>
            <button
              type="button"
              class="button"
              disabled={save.busy}
              onClick={() => void save.run({ enabled: !webhook.enabled })}
            >
              {webhook.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" class="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
              Edit
            </button>
            <ConfirmButton
              label="Rotate secret"
              question="Replace the signing secret? The receiver needs the new one."
              confirmLabel="Yes, rotate"
              busy={save.busy}
              onConfirm={() => void save.run({ rotateSecret: true })}
            />
            <ConfirmButton
              label="Delete"
              accessibleLabel={`Delete webhook ${webhook.url}`}
              question="Delete this webhook and its dead letters?"
              confirmLabel="Yes, delete"
              busy={remove.busy}
              onConfirm={() => void remove.run()}
            />
          </>
        )}
      </div>
      {testNote ? (
        <p class="notice" role="status">
          {testNote}
        </p>
      ) : null}
      <ErrorText error={test.error ?? remove.error ?? (editing ? undefined : save.error)} />
      {editing ? (
        <WebhookForm
          idPrefix={`edit-${webhook.id}`}
          title="Edit webhook"
          submitLabel="Save changes"
          initial={webhook}
          busy={save.busy}
          error={save.error}
          onSubmit={(values) => void save.run(values)}
          onCancel={() => setEditing(false)}
        />
      ) : null}
      <DeliveriesTable
        titleId={`webhook-${webhook.id}-deliveries`}
        attempts={attempts}
        error={attemptsError}
      />
      <DeadLettersPanel
        titleId={`webhook-${webhook.id}-dead-letters`}
        webhookId={webhook.id}
        deadLetters={deadLetters}
        loadError={deadError}
        onChanged={followUp}
      />
    </section>
  );
}
