import jsQRModule from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../worker/test/harness.js';
import {
  type DashboardTab,
  ensureDashboardBuilt,
  launchChromium,
  openDashboard,
  overflowsHorizontally,
  PHONE,
  screenshot,
  seriousA11yViolations,
  waitForLive,
} from './browser.js';

// jsqr is CommonJS typed as an ES default export; at runtime the callable sits on `.default`.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = (jsQRModule as unknown as { default: Decode }).default;

/**
 * The dashboard against the real gateway: API process serving /dashboard, worker processes, the
 * WhatsApp simulator. What a person does in the browser, step by step, on one session.
 */
let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let browser: Browser;
let tab: DashboardTab;
let adminKey: string;
let sessionId: string;

beforeAll(async () => {
  await ensureDashboardBuilt();
  gw = await startGateway({ workerEnv: { SEND_JITTER_MS: '0', SEND_RATE_PER_MINUTE: '600' } });
  [api] = await Promise.all([gw.startApi(), gw.startWorker('w1')]);
  // A stored admin key, created through the API like an operator would.
  const created = await api.call('POST', '/api/keys', { name: 'dashboard e2e', sessionId: null });
  adminKey = ((await created.json()) as { key: string }).key;
  browser = await launchChromium();
  tab = await openDashboard(browser, api.url);
}, 120_000);

afterAll(async () => {
  await tab?.context.close();
  await browser?.close();
  await gw?.close();
});

/** Marks the document; the mark survives only as long as the page is not reloaded. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    document.documentElement.dataset.e2eMark = 'kept';
  });
}

async function pageWasNotReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.dataset.e2eMark === 'kept');
}

/** The QR the page shows, read from the <img> pixels and decoded as a phone camera would. */
async function qrShownOnPage(page: Page): Promise<string> {
  const img = page.locator('.qr img');
  await img.waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => {
    const el = document.querySelector<HTMLImageElement>('.qr img');
    return el?.complete && el.naturalWidth > 0;
  });
  const { size, pixels } = await img.evaluate((el: HTMLImageElement) => {
    const side = 400;
    const canvas = document.createElement('canvas');
    canvas.width = side;
    canvas.height = side;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, side, side);
    // A quiet zone around the code, as on a screen.
    ctx.drawImage(el, 20, 20, side - 40, side - 40);
    const data = ctx.getImageData(0, 0, side, side).data;
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000) {
      binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    }
    return { size: side, pixels: btoa(binary) };
  });
  const decoded = jsQR(new Uint8ClampedArray(Buffer.from(pixels, 'base64')), size, size);
  if (!decoded) throw new Error('the QR shown on the page does not decode');
  return decoded.data;
}

describe('dashboard: sessions in a real browser against the real gateway', () => {
  it('shows the sign-in form, refuses a wrong key with the API code, and signs in', async () => {
    const { page } = tab;
    await page.getByRole('heading', { name: 'Sign in to wagw' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');

    await page.getByLabel('API key').fill('not-a-key-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^UNAUTHORIZED: /);

    // By keyboard only: Tab reaches the key field (focus visible), Enter submits.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to wagw' }).waitFor();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { id: el.id, outline: getComputedStyle(el).outlineStyle };
    });
    expect(focused).toEqual({ id: 'api-key', outline: 'solid' });
    await page.keyboard.type(adminKey);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 15_000 });
    await waitForLive(page);
    await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
    // The first Tab stop of the signed-in page skips to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
  }, 60_000);

  it('creates a session, shows its QR, and turns to open by itself when the phone scans it', async () => {
    const { page } = tab;
    await page.getByLabel('Name').fill('front desk');
    await page.getByRole('button', { name: 'Create and pair' }).click();
    await page.waitForURL(/#\/pair\//);
    sessionId = decodeURIComponent(page.url().split('#/pair/')[1]!);
    await page.getByRole('heading', { name: 'Pair front desk' }).waitFor();

    const shown = await qrShownOnPage(page);
    // The page shows the session's current QR (the one the worker holds), not some other code.
    const current = await api.call('GET', `/api/sessions/${sessionId}/qr?format=raw`);
    expect(await current.text()).toBe(shown);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'pairing');

    // A new QR replaces the old one on the page. WhatsApp rotates refs after 60 s and then every
    // 20 s; a restart of the socket makes it show a new one at once, through the same event.
    await markPage(page);
    expect((await api.call('POST', `/api/sessions/${sessionId}/restart`)).status).toBe(202);
    let replaced = shown;
    await expect
      .poll(
        async () => {
          replaced = await qrShownOnPage(page).catch(() => shown);
          return replaced;
        },
        { timeout: 30_000, interval: 250 },
      )
      .not.toBe(shown);
    expect(await (await api.call('GET', `/api/sessions/${sessionId}/qr?format=raw`)).text()).toBe(replaced);

    const started = Date.now();
    await gw.sim.scan(replaced);
    await page.getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
    await page.locator('.status-line [data-status="open"]').waitFor();
    console.log(`pairing page showed open ${Date.now() - started} ms after the scan`);
    expect(await pageWasNotReloaded(page)).toBe(true);
    expect((await gw.db.repos.sessions.getById(sessionId))?.status).toBe('open');
  }, 90_000);

  it('sends a test message from the page and follows it to read; shows an inbound one live', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'Open the session' }).click();
    await page.getByRole('heading', { name: 'front desk', level: 1 }).waitFor();
    await markPage(page);

    // Bad input: the API's code and message, as they are.
    await page.getByLabel('To (phone number)').fill('not a number');
    await page.getByLabel('Text').fill('hello?');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^INVALID_RECIPIENT: /);

    const bob = gw.sim.messaging.addContact({ phone: '15557654321', name: 'Bob' });
    const text = `Hello Bob, from the dashboard ${Date.now()}`;
    await page.getByLabel('To (phone number)').fill('+15557654321');
    await page.getByLabel('Text').fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
    const row = page.locator('tr', { hasText: text });
    await row.waitFor({ timeout: 15_000 });
    const got = await gw.sim.messaging.waitForMessage((m) => m.text === text && !m.ownDevice, 30_000);
    await row.locator('[data-status="sent"]').waitFor({ timeout: 30_000 });
    await bob.receipt(got.id, 'delivery');
    await row.locator('[data-status="delivered"]').waitFor({ timeout: 30_000 });
    await bob.receipt(got.id, 'read');
    await row.locator('[data-status="read"]').waitFor({ timeout: 30_000 });

    const me = (await gw.db.repos.sessions.getById(sessionId))!.meJid!;
    const reply = `Thanks! ${Date.now()}`;
    await bob.sendText(me.split(/[:@]/)[0]!, reply);
    await page
      .locator('tr', { hasText: reply })
      .locator('[data-status="received"]')
      .waitFor({ timeout: 30_000 });

    // The history shows the pairing's transitions, with the 515 restart of the second pairing step.
    const history = page.locator('.history tbody tr');
    await expect.poll(() => history.count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('.history').textContent()).toContain('515');
    expect(await pageWasNotReloaded(page)).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'session-detail', { fullPage: true });
  }, 120_000);

  it('pairs by phone number instead: shows the code the worker got from WhatsApp, or the API error', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'Sessions', exact: true }).click();
    await page.getByLabel('Name').fill('by code');
    await page.getByRole('button', { name: 'Create and pair' }).click();
    await page.getByRole('heading', { name: 'Pair by code' }).waitFor();
    // The code is asked of the socket that shows a QR: wait until there is one.
    await page.locator('.status-line [data-status="qr"]').waitFor({ timeout: 30_000 });

    await page.getByLabel('Phone number of the WhatsApp account').fill('12');
    await page.getByRole('button', { name: 'Get a pairing code' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^INVALID_PHONE: /);

    await page.getByLabel('Phone number of the WhatsApp account').fill('+15550001234');
    await page.getByRole('button', { name: 'Get a pairing code' }).click();
    const code = page.getByTestId('pairing-code');
    await code.waitFor({ timeout: 30_000 });
    expect(await code.textContent()).toMatch(/^[A-Z0-9]{8}$/);
    expect(await page.getByRole('alert').count()).toBe(0);
    // Baileys announced the code flow for that number to the (simulated) WhatsApp server.
    await gw.sim.waitFor(
      (entry) =>
        entry.direction === 'in' &&
        JSON.stringify(entry.node).includes('link_code_companion_reg') &&
        JSON.stringify(entry.node).includes('15550001234@s.whatsapp.net'),
      { timeout: 5000, includePast: true },
    );
  }, 60_000);

  it('lists the session with its status, owner and 24 h counts, also at 360 px', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'Sessions', exact: true }).click();
    const row = page.locator(`tr[data-session-id="${sessionId}"]`);
    await row.waitFor();
    await row.locator('[data-status="open"]').waitFor();
    // w1, or one of its peers when the suite runs with several workers (E2E_WORKERS).
    expect(await row.locator('[data-label="Owner worker"]').textContent()).toBe(await gw.ownerOf(sessionId));
    await expect.poll(() => row.locator('[data-label="Sent (24 h)"]').textContent()).toBe('1');
    await expect.poll(() => row.locator('[data-label="Received (24 h)"]').textContent()).toBe('1');
    // A new inbound message: the counts follow the stream's events, without a reload.
    await markPage(page);
    const me = (await gw.db.repos.sessions.getById(sessionId))!.meJid!;
    await gw.sim.messaging.contact('15557654321')!.sendText(me.split(/[:@]/)[0]!, 'one more');
    await expect
      .poll(() => row.locator('[data-label="Received (24 h)"]').textContent(), { timeout: 20_000 })
      .toBe('2');
    expect(await pageWasNotReloaded(page)).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'sessions');

    await page.setViewportSize(PHONE);
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'sessions-360');
    await page.goto(`${api.url}/dashboard/#/sessions/${encodeURIComponent(sessionId)}`);
    await page.getByRole('heading', { name: 'front desk', level: 1 }).waitFor();
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 60_000);

  it('follows a worker crash, the reset of its session and the takeover by another worker without a reload', async () => {
    const { page } = tab;
    await page.goto(`${api.url}/dashboard/#/sessions/${encodeURIComponent(sessionId)}`);
    const owner = await gw.ownerOf(sessionId);
    await page.getByTestId('owner').filter({ hasText: owner! }).waitFor();
    await waitForLive(page);
    await markPage(page);
    // Every status the badge shows from now on, in order.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenStatuses: string[] }).seenStatuses = seen;
      const read = () => {
        const status = document.querySelector('.summary [data-status]')?.getAttribute('data-status');
        if (status && seen.at(-1) !== status) seen.push(status);
      };
      new MutationObserver(read).observe(document.body, { subtree: true, attributes: true, childList: true });
      read();
    });

    // Every worker crashes (w1, and its peers when E2E_WORKERS starts several). With no worker left,
    // the scheduler's stale-session cleanup resets the session once the owner's lease (3 s here) is
    // gone, and the page shows it, without anyone taking the session over.
    for (const id of gw.workerIds()) gw.workers.get(id)?.kill('SIGKILL');
    await gw.startScheduler({ CLEANUP_INTERVAL: '1000', STALE_SESSION_AGE: '1000' });
    await page.getByTestId('owner').filter({ hasText: 'none' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('.summary [data-status]').getAttribute('data-status')).not.toBe('open');
    await gw.startWorker('w2');
    const killed = Date.now();
    await page.getByTestId('owner').filter({ hasText: 'w2' }).waitFor({ timeout: 45_000 });
    await page.locator('.summary [data-status="open"]').waitFor({ timeout: 45_000 });
    console.log(`page showed w2 owning the session open ${Date.now() - killed} ms after w2 started`);
    const seen = await page.evaluate(() => (window as unknown as { seenStatuses: string[] }).seenStatuses);
    console.log(`badge showed ${seen.join(' → ')}`);
    // w2's transitions, added to the history live, ending in open.
    const w2Rows = page.locator('.history tbody tr', { hasText: 'w2' });
    await expect.poll(() => w2Rows.locator('td[data-label="To"] [data-status="open"]').count()).toBe(1);
    expect(await w2Rows.count()).toBeGreaterThanOrEqual(2);
    // The scheduler's reset, added live: open → starting, no worker.
    const reset = page.locator('.history tbody tr', { hasText: 'stale: no live owner' });
    expect(await reset.locator('td[data-label="From"] [data-status="open"]').count()).toBe(1);
    expect(await reset.locator('td[data-label="Worker"]').first().textContent()).toBe('—');
    expect(await pageWasNotReloaded(page)).toBe(true);
    expect(tab.problems).toEqual([]);
  }, 90_000);
});
