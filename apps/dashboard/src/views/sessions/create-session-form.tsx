import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ErrorText } from '../../ui/error-text.js';
import { useAction } from '../../ui/use-action.js';
import type { Session } from './session-types.js';

export function CreateSessionForm({ onCreated }: { onCreated: (session: Session) => void }) {
  const [name, setName] = useState('');
  const action = useAction(async (value: string) => {
    onCreated(await api<Session>('POST', '/api/sessions', { name: value }));
    setName('');
  });
  return (
    <form
      class="inline-form"
      aria-labelledby="create-session-title"
      onSubmit={(e) => {
        e.preventDefault();
        // The API checks the name and answers VALIDATION_FAILED with its rule; shown as it is.
        void action.run(name.trim());
      }}
    >
      <h2 id="create-session-title">New session</h2>
      <div class="field">
        <label for="session-name">Name</label>
        <input
          id="session-name"
          name="name"
          required
          maxLength={64}
          value={name}
          aria-invalid={action.error ? true : undefined}
          aria-describedby={action.error ? 'create-session-error' : 'session-name-hint'}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <span id="session-name-hint" class="hint">
          Letters, digits, spaces, . _ - (up to 64)
        </span>
      </div>
      <button type="submit" class="button primary" disabled={action.busy}>
        {action.busy ? 'Creating…' : 'Create and pair'}
      </button>
      <ErrorText error={action.error} id="create-session-error" />
    </form>
  );
}
