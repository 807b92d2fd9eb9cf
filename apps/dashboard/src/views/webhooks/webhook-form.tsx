import { useState } from 'preact/hooks';
import { ErrorText } from '../../ui/error-text.js';
import { parseEvents, type SessionRef } from './webhook-shapes.js';

export interface WebhookFormValues {
  url: string;
  events: string[];
  enabled: boolean;
  /** Only when creating: null for a global webhook, else the session whose events it receives. */
  sessionId?: string | null;
}

const EVENTS_HINT =
  'Comma-separated: * (everything), session.*, message.*, batch.*, webhook.* or exact names such as message.received';

/**
 * The fields of a webhook, for creating one (`scope` given: where it belongs) and for editing one.
 * The browser checks only that the URL is a URL; everything else (private addresses, unknown event
 * names, the per-session limit) is the API's to say, and its `CODE: message` is shown under the form.
 */
export function WebhookForm(props: {
  idPrefix: string;
  title: string;
  submitLabel: string;
  initial: { url: string; events: string[]; enabled: boolean };
  /** Create only: who it may belong to. Absent when editing (a webhook keeps its scope). */
  scope?: { sessions: readonly SessionRef[]; fixedSessionId: string | null; allowGlobal: boolean };
  busy: boolean;
  error: unknown;
  onSubmit: (values: WebhookFormValues) => void;
  onCancel?: () => void;
}) {
  const id = (name: string) => `${props.idPrefix}-${name}`;
  const [url, setUrl] = useState(props.initial.url);
  const [events, setEvents] = useState(props.initial.events.join(', '));
  const [enabled, setEnabled] = useState(props.initial.enabled);
  const scope = props.scope;
  const [sessionId, setSessionId] = useState<string>(
    scope?.fixedSessionId ?? (scope?.allowGlobal ? '' : (scope?.sessions[0]?.id ?? '')),
  );
  const errorId = id('error');
  return (
    <form
      class="card webhook-form"
      aria-labelledby={id('title')}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit({
          url: url.trim(),
          events: parseEvents(events),
          enabled,
          ...(scope ? { sessionId: sessionId === '' ? null : sessionId } : {}),
        });
      }}
    >
      <h3 id={id('title')}>{props.title}</h3>
      <div class="field">
        <label for={id('url')}>Endpoint URL</label>
        <input
          id={id('url')}
          type="url"
          required
          maxLength={2048}
          placeholder="https://example.com/wagw"
          value={url}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={props.error ? errorId : undefined}
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for={id('events')}>Events</label>
        <input
          id={id('events')}
          required
          value={events}
          aria-describedby={id('events-hint')}
          onInput={(e) => setEvents(e.currentTarget.value)}
        />
        <span id={id('events-hint')} class="hint">
          {EVENTS_HINT}
        </span>
      </div>
      {scope && !scope.fixedSessionId ? (
        <div class="field">
          <label for={id('scope')}>Session</label>
          <select id={id('scope')} value={sessionId} onChange={(e) => setSessionId(e.currentTarget.value)}>
            {scope.allowGlobal ? <option value="">All sessions (a global webhook)</option> : null}
            {scope.sessions.map((session) => (
              <option key={session.id} value={session.id}>
                {session.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div class="field checkbox-field">
        <input
          id={id('enabled')}
          type="checkbox"
          checked={enabled}
          onChange={(e) => setEnabled(e.currentTarget.checked)}
        />
        <label for={id('enabled')}>Enabled (a disabled webhook receives nothing)</label>
      </div>
      <div class="button-row">
        <button type="submit" class="button primary" disabled={props.busy}>
          {props.busy ? 'Saving…' : props.submitLabel}
        </button>
        {props.onCancel ? (
          <button type="button" class="button" onClick={props.onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <ErrorText error={props.error} id={errorId} />
    </form>
  );
}
