import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '@wagw/errors';
import { createEvent } from '@wagw/queue';
import BetterSqlite from 'better-sqlite3';
import { AUTH, TEST_API_KEY } from './api-test-app.js';
import type { FuzzResponse } from './fuzz-requests.js';
import type { MediaApp } from './media-test-app.js';
import { multipart, png } from './media-test-app.js';

// The rows fuzz.test.ts's requests point at, and the checks it makes after each one.

/** Tables a request could write to: what "no partial write" is counted on. */
const TABLES = [
  'sessions',
  'session_events',
  'messages',
  'webhooks',
  'api_keys',
  'idempotency_keys',
  'webhook_dead_letters',
];

/** Row counts per table plus the files in the media store, from a second, read-only connection. */
export function createStateCounter(dataDir: string) {
  const sqlite = new BetterSqlite(join(dataDir, 'wagw.db'), { readonly: true, fileMustExist: true });
  const query = sqlite.prepare(
    `select ${TABLES.map((t) => `(select count(*) from ${t}) as ${t}`).join(', ')}`,
  );
  const mediaDir = join(dataDir, 'media');
  // The names, not a count: a failure then shows which file a refused request left behind.
  const files = () => {
    try {
      const entries = readdirSync(mediaDir, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(mediaDir.length))
        .sort();
    } catch {
      return [];
    }
  };
  return {
    snapshot: () => ({ ...(query.get() as Record<string, number>), mediaFiles: files() }),
    close: () => sqlite.close(),
  };
}

/** What is wrong with a response, or null: a 5xx, or a 4xx outside the error envelope. */
export function responseProblem(res: FuzzResponse): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode}: ${res.body.slice(0, 500)}`;
  if (res.statusCode < 400) return null;
  let body: { statusCode?: unknown; code?: unknown; requestId?: unknown; message?: unknown };
  try {
    body = JSON.parse(res.body);
  } catch {
    return `${res.statusCode} without a JSON body: ${res.body.slice(0, 200)}`;
  }
  if (typeof body.code !== 'string' || !(body.code in ERROR_CODES))
    return `unknown code ${String(body.code)}`;
  if (body.statusCode !== res.statusCode) return `envelope says ${String(body.statusCode)}`;
  if (typeof body.requestId !== 'string' || typeof body.message !== 'string') return 'envelope incomplete';
  return null;
}

/** Ids of real rows per path segment / field name, so generated requests find something. */
export interface Seed {
  sessionId: string;
  /** A per-session key of that session, and its id. */
  sessionKey: string;
  sessionKeyId: string;
  webhookId: string;
  messageId: string;
  batchId: string;
  mediaId: string;
  deadLetterId: string;
  /** Cookie header and CSRF token of a dashboard sign-in with the admin key. */
  cookie: string;
  csrf: string;
}

let seeds = 0;

/** One of everything, made through the API where the API makes it. */
export async function seedRows(m: MediaApp): Promise<Seed> {
  seeds += 1;
  const call = async (method: 'POST', url: string, payload: object | Buffer, headers = {}) => {
    const res = await m.app.inject({ method, url, headers: { ...AUTH, ...headers }, payload });
    if (res.statusCode >= 300) throw new Error(`seed ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const { id: sessionId } = await call('POST', '/api/sessions', { name: `fuzz-${seeds}`, start: false });
  const key = await call('POST', '/api/keys', { name: 'fuzz', sessionId });
  const webhook = await call('POST', `/api/sessions/${sessionId}/webhooks`, {
    url: 'https://hooks.example.com/fuzz',
    events: ['*'],
  });
  const message = await call('POST', `/api/sessions/${sessionId}/messages`, {
    to: '4915112345678',
    text: 'hi',
  });
  const batch = await call('POST', `/api/sessions/${sessionId}/messages/bulk`, {
    messages: [{ to: '4915112345678', text: 'hi' }],
  });
  const upload = multipart([{ name: 'file', filename: 'a.png', type: 'image/png', data: png() }]);
  const media = await call('POST', '/api/media', upload.payload, upload.headers);
  const event = createEvent('message.received', sessionId, { text: 'fuzz' });
  const deadLetter = await m.db.repos.deadLetters.record({
    webhookId: webhook.id,
    sessionId,
    eventId: event.id,
    event: event.event,
    payload: { ...event },
    attempts: 5,
    lastStatus: 503,
    lastResponse: 'unavailable',
    lastError: 'HTTP 503',
  });
  const signIn = await m.app.inject({
    method: 'POST',
    url: '/api/dashboard/sign-in',
    payload: { apiKey: TEST_API_KEY },
  });
  if (signIn.statusCode !== 200) throw new Error(`seed sign-in: ${signIn.statusCode} ${signIn.body}`);
  return {
    cookie: String(signIn.headers['set-cookie']).split(';')[0] ?? '',
    csrf: signIn.json().csrfToken,
    sessionId,
    sessionKey: key.key,
    sessionKeyId: key.id,
    webhookId: webhook.id,
    messageId: message.id,
    batchId: batch.batchId,
    mediaId: media.id,
    deadLetterId: deadLetter.id,
  };
}
