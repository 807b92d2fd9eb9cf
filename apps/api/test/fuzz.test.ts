import { newId } from '@wagw/db';
import { createNetworkPolicy } from '@wagw/webhooks';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_API_KEY } from './api-test-app.js';
import { type FuzzRequest, type Operation, operationsOf, requestFor, send } from './fuzz-requests.js';
import type { SchemaContext } from './fuzz-schema-arbitraries.js';
import { createStateCounter, responseProblem, type Seed, seedRows } from './fuzz-state.js';
import { type MediaApp, startMediaApp } from './media-test-app.js';

// Issue #16 item 6, bad input at scale: every route the app publishes in its OpenAPI document gets
// requests generated from its own schemas (valid, at the edges, just outside, hostile), with the
// admin key, a session key, a dashboard cookie or garbage. No answer may be a 5xx, every 4xx must be
// the error envelope with a registered code, a 4xx must leave the database and the media store as
// they were, and the app must still answer afterwards. FUZZ_RUNS raises the count for a deeper run.

/** Generated requests per run (FUZZ_RUNS, default 10000) and the seed to replay one (FUZZ_SEED). */
function fuzzSettings(env: NodeJS.ProcessEnv): { runs: number; seed: number | undefined } {
  const runs = Number(env.FUZZ_RUNS ?? 10_000);
  const seed = env.FUZZ_SEED === undefined ? undefined : Number(env.FUZZ_SEED);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`FUZZ_RUNS expected a positive integer, got "${env.FUZZ_RUNS}"`);
  if (seed !== undefined && !Number.isInteger(seed))
    throw new Error(`FUZZ_SEED expected an integer, got "${env.FUZZ_SEED}"`);
  return { runs, seed };
}
const { runs: RUNS, seed: SEED } = fuzzSettings(process.env);

// Generated values name seeded rows by placeholder, filled in at send time: a DELETE that removes a
// seeded row (or a sign-out that ends the seeded dashboard sign-in) is followed by a new seed, and
// later requests point at the new rows.
const ref = (name: keyof Seed) => `@seed:${name}@`;
const missing = newId();
const KNOWN: Record<string, string[]> = {
  sessions: [ref('sessionId'), missing],
  messages: [ref('messageId'), missing],
  batches: [ref('batchId'), missing],
  media: [ref('mediaId'), missing],
  keys: [ref('sessionKeyId'), missing],
  webhooks: [ref('webhookId'), 'config', missing],
  deadLetterId: [ref('deadLetterId'), missing],
  apiKey: [ref('sessionKey'), TEST_API_KEY, 'wagw_not-a-key-0123456789'],
  to: ['4915112345678', '4915112345678@s.whatsapp.net', '+49 151 1234-5678'],
  phone: ['+4915112345678'],
  url: ['https://hooks.example.com/fuzz', 'http://10.0.0.1/hook', 'http://127.0.0.1:6379/'],
  events: ['*', 'message.*', 'session.status', 'message.received'],
  // A 1x1 PNG, inline, and what it is.
  base64: ['iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=='],
  mimetype: ['image/png'],
  emoji: ['👍', ''],
};
KNOWN.sessionId = KNOWN.sessions as string[];
KNOWN.webhookId = KNOWN.webhooks as string[];
KNOWN.messageId = KNOWN.messages as string[];
KNOWN.quotedMessageId = KNOWN.messages as string[];
// A body's `id` (a stored media id, a message to mark read): any seeded id.
KNOWN.id = [ref('mediaId'), ref('messageId'), ref('sessionId'), missing];

let m: MediaApp;
let seed: Seed;
let counter: ReturnType<typeof createStateCounter>;
let ops: Operation[];
let ctx: SchemaContext;

async function reseed(): Promise<void> {
  seed = await seedRows(m);
}

/** The request with placeholders replaced by the ids of the current seed. */
function resolve(request: FuzzRequest): FuzzRequest {
  const fill = (text: string) =>
    text.replace(/@seed:(\w+)@/g, (_, name: string) => seed[name as keyof typeof seed]);
  return {
    ...request,
    url: fill(request.url),
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, fill(v)])),
    ...(typeof request.payload === 'string' ? { payload: fill(request.payload) } : {}),
  };
}

beforeAll(async () => {
  m = await startMediaApp({
    app: {
      // Off: every generated request comes from one address, and most carry a key.
      config: { authFailuresPerMinute: 0 },
      // No DNS: one public host, everything else does not resolve.
      webhooks: {
        policy: createNetworkPolicy([]),
        global: null,
        retry: { maxAttempts: 3, backoffMs: 1000 },
        lookup: async (host) => {
          if (host === 'hooks.example.com') return ['93.184.215.14'];
          throw new Error(`getaddrinfo ENOTFOUND ${host}`);
        },
      },
      // No worker answers pairing requests: do not wait 10 s for one.
      pairingWaitMs: 5,
    },
  });
  await reseed();
  counter = createStateCounter(m.dataDir);
  ops = operationsOf(m.app);
  // An empty schema under `messages` stands for the body of the route ending in /messages; any body otherwise.
  const bodies = ops.flatMap((op) => (op.body ? [{ op, body: op.body }] : []));
  const fallbacks = (name: string) => {
    const named = bodies.filter(({ op }) => op.method === 'POST' && op.path.endsWith(`/${name}`));
    return (named.length > 0 ? named : bodies).map(({ body }) => body);
  };
  ctx = { known: (name) => KNOWN[name] ?? [], fallbacks };
});

afterAll(async () => {
  counter?.close();
  await m?.close();
});

describe('fuzzing every route from its schema', () => {
  it('publishes the routes to fuzz (sign-in, sessions, messages, bulk, media, batches, keys, webhooks, events)', () => {
    const names = ops.map((op) => `${op.method} ${op.path}`);
    for (const expected of [
      'POST /api/dashboard/sign-in',
      'POST /api/sessions',
      'POST /api/sessions/{id}/messages',
      'POST /api/sessions/{id}/messages/bulk',
      'POST /api/media',
      'POST /api/batches/{id}/cancel',
      'POST /api/keys',
      'PATCH /api/webhooks/{webhookId}',
      'GET /api/monitoring/metrics',
      'GET /api/events',
    ]) {
      expect(names).toContain(expected);
    }
    expect(ops.filter((op) => op.streaming).map((op) => op.path)).toEqual(['/api/events']);
  });

  it(
    `answers ${RUNS} generated requests without a 5xx, outside the envelope, or a partial write`,
    async () => {
      const dashboard = { cookie: ref('cookie'), csrf: ref('csrf') };
      const creds = { adminKey: TEST_API_KEY, sessionKey: ref('sessionKey'), dashboard };
      // Routes with a JSON body twice as often: their schemas have the most to get wrong.
      const perOp = ops.map((op) => ({
        arbitrary: requestFor(op, ctx, creds).map((request) => ({ op, request })),
        weight: op.body ? 2 : 1,
      }));
      const statuses = new Map<string, number>();
      const property = fc.asyncProperty(fc.oneof(...perOp), async ({ op, request: generated }) => {
        const request = resolve(generated);
        const before = counter.snapshot();
        const res = await send(m.app, request);
        const key = `${op.method} ${op.path} ${res.statusCode}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        const problem = responseProblem(res);
        if (problem) throw new Error(`${request.method} ${request.url.slice(0, 300)}: ${problem}`);
        if (res.statusCode >= 400)
          expect(counter.snapshot(), `${res.statusCode} ${res.body}`).toEqual(before);
        // The seeded rows (or the dashboard sign-in) may be gone: later requests get new ones.
        const removal = request.method === 'DELETE' || op.path === '/api/dashboard/sign-out';
        if (removal && res.statusCode < 300) await reseed();
      });
      // endOnFailure: shrinking replays requests against an app whose state has moved on; the first
      // failing request, printed whole, is the useful counterexample.
      await fc.assert(property, { numRuns: RUNS, seed: SEED, endOnFailure: true });

      const live = await m.app.inject({ method: 'GET', url: '/api/health/live' });
      expect(live.statusCode).toBe(200);
      // Every route was reached, and requests got past validation into handlers, not only refused.
      const reached = new Set([...statuses.keys()].map((k) => k.split(' ').slice(0, 2).join(' ')));
      expect(reached.size).toBe(ops.length);
      const ok = [...statuses].filter(([k]) => / 2\d\d$/.test(k)).reduce((sum, [, n]) => sum + n, 0);
      expect(ok / RUNS).toBeGreaterThan(0.15);
      if (process.env.FUZZ_SUMMARY) console.table(Object.fromEntries([...statuses].sort()));
    },
    Math.max(120_000, RUNS * 20),
  );
});

// What the fuzzer found, kept as plain cases: each answered a 5xx or a wrong code before its fix.
describe('found by fuzzing', () => {
  const admin = { 'x-api-key': TEST_API_KEY };

  it('a multipart upload cut before its closing boundary is 400 VALIDATION_FAILED, nothing stored (was 503)', async () => {
    // busboy failed the part ("Unexpected end of multipart data") before the route listened for it,
    // so the store's error read as the store's own: 503 MEDIA_STORE_UNAVAILABLE.
    const before = counter.snapshot();
    for (const data of [Buffer.from('not an image'), Buffer.alloc(0)]) {
      const res = await m.app.inject({
        method: 'POST',
        url: '/api/media',
        headers: { ...admin, 'content-type': 'multipart/form-data; boundary=cut' },
        payload: Buffer.concat([
          Buffer.from('--cut\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n'),
          data,
          Buffer.from('\r\n'),
        ]),
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(counter.snapshot()).toEqual(before);
  });

  it.each([
    ['a cut object', '{"name":'],
    ['a trailing comma', '{"name":"a",}'],
    ['an own __proto__ key', '{"name":"a","__proto__":{"isAdmin":true}}'],
    ['a constructor.prototype key', '{"name":"a","constructor":{"prototype":{"isAdmin":true}}}'],
  ])('a JSON body with %s is 400 INVALID_JSON (was VALIDATION_FAILED)', async (_, payload) => {
    const res = await m.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { ...admin, 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_JSON' });
  });
});
