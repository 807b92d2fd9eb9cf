import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { multipartBody } from './fuzz-multipart.js';
import {
  deepJson,
  type JsonSchema,
  nastyValue,
  type SchemaContext,
  schemaValue,
} from './fuzz-schema-arbitraries.js';

// Requests for fuzz.test.ts, made from the routes the app itself publishes (app.swagger()): a route
// added tomorrow is fuzzed without touching this file.

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

export interface Operation {
  method: Method;
  /** The OpenAPI path, `/api/sessions/{id}`. */
  path: string;
  parameters: Parameter[];
  /** The JSON body schema, when the route declares one. */
  body?: JsonSchema;
  /** Server-sent events: a 200 is a stream that stays open (send() closes it). */
  streaming: boolean;
}

export interface FuzzRequest {
  method: Method;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** Every operation in the app's OpenAPI document. */
export function operationsOf(app: FastifyInstance): Operation[] {
  const spec = app.swagger() as unknown as { paths: Record<string, Record<string, Record<string, unknown>>> };
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => {
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)
        ?.content;
      const responses = JSON.stringify(op.responses ?? {});
      return {
        method: method.toUpperCase() as Method,
        path,
        parameters: (op.parameters as Parameter[] | undefined) ?? [],
        body: content?.['application/json']?.schema,
        streaming: responses.includes('text/event-stream'),
      };
    }),
  );
}

/** Who is asking: the admin key mostly, so requests get past auth into the handlers. */
export interface Credentials {
  adminKey: string;
  sessionKey: string;
  /** Cookie header and CSRF token of a dashboard sign-in. */
  dashboard: { cookie: string; csrf: string };
}

/** Header values a client can send (visible latin-1); inject() would refuse others, as Node does. */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength });

function authHeaders(creds: Credentials): fc.Arbitrary<Record<string, string>> {
  return fc.oneof(
    { arbitrary: fc.constant({ 'x-api-key': creds.adminKey }), weight: 12 },
    { arbitrary: fc.constant({ authorization: `Bearer ${creds.adminKey}` }), weight: 2 },
    { arbitrary: fc.constant({ 'x-api-key': creds.sessionKey }), weight: 3 },
    {
      arbitrary: fc.constant({ cookie: creds.dashboard.cookie, 'x-csrf-token': creds.dashboard.csrf }),
      weight: 1,
    },
    { arbitrary: fc.constant({}), weight: 1 },
    {
      arbitrary: fc.oneof(
        headerText(600).map((key) => ({ 'x-api-key': key })),
        headerText(600).map((key) => ({ authorization: `Bearer ${key}` })),
        headerText(100).map((value) => ({ authorization: value })),
        headerText(300).map((value) => ({ cookie: `wagw_session=${value}` })),
        fc.constant({ cookie: creds.dashboard.cookie, 'x-csrf-token': 'wrong' }),
      ),
      weight: 2,
    },
  );
}

/** Content types that do not match the body, besides the right one. */
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/vnd.api+json',
  ';;;',
];

/** Broken JSON texts: the parser, not the schema, must refuse these. */
const BROKEN_JSON = [
  '{',
  '{"a":',
  '[1,]',
  '{"a":1}}',
  'nul',
  '"\\uD800"',
  '\u0000',
  '{"a":"\u0000"}',
  '1e99999',
  '',
];

function body(op: Operation, ctx: SchemaContext): fc.Arbitrary<{ payload?: string | Buffer; type?: string }> {
  const json = (value: unknown) => ({ payload: JSON.stringify(value) ?? 'null', type: 'application/json' });
  const wellFormed = op.body ? schemaValue(op.body, ctx).map(json) : nastyValue().map(json);
  return fc.oneof(
    { arbitrary: wellFormed, weight: op.body ? 240 : 40 },
    { arbitrary: fc.constant({}), weight: op.body ? 20 : 160 },
    {
      arbitrary: fc.constantFrom(...BROKEN_JSON).map((payload) => ({ payload, type: 'application/json' })),
      weight: 20,
    },
    { arbitrary: deepJson().map((payload) => ({ payload, type: 'application/json' })), weight: 4 },
    {
      arbitrary: fc
        .tuple(wellFormed, fc.constantFrom(...CONTENT_TYPES), fc.boolean())
        .map(([{ payload }, type, keep]) => (keep ? { payload, type } : { payload })),
      weight: 40,
    },
    // Routes without a JSON body may take a form (POST /api/media does).
    { arbitrary: multipartBody(), weight: op.body || op.method !== 'POST' ? 2 : 120 },
    // An oversized body: BODY_LIMIT (1 MiB in the test app) plus a little.
    {
      arbitrary: fc.constant({ payload: Buffer.alloc(1024 * 1024 + 10, 0x20), type: 'application/json' }),
      weight: 1,
    },
  );
}

function extraHeaders(): fc.Arbitrary<Record<string, string>> {
  // Each one in about one request in five: together they would otherwise refuse most requests.
  const optional = (arbitrary: fc.Arbitrary<string>) =>
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary, weight: 1 });
  return fc
    .record({
      'idempotency-key': optional(fc.oneof(fc.uuid(), headerText(300), fc.constant(' '))),
      'x-request-id': optional(fc.oneof(fc.uuid(), headerText(300))),
      accept: optional(
        fc.constantFrom('application/json', 'text/event-stream', '*/*', 'image/png', '\u00ff'),
      ),
      'accept-encoding': optional(fc.constantFrom('gzip', 'br', 'identity;q=0', 'x')),
      'x-forwarded-for': optional(headerText(50)),
      // Node allows 16 KiB of headers in all; inject() does not check, so the app sees more.
      'x-huge': optional(fc.integer({ min: 8_000, max: 40_000 }).map((n) => 'h'.repeat(n))),
    })
    .map(
      (headers) =>
        Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >,
    );
}

/** The pool a path parameter draws from, by the segment before it (`/webhooks/{webhookId}`). */
function pathValue(op: Operation, param: Parameter, ctx: SchemaContext): fc.Arbitrary<string> {
  const segments = op.path.split('/');
  const at = segments.indexOf(`{${param.name}}`);
  const known = ctx.known(param.name === 'id' ? (segments[at - 1] ?? 'id') : param.name);
  const raw = fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    // Not `.` or `..` (nor %2E%2E): URL parsing resolves dot segments to another route before sending.
    fc.constantFrom('...', 'a..b', '%00', '0', 'null', '__proto__', 'constructor', 'config'),
    fc.integer({ min: 129, max: 5000 }).map((n) => 'i'.repeat(n)),
  );
  const encoded = raw
    .filter((value) => value !== '.' && value !== '..')
    .map((value) => encodeURIComponent(value));
  const options = [
    { arbitrary: encoded, weight: 2 },
    { arbitrary: fc.constantFrom('%zz', '%E0%A4%A', '%C0%AF'), weight: 1 },
  ];
  if (known.length > 0) options.push({ arbitrary: fc.constantFrom(...known), weight: 6 });
  return fc.oneof(...options);
}

function queryString(op: Operation, ctx: SchemaContext): fc.Arbitrary<string> {
  const params = op.parameters.filter((p) => p.in === 'query');
  const model = Object.fromEntries(params.map((p) => [p.name, schemaValue(p.schema ?? {}, ctx, p.name)]));
  const declared = fc.record(model, { requiredKeys: [] }).map((values) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      search.append(key, text ?? '');
    }
    return search.toString();
  });
  const names = params.map((p) => p.name);
  const odd = fc.oneof(
    // A parameter twice (Fastify then hands the route an array), nested brackets, raw bytes.
    fc.constantFrom(...names, 'x').map((name) => `${name}=1&${name}=2`),
    fc.constantFrom(...names, 'x').map((name) => `${name}[a]=1&${name}[]=2`),
    fc.constantFrom('%zz', '%', 'a=%E0%A4%A', '=&=&', '__proto__[x]=1', 'constructor[prototype][x]=1'),
    fc.string({ unit: 'binary', maxLength: 30 }).map((s) => `q=${encodeURIComponent(s)}`),
  );
  return fc.oneof({ arbitrary: declared, weight: 5 }, { arbitrary: odd, weight: 1 });
}

/** One generated request for `op`: path, query, headers and body all from its schemas. */
export function requestFor(op: Operation, ctx: SchemaContext, creds: Credentials): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const headerParams = op.parameters.filter((p) => p.in === 'header');
  const pathModel = Object.fromEntries(pathParams.map((p) => [p.name, pathValue(op, p, ctx)]));
  const headerModel = Object.fromEntries(
    headerParams.map((p) => [p.name, fc.oneof(schemaValue(p.schema ?? {}, ctx), headerText(100))]),
  );
  return fc
    .record({
      params: fc.record(pathModel),
      query: queryString(op, ctx),
      declaredHeaders: fc.record(headerModel, { requiredKeys: [] }),
      auth: authHeaders(creds),
      extra: extraHeaders(),
      body: body(op, ctx),
    })
    .map(({ params, query, declaredHeaders, auth, extra, body }) => {
      const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
      const headers: Record<string, string> = { ...extra, ...auth };
      for (const [name, value] of Object.entries(declaredHeaders)) {
        // Header values are text on the wire; a generated value that is not becomes its JSON.
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        if (text !== undefined && !/[^\x20-\xff]/.test(text)) headers[name] = text;
      }
      if (body.type) headers['content-type'] = body.type;
      const request: FuzzRequest = {
        method: op.method,
        url: query ? `${path}?${query}` : path,
        headers,
        ...(body.payload !== undefined ? { payload: body.payload } : {}),
      };
      // A counterexample is printed with this: 40 KB headers and 1 MB bodies cut short.
      Object.defineProperty(request, fc.toStringMethod, { value: () => describeRequest(request) });
      return request;
    });
}

const cut = (text: string, max = 300) =>
  text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;

/** A request as a short, readable text: method, URL, headers and body, each cut at 300 characters. */
function describeRequest(request: FuzzRequest): string {
  const headers = Object.entries(request.headers).map(([k, v]) => `${k}: ${cut(JSON.stringify(v))}`);
  const payload = request.payload === undefined ? '' : cut(request.payload.toString());
  return [`${request.method} ${cut(request.url)}`, ...headers, '', payload].join('\n');
}

export interface FuzzResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/**
 * Sends `request` in process. Any answer is read as a stream: an event stream's 200 stays open
 * forever, so its status and headers are kept and the response is closed, as a client that leaves
 * does (which frees its stream slot).
 */
export async function send(app: FastifyInstance, request: FuzzRequest): Promise<FuzzResponse> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS);
  });
  try {
    return await Promise.race([inject(app, request), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Far below REQUEST_TIMEOUT: every route answers bad input at once; a hang is a failure too. */
const ANSWER_WITHIN_MS = 5000;

async function inject(app: FastifyInstance, request: FuzzRequest): Promise<FuzzResponse> {
  const res = await app.inject({ ...request, payloadAsStream: true });
  const stream = res.stream();
  if (String(res.headers['content-type']).startsWith('text/event-stream')) {
    stream.destroy();
    res.raw.res.destroy();
    return { statusCode: res.statusCode, headers: res.headers, body: '' };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return { statusCode: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
}
