import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { createTempDir, freePort, type TempDir } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddressGuard, createFsMediaStore, fetchToStore, MediaFetchError } from '../src/index.js';
import { generatedBytes, sha256Hex } from './byte-sources.js';

// The guard as the worker builds it from @wagw/webhooks, reduced to what the fetch relies on:
// only 127.0.0.1 may be reached, and names resolve through a fixed table (no real DNS).
const NAMES: Record<string, string> = { 'media.test': '127.0.0.1', 'intranet.test': '10.1.2.3' };
const REFUSED = 'ETESTFORBIDDEN';
const guard: AddressGuard = {
  isForbidden: (address) => address !== '127.0.0.1',
  lookup: ((host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const address = NAMES[host];
    if (!address) return dnsLookup(host, options as never, callback as never);
    if (guard.isForbidden(address)) {
      return callback(Object.assign(new Error(`refusing ${address} (${host})`), { code: REFUSED }));
    }
    return options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4);
  }) as unknown as LookupFunction,
  refused: (err) => (err as NodeJS.ErrnoException | null)?.code === REFUSED,
};

const MiB = 1024 * 1024;
const body = randomBytes(200_000);
let server: Server;
let port: number;
let dir: TempDir;
/** Bytes the endless route has produced so far (to show an oversized body is not read). */
let endless: ReturnType<typeof generatedBytes> | undefined;

const routes: Record<string, RequestListener> = {
  '/file': (_req, res) => res.end(body),
  '/redirect/1': (_req, res) => redirect(res, '/file'),
  '/redirect/2': (_req, res) => redirect(res, '/redirect/1'),
  '/redirect/3': (_req, res) => redirect(res, '/redirect/2'),
  '/redirect/4': (_req, res) => redirect(res, '/redirect/3'),
  '/by-name': (_req, res) => redirect(res, `http://media.test:${port}/file`),
  '/to-intranet': (_req, res) => redirect(res, `http://intranet.test:${port}/file`),
  '/to-loopback-literal': (_req, res) => redirect(res, `http://127.0.0.2:${port}/file`),
  '/to-ftp': (_req, res) => redirect(res, 'ftp://example.com/file'),
  '/missing': (_req, res) => res.writeHead(404).end('no'),
  '/busy': (_req, res) => res.writeHead(503).end('later'),
  '/empty': (_req, res) => res.end(),
  '/never': () => undefined,
  '/stalls': (_req, res) => {
    res.writeHead(200, { 'content-length': String(body.length) });
    res.write(body.subarray(0, 1000));
  },
  '/announced-huge': (_req, res) => {
    res.writeHead(200, { 'content-length': String(50 * MiB) });
    endless = generatedBytes(50 * MiB);
    Readable.from(endless.source).pipe(res);
  },
  '/chunked-huge': (_req, res) => {
    endless = generatedBytes(50 * MiB);
    Readable.from(endless.source).pipe(res);
  },
};

function redirect(res: Parameters<RequestListener>[1], location: string) {
  res.writeHead(302, { location }).end();
}

beforeAll(async () => {
  dir = createTempDir('wagw-url-fetch-');
  server = createServer((req, res) => (routes[req.url ?? ''] ?? routes['/missing'])?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  dir.cleanup();
});

const fetchPath = (path: string, overrides: { maxBytes?: number; timeoutMs?: number } = {}) =>
  fetchToStore(path.startsWith('http') ? path : `http://127.0.0.1:${port}${path}`, {
    store: createFsMediaStore({ root: dir.path }),
    guard,
    maxBytes: overrides.maxBytes ?? 10 * MiB,
    timeoutMs: overrides.timeoutMs ?? 5000,
  });

async function fetchError(path: string, overrides?: { maxBytes?: number; timeoutMs?: number }) {
  const err = await fetchPath(path, overrides).then(
    () => expect.unreachable(`${path} fetched`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MediaFetchError);
  return err as MediaFetchError;
}

describe('fetchToStore', () => {
  it('streams a body into the store under its content address', async () => {
    const info = await fetchPath('/file');
    expect(info).toMatchObject({ id: sha256Hex(body), size: body.length });
  });

  it('follows up to 3 redirects, by name through the guard, and no more', async () => {
    expect((await fetchPath('/redirect/3')).sha256).toBe(sha256Hex(body));
    expect((await fetchPath('/by-name')).sha256).toBe(sha256Hex(body));
    const tooMany = await fetchError('/redirect/4');
    expect(tooMany).toMatchObject({ kind: 'failed', transient: false });
    expect(tooMany.message).toMatch(/more than 3 redirects/);
  });

  it('refuses forbidden addresses: a literal, a name resolving there, and redirects to either', async () => {
    for (const target of ['http://10.0.0.1/file', `http://intranet.test:${port}/file`]) {
      expect(await fetchError(target)).toMatchObject({ kind: 'forbidden', transient: false });
    }
    for (const path of ['/to-intranet', '/to-loopback-literal']) {
      expect(await fetchError(path)).toMatchObject({ kind: 'forbidden', transient: false });
    }
  });

  it('fails 4xx, empty bodies and other protocols for good, and 5xx or refused connections for now', async () => {
    const missing = await fetchError('/missing');
    expect(missing).toMatchObject({ kind: 'failed', transient: false });
    expect(missing.message).toMatch(/HTTP 404/);
    expect(await fetchError('/empty')).toMatchObject({ kind: 'failed', transient: false });
    expect(await fetchError('/to-ftp')).toMatchObject({ kind: 'failed', transient: false });
    expect(await fetchError('/busy')).toMatchObject({ kind: 'failed', transient: true });
    const closed = await freePort();
    const refused = await fetchError(`http://127.0.0.1:${closed}/file`);
    expect(refused).toMatchObject({ kind: 'failed', transient: true });
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });

  it('gives up within its timeout on a server that never answers or stalls mid-body', async () => {
    for (const path of ['/never', '/stalls']) {
      const started = Date.now();
      const err = await fetchError(path, { timeoutMs: 300 });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(err).toMatchObject({ kind: 'failed', transient: true });
      expect(err.message).toMatch(/within 300 ms/);
    }
  });

  it('refuses a body over maxBytes, announced or not, without reading it whole', async () => {
    const announced = await fetchError('/announced-huge', { maxBytes: MiB });
    expect(announced).toMatchObject({ kind: 'failed', transient: false });
    expect(announced.message).toMatch(/above the limit/);
    const chunked = await fetchError('/chunked-huge', { maxBytes: MiB });
    expect(chunked).toMatchObject({ kind: 'failed', transient: false });
    expect(chunked.message).toMatch(/exceeds the limit/);
    // The limit plus what loopback socket buffers hold (measured: about 5 MiB), not the 50 MiB on offer.
    expect(endless?.produced()).toBeLessThan(16 * MiB);
  });
});
