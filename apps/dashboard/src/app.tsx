import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { currentSession, type DashboardSession, SIGNED_OUT_EVENT, signOut } from './api.js';
import { connectEvents, disconnectEvents } from './live-events.js';
import { AppHeader } from './ui/app-header.js';
import { ErrorText } from './ui/error-text.js';
import { PrincipalContext } from './ui/principal-context.js';
import { type Route, useHashRoute } from './ui/use-hash-route.js';
import { PairingPage } from './views/sessions/pairing-page.js';
import { SessionDetailPage } from './views/sessions/session-detail-page.js';
import { SessionsPage } from './views/sessions/sessions-page.js';
import { SignInPage } from './views/sign-in-page.js';
import { SystemPage } from './views/system/system-page.js';
import { WebhooksPage } from './views/webhooks/webhooks-page.js';

/** `undefined` while the first check runs, `null` when signed out. */
type Auth = DashboardSession | null | undefined;

export function App() {
  const [auth, setAuth] = useState<Auth>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);

  const check = useCallback(() => {
    setLoadError(undefined);
    currentSession().then(setAuth, setLoadError);
  }, []);
  useEffect(check, []);

  // Any 401 from the API (expired, forged or revoked cookie) sends the page back to sign-in.
  useEffect(() => {
    const onSignedOut = () => setAuth(null);
    window.addEventListener(SIGNED_OUT_EVENT, onSignedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, onSignedOut);
  }, []);

  useEffect(() => {
    if (auth) connectEvents();
    else disconnectEvents();
  }, [auth]);

  if (auth === undefined) {
    return (
      <main id="main" class="centered" tabIndex={-1}>
        {loadError ? (
          <>
            <h1>wagw dashboard</h1>
            <ErrorText error={loadError} />
            <button type="button" class="button" onClick={check}>
              Try again
            </button>
          </>
        ) : (
          <p role="status">Loading…</p>
        )}
      </main>
    );
  }
  if (auth === null) return <SignInPage onSignedIn={setAuth} />;
  return (
    <Shell
      principal={auth}
      onSignOut={async () => {
        // Signed out locally even when the request fails: the cookie is then useless anyway.
        await signOut().catch(() => undefined);
        setAuth(null);
      }}
    />
  );
}

function Shell(props: { principal: DashboardSession; onSignOut: () => void }) {
  const route = useHashRoute();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After navigating, focus goes to the new view so screen readers start reading it.
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [route]);

  return (
    <PrincipalContext.Provider value={props.principal}>
      <AppHeader principal={props.principal} route={route} onSignOut={props.onSignOut} />
      <main id="main" ref={main} tabIndex={-1}>
        <View route={route} principal={props.principal} />
      </main>
    </PrincipalContext.Provider>
  );
}

function View({ route, principal }: { route: Route; principal: DashboardSession }) {
  switch (route.view) {
    case 'sessions':
      return <SessionsPage />;
    case 'session':
      return <SessionDetailPage key={route.id} id={route.id} />;
    case 'pair':
      return <PairingPage key={route.id} id={route.id} />;
    case 'webhooks':
      return <WebhooksPage />;
    case 'system':
      return principal.scope === 'admin' ? <SystemPage /> : <NotFound path="/system" />;
    default:
      return <NotFound path={route.path} />;
  }
}

function NotFound({ path }: { path: string }) {
  return (
    <>
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. <a href="#/sessions">Go to the sessions</a>.
      </p>
    </>
  );
}
