import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTempDir, type TempDir } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DASHBOARD_DIST } from '../src/plugins/dashboard-static.js';
import { createTestApp, type TestApp } from './api-test-app.js';

// A dist of our own, shaped like `vite build`'s, so these tests do not depend on the page's code.
const INDEX =
  '<!doctype html><html><head><script type="module" src="/dashboard/assets/index-Ab12Cd34.js"></script></head><body><div id="app"></div></body></html>';
const SCRIPT = 'document.getElementById("app").textContent = "hi";';

function writeDist(dir: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-Ab12Cd34.js'), SCRIPT);
  writeFileSync(join(dir, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
}

const EXPECTED_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
];

describe('the dashboard at /dashboard', () => {
  let dist: TempDir;
  let t: TestApp;
  beforeAll(async () => {
    dist = createTempDir('wagw-dashboard-dist-');
    writeDist(dist.path);
    t = await createTestApp({ dashboardDistDir: dist.path });
  });
  afterAll(async () => {
    await t.close();
    dist.cleanup();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers });

  it('serves index.html without a key, revalidated on every load, under a strict CSP', async () => {
    for (const url of ['/dashboard', '/dashboard/', '/dashboard/index.html']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(String(res.headers['content-security-policy']).split(';')).toEqual(EXPECTED_CSP);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('answers a reload of a deep link with the page too', async () => {
    const res = await get('/dashboard/sessions/abc');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(INDEX);
  });

  it('revalidates index.html with its ETag (304)', async () => {
    const first = await get('/dashboard');
    const etag = String(first.headers.etag);
    expect(etag).not.toBe('undefined');
    const again = await get('/dashboard', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
  });

  it('caches content-hashed assets for a year, immutable', async () => {
    const res = await get('/dashboard/assets/index-Ab12Cd34.js');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(SCRIPT);
    expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-security-policy']).toBeDefined();
  });

  it('serves other files of dist as they are, revalidated', async () => {
    const res = await get('/dashboard/robots.txt');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Disallow');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('answers a missing asset with 404, not with the page', async () => {
    const res = await get('/dashboard/assets/index-gone.js');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it('never leaves dist', async () => {
    for (const url of [
      '/dashboard/..%2f..%2fpackage.json',
      '/dashboard/assets/..%2f..%2fpackage.json',
      '/dashboard/assets/.%2Findex-Ab12Cd34.js',
      '/dashboard/assets%5C..%5C..%5Cpackage.json',
      '/dashboard/assets//index-Ab12Cd34.js',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('"name"');
    }
  });

  it('keeps helmet off every other route (the API, /docs with its inline scripts, Bull Board)', async () => {
    for (const url of ['/api/health', '/docs', '/docs/json', '/admin/queues']) {
      const res = await get(url);
      expect(res.headers['content-security-policy'], url).toBeUndefined();
      expect(res.headers['x-frame-options'], url).toBeUndefined();
    }
  });
});

describe('the dashboard before it is built', () => {
  let dir: TempDir;
  let t: TestApp;
  beforeAll(async () => {
    dir = createTempDir('wagw-dashboard-unbuilt-');
    t = await createTestApp({ dashboardDistDir: join(dir.path, 'dist') });
  });
  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  it('answers 404 DASHBOARD_NOT_BUILT saying how to build it', async () => {
    for (const url of ['/dashboard', '/dashboard/', '/dashboard/sessions']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({
        code: 'DASHBOARD_NOT_BUILT',
        message: expect.stringContaining('npm run build -w @wagw/dashboard'),
      });
    }
  });

  it('serves a build made while the API runs, without a restart', async () => {
    writeDist(join(dir.path, 'dist'));
    const res = await t.app.inject({ method: 'GET', url: '/dashboard' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(INDEX);
  });
});

describe('DEFAULT_DASHBOARD_DIST', () => {
  it("is apps/dashboard/dist, where the dashboard's vite build writes", () => {
    expect(DEFAULT_DASHBOARD_DIST).toBe(fileURLToPath(new URL('../../dashboard/dist/', import.meta.url)));
  });
});
