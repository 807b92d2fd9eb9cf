import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../worker/test/harness.js';
import { type Receiver, startReceiver } from '../../worker/test/webhook-receiver.js';
import {
  type DashboardTab,
  ensureDashboardBuilt,
  launchChromium,
  openDashboard,
  overflowsHorizontally,
  PHONE,
  screenshot,
  seriousA11yViolations,
  signIn,
} from './browser.js';

/**
 * The Webhooks view against the real gateway (API process serving /dashboard, a worker process
 * delivering webhooks) and real HTTP receivers on loopback: create, test, fail, dead-letter,
 * replay, edit, discard, as an operator does it in the browser.
 */

// Two attempts 300 ms apart (± jitter) and a 3 s attempt timeout: a failing receiver produces a
// dead letter within seconds. The API enqueues tests and replays with the same policy.
const WEBHOOK_ENV = { WEBHOOK_MAX_ATTEMPTS: '2', WEBHOOK_BACKOFF_DELAY: '300', WEBHOOK_TIMEOUT: '3000' };

let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let browser: Browser;
let tab: DashboardTab;
let adminKey: string;
let failing: Receiver;
let bystander: Receiver;
let sessionId: string;
let webhookId: string;
let secret: string;

beforeAll(async () => {
  await ensureDashboardBuilt();
  gw = await startGateway({ workerEnv: WEBHOOK_ENV });
  [api] = await Promise.all([gw.startApi(WEBHOOK_ENV), gw.startWorker('w1')]);
  const created = await api.call('POST', '/api/keys', { name: 'webhooks e2e', sessionId: null });
  adminKey = ((await created.json()) as { key: string }).key;
  failing = await startReceiver({ reply: () => ({ status: 500, body: 'receiver is down' }) });
  bystander = await startReceiver();
  // A session that is not running: it publishes no events, so every delivery here is a test event.
  sessionId = (await gw.db.repos.sessions.create({ name: 'support line' })).id;
  browser = await launchChromium();
  tab = await openDashboard(browser, api.url, { hash: '#/webhooks' });
}, 120_000);

afterAll(async () => {
  await tab?.context.close();
  await browser?.close();
  await Promise.all([failing?.stop(), bystander?.stop()]);
  await gw?.close();
});

const idOf = (r: Receiver['requests'][number]) => r.headers['webhook-id'];

/** Verifies a delivery's Standard Webhooks signature with the secret the page showed, independently of our code. */
function signedWith(key: string, request: Receiver['requests'][number]): boolean {
  const raw = key.startsWith('whsec_') ? Buffer.from(key.slice(6), 'base64') : Buffer.from(key);
  const expected = createHmac('sha256', raw)
    .update(`${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`)
    .digest();
  return String(request.headers['webhook-signature'] ?? '')
    .split(' ')
    .some((entry) => {
      const given = Buffer.from(entry.split(',')[1] ?? '', 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/** The "Send test event" button of the open webhook; resolves with the queued event's id. */
async function sendTestEvent(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Send test event' }).click();
  const note = page.locator('.notice', { hasText: 'Test event' });
  await note.waitFor({ timeout: 15_000 });
  const eventId = /Test event (\S+) queued/.exec((await note.textContent()) ?? '')?.[1];
  if (!eventId) throw new Error('the page did not say which test event it queued');
  return eventId;
}

const detail = (page: Page) => page.locator('.webhook-detail');
const deadLetterRow = (page: Page, eventId: string) =>
  detail(page).locator(`.dead-letters tr[data-event-id="${eventId}"]`);

describe('dashboard: webhooks in a real browser against the real gateway', () => {
  it('creates a session webhook from the page; bad input shows the API code and message', async () => {
    const { page } = tab;
    await signIn(page, adminKey);
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New webhook' }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'New webhook' }) });

    // A private address the SSRF guard refuses (only 127.0.0.0/8 is allowed here).
    await form.getByLabel('Endpoint URL', { exact: true }).fill('http://10.20.30.40/hook');
    await form.getByLabel('Session', { exact: true }).selectOption({ label: 'support line' });
    await form.getByRole('button', { name: 'Create webhook' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toMatch(/^WEBHOOK_URL_FORBIDDEN: address 10.20.30.40 is in a private/);
    await form.getByLabel('Endpoint URL', { exact: true }).fill(failing.url);
    await form.getByLabel('Events', { exact: true }).fill('session.*, message.sent');
    await form.getByRole('button', { name: 'Create webhook' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toMatch(/^VALIDATION_FAILED: unknown event filter "message.sent"/);

    await form.getByLabel('Events', { exact: true }).fill('session.*');
    await form.getByRole('button', { name: 'Create webhook' }).click();
    const shown = page.locator('[data-secret]');
    await shown.waitFor();
    secret = (await shown.textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.locator('[data-secret]').count()).toBe(0);

    const hooks = (await (await api.call('GET', `/api/sessions/${sessionId}/webhooks`)).json()) as {
      items: Array<{ id: string; url: string; events: string[]; secretPrefix: string }>;
    };
    expect(hooks.items).toHaveLength(1);
    const hook = hooks.items[0]!;
    expect(hook).toMatchObject({ url: failing.url, events: ['session.*'] });
    expect(secret.startsWith(hook.secretPrefix)).toBe(true);
    webhookId = hook.id;
    // The new webhook is listed and opened.
    await page.locator(`tr[data-webhook-id="${webhookId}"]`).waitFor();
    await detail(page)
      .getByRole('heading', { name: `Webhook ${failing.url}` })
      .waitFor();
  }, 90_000);

  it('a failing receiver turns the test event into a dead letter on the page; replay delivers it once', async () => {
    const { page } = tab;
    // Another webhook of the same session: the test event must not reach it.
    const other = await api.call('POST', `/api/sessions/${sessionId}/webhooks`, { url: bystander.url });
    expect(other.status).toBe(201);

    const started = Date.now();
    const eventId = await sendTestEvent(page);
    await deadLetterRow(page, eventId).waitFor({ timeout: 30_000 });
    console.log(`dead letter shown ${Date.now() - started} ms after "Send test event"`);
    expect(failing.requests.filter((r) => idOf(r) === eventId).map((r) => r.status)).toEqual([500, 500]);
    const row = deadLetterRow(page, eventId);
    expect(await row.textContent()).toContain('HTTP 500');
    expect(await row.textContent()).toContain('2 attempts');
    // Each attempt is in the recent deliveries, with its HTTP status and latency.
    const attempts = detail(page).locator(`.deliveries tr[data-event-id="${eventId}"]`);
    await expect.poll(() => attempts.count(), { timeout: 10_000 }).toBe(2);
    expect(await attempts.first().getAttribute('data-outcome')).toBe('dead_lettered');
    expect(await attempts.last().getAttribute('data-outcome')).toBe('retrying');
    expect(await attempts.first().locator('[data-label="HTTP"]').textContent()).toBe('500');
    expect(await attempts.first().locator('[data-label="Latency"]').textContent()).toMatch(/^\d+ ms$/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'webhooks', { fullPage: true });

    // The receiver is fixed; replay from the page.
    failing.setReply(() => ({ status: 204 }));
    await row.getByRole('button', { name: `Replay webhook.test ${eventId}` }).click();
    await deadLetterRow(page, eventId).waitFor({ state: 'detached', timeout: 30_000 });
    await detail(page)
      .locator(`.deliveries tr[data-event-id="${eventId}"][data-outcome="delivered"]`)
      .waitFor();
    await detail(page).getByText('None: every delivery got through or is still being retried.').waitFor();

    // Barrier: a later test event through the same path has arrived, so a duplicate would have too.
    const marker = await sendTestEvent(page);
    await gw.waitFor('the marker test event', async () => failing.requests.some((r) => idOf(r) === marker));
    const deliveries = failing.requests.filter((r) => idOf(r) === eventId);
    expect(deliveries.map((r) => r.status)).toEqual([500, 500, 204]);
    const delivered = deliveries[2]!;
    expect(JSON.parse(delivered.body)).toMatchObject({ id: eventId, event: 'webhook.test', sessionId });
    expect(delivered.headers['x-wagw-attempt']).toBe('3');
    expect(signedWith(secret, delivered)).toBe(true);
    expect(signedWith(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, delivered)).toBe(false);
    // Delivered to the webhook it was sent from, never to the other one.
    expect(bystander.requests).toEqual([]);
    expect(
      (await (await api.call('GET', `/api/webhooks/${webhookId}/dead-letters`)).json()) as unknown,
    ).toMatchObject({ items: [] });
    expect(tab.problems).toEqual([]);
  }, 90_000);

  it('edits, disables and enables the webhook, and discards a dead letter', async () => {
    const { page } = tab;
    await detail(page).getByRole('button', { name: 'Edit' }).click();
    const form = detail(page).locator('form');
    await form.getByLabel('Events', { exact: true }).fill('message.nope');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toMatch(/^VALIDATION_FAILED: unknown event/);
    await form.getByLabel('Events', { exact: true }).fill('session.status, webhook.*');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await detail(page).locator('dd', { hasText: 'session.status, webhook.*' }).waitFor();
    const stored = await gw.db.repos.webhooks.getById(webhookId);
    expect(stored?.events).toEqual(['session.status', 'webhook.*']);

    await detail(page).getByRole('button', { name: 'Disable' }).click();
    await detail(page).locator('.summary .badge', { hasText: 'disabled' }).waitFor();
    expect(await detail(page).getByRole('button', { name: 'Send test event' }).isDisabled()).toBe(true);
    expect((await gw.db.repos.webhooks.getById(webhookId))?.enabled).toBe(false);
    await detail(page).getByRole('button', { name: 'Enable' }).click();
    await detail(page).locator('.summary .badge', { hasText: 'enabled' }).waitFor();

    failing.setReply(() => ({ status: 503 }));
    const eventId = await sendTestEvent(page);
    const row = deadLetterRow(page, eventId);
    await row.waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: `Discard webhook.test ${eventId}` }).click();
    await row.getByRole('button', { name: 'Yes, discard' }).click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    const left = (await (await api.call('GET', `/api/webhooks/${webhookId}/dead-letters`)).json()) as {
      items: unknown[];
    };
    expect(left.items).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.setViewportSize(PHONE);
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'webhooks-360');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(tab.problems).toEqual([]);
  }, 90_000);

  it('a per-session key sees and tests only its own session’s webhooks', async () => {
    const otherSession = await gw.db.repos.sessions.create({ name: 'elsewhere' });
    await api.call('POST', `/api/sessions/${otherSession.id}/webhooks`, { url: bystander.url });
    await api.call('POST', '/api/webhooks', { url: bystander.url, sessionId: null });
    const made = await api.call('POST', '/api/keys', { name: 'support only', sessionId });
    const sessionKey = ((await made.json()) as { key: string }).key;

    const own = await openDashboard(browser, api.url, { hash: '#/webhooks' });
    try {
      await signIn(own.page, sessionKey);
      await own.page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
      const rows = own.page.locator('tr[data-webhook-id]');
      await expect.poll(() => rows.count()).toBe(2);
      const listed = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-webhook-id')));
      const mine = (await gw.db.repos.webhooks.list({ sessionId })).map((w) => w.id);
      expect(listed.sort()).toEqual(mine.sort());
      expect(await own.page.getByText('All sessions (global)').count()).toBe(0);
      // No scope to choose: a session key creates webhooks for its own session only.
      await own.page.getByRole('button', { name: 'New webhook' }).click();
      expect(await own.page.getByLabel('Session', { exact: true }).count()).toBe(0);
      expect(await seriousA11yViolations(own.page)).toEqual([]);
    } finally {
      await own.context.close();
    }
  }, 60_000);
});
