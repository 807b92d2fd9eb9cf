import type { DashboardSession } from '../api.js';
import { type StreamState, useStreamState } from '../live-events.js';
import type { Route } from './use-hash-route.js';

const STREAM_TEXT: Record<StreamState, string> = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
};

function navSection(route: Route): string {
  if (route.view === 'session' || route.view === 'pair') return 'sessions';
  return route.view;
}

export function AppHeader(props: { principal: DashboardSession; route: Route; onSignOut: () => void }) {
  const stream = useStreamState();
  const admin = props.principal.scope === 'admin';
  const links = [
    { section: 'sessions', href: '#/sessions', text: 'Sessions' },
    { section: 'webhooks', href: '#/webhooks', text: 'Webhooks' },
    // Health, keys and queues are the admin's: a session key is refused there by the API.
    ...(admin ? [{ section: 'system', href: '#/system', text: 'System' }] : []),
  ];
  const current = navSection(props.route);
  return (
    <header class="app-header">
      {/* A button, not a #main link: the hash belongs to the router. */}
      <button type="button" class="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <div class="brand">wagw</div>
      <nav aria-label="Main">
        <ul>
          {links.map((link) => (
            <li key={link.section}>
              <a href={link.href} aria-current={current === link.section ? 'page' : undefined}>
                {link.text}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="header-end">
        <span class={`stream stream-${stream}`} role="status">
          {STREAM_TEXT[stream]}
        </span>
        <span class="who">{admin ? 'Admin' : `Session ${props.principal.sessionId ?? ''}`}</span>
        <button type="button" class="button" onClick={props.onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
