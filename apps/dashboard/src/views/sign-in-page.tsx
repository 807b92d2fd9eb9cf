import { useState } from 'preact/hooks';
import { type DashboardSession, signIn } from '../api.js';
import { ErrorText } from '../ui/error-text.js';
import { useAction } from '../ui/use-action.js';

/**
 * Exchanges an API key (the admin key or a per-session key) for the dashboard's session cookie.
 * The key itself is kept nowhere in the page: the cookie is HttpOnly.
 */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: DashboardSession) => void }) {
  const [key, setKey] = useState('');
  const action = useAction(async (apiKey: string) => onSignedIn(await signIn(apiKey)));
  return (
    <main id="main" class="centered" tabIndex={-1}>
      <form
        class="card sign-in"
        aria-labelledby="sign-in-title"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(key.trim());
        }}
      >
        <h1 id="sign-in-title">Sign in to wagw</h1>
        <p class="hint">
          Use the admin key or a key of one session. The page keeps a session cookie, not the key.
        </p>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="apiKey"
          type="password"
          autocomplete="current-password"
          required
          minLength={1}
          value={key}
          aria-invalid={action.error ? true : undefined}
          aria-describedby={action.error ? 'sign-in-error' : undefined}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <ErrorText error={action.error} id="sign-in-error" />
        <button type="submit" class="button primary" disabled={action.busy}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
