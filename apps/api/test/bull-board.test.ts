import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sendQueueName } from '@wagw/queue';
import { createTempDir, requireTool } from '@wagw/testing';
import { Queue } from 'bullmq';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, TEST_API_KEY, type TestApp, testRedis } from './api-test-app.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let t: TestApp;
let browser: Browser;
let baseUrl: string;
let sendQueue: Queue;
const sessionId = `board${Date.now()}`;
const shots = createTempDir('wagw-board-');
const redis = testRedis();

beforeAll(async () => {
  t = await createTestApp();
  // A per-session send queue as a worker would create it, with one waiting job to show.
  sendQueue = new Queue(sendQueueName(sessionId), { connection: redis, prefix: t.prefix });
  await sendQueue.add('text', { to: 'x' });
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await chromium.launch({
    // Debian's chromium (.ci/run installs it when missing); playwright-core brings no browser.
    executablePath: requireTool('chromium'),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await sendQueue?.obliterate({ force: true });
  await sendQueue?.close();
  await t?.close();
  redis.disconnect();
  shots.cleanup();
});

describe('Bull Board at /admin/queues', () => {
  it('refuses requests without credentials with 401 and a Basic challenge, assets included', async () => {
    for (const url of [
      '/admin/queues',
      '/admin/queues/api/queues',
      '/admin/queues/static/favicon-32x32.png',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="wagw"');
      expect(res.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    }
    const wrong = await t.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { authorization: basic('admin', 'wrong-password-123') },
    });
    expect(wrong.statusCode).toBe(401);
  });

  it('refuses a browser without credentials', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const answered = page.waitForResponse(`${baseUrl}/admin/queues`);
      // Chromium gets the 401 Basic challenge and, with no credentials to offer, gives up.
      await expect(page.goto(`${baseUrl}/admin/queues`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
      expect((await answered).status()).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('accepts X-API-Key and lists every queue, per-session send queues included, read-only', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/admin/queues', headers: AUTH });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const api = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: AUTH });
    expect(api.statusCode).toBe(200);
    const queues = api.json().queues as { name: string; readOnlyMode: boolean }[];
    expect(queues.map((q) => q.name)).toEqual(
      expect.arrayContaining(['session-commands', `send.${sessionId}`]),
    );
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);
  });

  it('renders in Chromium behind Basic auth and shows the queues', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'ops', password: TEST_API_KEY },
    });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${baseUrl}/admin/queues`);
      expect(response?.status()).toBe(200);
      // Rendered by the board's JavaScript, which loads its assets and API with the same credentials.
      await page.getByText(`send.${sessionId}`).first().waitFor({ timeout: 20_000 });
      await page.getByText('session-commands').first().waitFor({ timeout: 5_000 });
      const file = join(shots.path, 'bull-board.png');
      await page.screenshot({ path: file, fullPage: true });
      expect(existsSync(file) && statSync(file).size).toBeGreaterThan(1000);
      if (process.env.WAGW_KEEP_SCREENSHOT) await page.screenshot({ path: process.env.WAGW_KEEP_SCREENSHOT });
    } finally {
      await context.close();
    }
  });

  it('picks up queues created after the board was first shown', async () => {
    const later = new Queue(sendQueueName(`${sessionId}b`), { connection: redis, prefix: t.prefix });
    try {
      await later.getVersion();
      await expect
        .poll(
          async () => {
            const api = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: AUTH });
            return (api.json().queues as { name: string }[]).map((q) => q.name);
          },
          { timeout: 10_000, interval: 500 },
        )
        .toContain(`send.${sessionId}b`);
    } finally {
      await later.obliterate({ force: true });
      await later.close();
    }
  });
});
