/**
 * The dashboard's only way to the API: same-origin fetch with the session cookie (set by
 * POST /api/dashboard/sign-in), the CSRF token on every state-changing request, and the API's error
 * envelope turned into an ApiError whose code and message the views show as they are.
 */

/** What the API answers to sign-in and to GET /api/dashboard/session. */
export interface DashboardSession {
  /** `admin` sees everything; `session` (a per-session key) sees and acts on `sessionId` only. */
  scope: 'admin' | 'session';
  sessionId: string | null;
  /** Sent back as `X-CSRF-Token` on every POST/PUT/PATCH/DELETE made with the cookie. */
  csrfToken: string;
  expiresAt: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Fired on window when the API says the cookie is no longer valid (expired, forged, key revoked). */
export const SIGNED_OUT_EVENT = 'wagw:signed-out';

let csrfToken: string | undefined;

function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const envelope = (data ?? {}) as { code?: string; message?: string; details?: unknown };
    if (response.status === 401 && path !== '/api/dashboard/sign-in') {
      window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    }
    throw new ApiError(
      response.status,
      envelope.code ?? `HTTP_${response.status}`,
      envelope.message ?? response.statusText,
      envelope.details,
    );
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function signIn(apiKey: string): Promise<DashboardSession> {
  const session = await api<DashboardSession>('POST', '/api/dashboard/sign-in', { apiKey });
  setCsrfToken(session.csrfToken);
  return session;
}

/** The signed-in session, or null when the cookie is missing, expired or forged. */
export async function currentSession(): Promise<DashboardSession | null> {
  try {
    const session = await api<DashboardSession>('GET', '/api/dashboard/session');
    setCsrfToken(session.csrfToken);
    return session;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export async function signOut(): Promise<void> {
  await api<void>('POST', '/api/dashboard/sign-out');
  setCsrfToken(undefined);
}
