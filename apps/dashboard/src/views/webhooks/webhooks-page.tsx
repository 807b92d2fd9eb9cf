import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useCatchUp } from '../../live-events.js';
import { ErrorText } from '../../ui/error-text.js';
import { isAdmin, usePrincipal } from '../../ui/principal-context.js';
import { useAction } from '../../ui/use-action.js';
import { SecretNotice } from './secret-notice.js';
import { WebhookDetail } from './webhook-detail.js';
import { WebhookForm, type WebhookFormValues } from './webhook-form.js';
import { type SessionRef, scopeText, type Webhook, type WebhookWithSecret } from './webhook-shapes.js';
import { WebhooksTable } from './webhooks-table.js';
import './webhooks.css';

/** `all`, `global`, or a session id: which webhooks the list shows. */
type Filter = string;

/**
 * Webhooks (issue #15 item 5): every endpoint the key may see, global and per session, created and
 * changed here; each one opens into its test button, recent deliveries and dead letters.
 */
export function WebhooksPage() {
  const principal = usePrincipal();
  const admin = isAdmin(principal);
  const [webhooks, setWebhooks] = useState<Webhook[] | undefined>(undefined);
  const [sessions, setSessions] = useState<SessionRef[]>([]);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [filter, setFilter] = useState<Filter>('all');
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ url: string; secret: string } | undefined>(undefined);

  const load = useCallback(() => {
    Promise.all([
      api<{ items: Webhook[] }>('GET', '/api/webhooks'),
      api<{ items: SessionRef[] }>('GET', '/api/sessions'),
    ]).then(([hooks, list]) => {
      setWebhooks(hooks.items);
      setSessions(list.items.map(({ id, name }) => ({ id, name })));
      setLoadError(undefined);
    }, setLoadError);
  }, []);
  useEffect(load, []);
  useCatchUp(load);

  const names = useMemo(() => new Map(sessions.map((s) => [s.id, s.name])), [sessions]);
  const scopeOf = (webhook: Webhook) => scopeText(webhook, names);
  const shown = (webhooks ?? []).filter((w) => {
    if (filter === 'all') return true;
    if (filter === 'global') return w.sessionId === null;
    return w.sessionId === filter;
  });
  const current = webhooks?.find((w) => w.id === selected);

  const create = useAction(async (values: WebhookFormValues) => {
    const made = await api<WebhookWithSecret>('POST', '/api/webhooks', values);
    const { secret, ...view } = made;
    setWebhooks((list) => [...(list ?? []), view]);
    if (secret) setCreated({ url: view.url, secret });
    setCreating(false);
    setSelected(view.id);
  });

  const replace = (next: Webhook) => setWebhooks((list) => list?.map((w) => (w.id === next.id ? next : w)));

  return (
    <section aria-labelledby="webhooks-title">
      <div class="page-head">
        <h1 id="webhooks-title">Webhooks</h1>
        <button
          type="button"
          class="button primary"
          aria-expanded={creating}
          aria-controls="create-webhook"
          onClick={() => setCreating(!creating)}
        >
          New webhook
        </button>
      </div>
      <p class="hint">
        Signed POSTs of the gateway's events, retried with backoff; what keeps failing becomes a dead letter
        you can replay here.
      </p>
      <ErrorText error={loadError} />
      {created ? (
        <SecretNotice
          title={`Signing secret of ${created.url}`}
          secret={created.secret}
          note="Shown this once: the receiver verifies every delivery with it (Standard Webhooks)."
          onDone={() => setCreated(undefined)}
        />
      ) : null}
      <div id="create-webhook">
        {creating ? (
          <WebhookForm
            idPrefix="create-webhook"
            title="New webhook"
            submitLabel="Create webhook"
            initial={{ url: '', events: ['*'], enabled: true }}
            scope={{ sessions, fixedSessionId: admin ? null : principal.sessionId, allowGlobal: admin }}
            busy={create.busy}
            error={create.error}
            onSubmit={(values) => void create.run(values)}
            onCancel={() => setCreating(false)}
          />
        ) : null}
      </div>
      {admin ? (
        <div class="field filter">
          <label for="webhook-filter">Show</label>
          <select id="webhook-filter" value={filter} onChange={(e) => setFilter(e.currentTarget.value)}>
            <option value="all">All webhooks</option>
            <option value="global">Global webhooks</option>
            {sessions.map((s) => (
              <option key={s.id} value={s.id}>
                Webhooks of session {s.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {webhooks === undefined ? (
        loadError ? null : (
          <p role="status">Loading…</p>
        )
      ) : shown.length === 0 ? (
        <p class="muted">No webhooks here yet. “New webhook” adds one.</p>
      ) : (
        <WebhooksTable
          webhooks={shown}
          selected={selected}
          scopeOf={scopeOf}
          onManage={(w) => setSelected(selected === w.id ? undefined : w.id)}
        />
      )}
      {current ? (
        <WebhookDetail
          key={current.id}
          webhook={current}
          scope={scopeOf(current)}
          onChanged={replace}
          onDeleted={() => {
            setWebhooks((list) => list?.filter((w) => w.id !== current.id));
            setSelected(undefined);
          }}
          onClose={() => setSelected(undefined)}
        />
      ) : null}
    </section>
  );
}
