import { useEffect, useState } from 'preact/hooks';

/** The views, addressed by hash (`#/sessions`, `#/sessions/:id`, `#/pair/:id`, `#/webhooks`, `#/system`). */
export type Route =
  | { view: 'sessions' }
  | { view: 'session'; id: string }
  | { view: 'pair'; id: string }
  | { view: 'webhooks' }
  | { view: 'system' }
  | { view: 'not-found'; path: string };

function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/sessions';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, id, ...rest] = parts;
  if (rest.length === 0) {
    if (first === 'sessions' && id === undefined) return { view: 'sessions' };
    if (first === 'sessions' && id) return { view: 'session', id };
    if (first === 'pair' && id) return { view: 'pair', id };
    if (first === 'webhooks' && id === undefined) return { view: 'webhooks' };
    if (first === 'system' && id === undefined) return { view: 'system' };
  }
  return { view: 'not-found', path };
}

export function sessionHref(id: string): string {
  return `#/sessions/${encodeURIComponent(id)}`;
}

export function pairHref(id: string): string {
  return `#/pair/${encodeURIComponent(id)}`;
}

/** The current route, following `hashchange` (links and the back button). */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
