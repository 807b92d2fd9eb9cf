import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { ErrorText } from '../../ui/error-text.js';
import { formatTime } from '../../ui/format-time.js';
import { useAction } from '../../ui/use-action.js';
import { SecretNotice } from '../webhooks/secret-notice.js';
import type { ApiKey, OwnedSession } from './system-types.js';

/** Stored API keys (admin only): listed, created (the key shown once), revoked. */
export function ApiKeysPanel({ sessions }: { sessions: readonly OwnedSession[] }) {
  const [keys, setKeys] = useState<ApiKey[] | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [name, setName] = useState('');
  const [scope, setScope] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string } | undefined>(undefined);

  const load = useCallback(() => {
    api<{ items: ApiKey[] }>('GET', '/api/keys').then((page) => {
      setKeys(page.items);
      setLoadError(undefined);
    }, setLoadError);
  }, []);
  useEffect(load, []);

  const create = useAction(async () => {
    const made = await api<{ key: string }>('POST', '/api/keys', {
      name: name.trim(),
      sessionId: scope === '' ? null : scope,
    });
    setCreated({ name: name.trim(), key: made.key });
    setName('');
    load();
  });
  const revoke = useAction(async (id: string) => {
    await api('DELETE', `/api/keys/${encodeURIComponent(id)}`);
    load();
  });
  const sessionName = (id: string) => sessions.find((s) => s.id === id)?.name ?? id;

  return (
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p class="hint">
        The admin key from the configuration (API_KEY) is not listed. A session key sees and acts on its own
        session only.
      </p>
      <ErrorText error={loadError} />
      {created ? (
        <SecretNotice
          title={`Key “${created.name}”`}
          secret={created.key}
          note="Shown this once: only its hash is stored."
          onDone={() => setCreated(undefined)}
        />
      ) : null}
      <form
        class="inline-form"
        aria-labelledby="create-key-title"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <h3 id="create-key-title" class="visually-hidden">
          New API key
        </h3>
        <div class="field">
          <label for="key-name">Name</label>
          <input
            id="key-name"
            required
            maxLength={100}
            value={name}
            placeholder="crm integration"
            aria-invalid={create.error ? true : undefined}
            aria-describedby={create.error ? 'create-key-error' : undefined}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="key-scope">May act on</label>
          <select id="key-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value)}>
            <option value="">Everything (admin)</option>
            {sessions.map((s) => (
              <option key={s.id} value={s.id}>
                Session {s.name} only
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button primary" disabled={create.busy}>
          {create.busy ? 'Creating…' : 'Create key'}
        </button>
        <ErrorText error={create.error} id="create-key-error" />
      </form>
      <ErrorText error={revoke.error} />
      {keys === undefined ? null : keys.length === 0 ? (
        <p class="muted">No stored keys yet.</p>
      ) : (
        <table class="table responsive">
          <caption class="visually-hidden">Stored API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id} data-key-id={key.id}>
                <th scope="row" data-label="Name">
                  {key.name}
                  <div class="muted small">
                    <code>{key.prefix}…</code>
                  </div>
                </th>
                <td data-label="Scope">
                  {key.sessionId ? `Session ${sessionName(key.sessionId)}` : 'Admin'}
                </td>
                <td data-label="Created">{formatTime(key.createdAt)}</td>
                <td data-label="Last used">{key.lastUsedAt ? formatTime(key.lastUsedAt) : 'never'}</td>
                <td data-label="Actions">
                  {key.revokedAt ? (
                    <span class="badge badge-off">revoked {formatTime(key.revokedAt)}</span>
                  ) : (
                    <ConfirmButton
                      label="Revoke"
                      accessibleLabel={`Revoke key ${key.name}`}
                      question="Revoke this key? Whatever uses it stops working at once."
                      confirmLabel="Yes, revoke"
                      busy={revoke.busy}
                      onConfirm={() => void revoke.run(key.id)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
