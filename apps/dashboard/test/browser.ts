/**
 * Shared helpers of the dashboard's browser tests: build the page if needed, launch Debian's
 * chromium through playwright-core, open the dashboard of a running API, sign in, check
 * accessibility with axe and write screenshots to docs/dashboard/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { requireTool } from '@wagw/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const DASHBOARD = fileURLToPath(new URL('..', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SCREENSHOTS = join(ROOT, 'docs', 'dashboard');
// One build at a time on this machine: test files run in parallel, and vite empties dist first.
const LOCK = join(tmpdir(), 'wagw-dashboard-build.lock');

/** The desktop size of the screenshots; the narrow one is 360 px wide, the smallest we support. */
const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 360, height: 740 } as const;

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function isStale(): boolean {
  const built = join(DASHBOARD, 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['src', 'index.html', 'vite.config.ts'].map((p) => newestMtime(join(DASHBOARD, p)));
  return Math.max(...sources) > statSync(built).mtimeMs;
}

/**
 * Runs `npm run build -w @wagw/dashboard` when dist is missing or older than a source file. Test
 * files run in parallel: a lock directory makes one build while the others wait for it.
 */
export async function ensureDashboardBuilt(): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (!isStale()) return;
    try {
      mkdirSync(LOCK);
    } catch {
      // Another file is building; a lock older than the deadline is left over from a crash.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 180_000)
        rmSync(LOCK, { force: true, recursive: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for the dashboard build');
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      if (isStale())
        execFileSync('npm', ['run', 'build', '-w', '@wagw/dashboard'], { cwd: ROOT, stdio: 'pipe' });
      return;
    } finally {
      rmSync(LOCK, { force: true, recursive: true });
    }
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    // Debian's chromium (.ci/run installs it when missing); playwright-core brings no browser.
    executablePath: requireTool('chromium'),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface DashboardTab {
  context: BrowserContext;
  page: Page;
  /** Console errors and failed CSP checks seen so far: a page that works shows none. */
  problems: string[];
}

/** A fresh browser profile (no cookie) with the dashboard of `apiUrl` open at `hash`. */
export async function openDashboard(
  browser: Browser,
  apiUrl: string,
  options: { viewport?: { width: number; height: number }; hash?: string } = {},
): Promise<DashboardTab> {
  const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP, baseURL: apiUrl });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // Error answers of the API (401 signed out, 404 no QR yet, 400 bad input) are the page's to
    // show and the tests check what it shows; anything else logged as an error, CSP refusals
    // included, is a problem.
    const expected = /^Failed to load resource: the server responded with a status of \d{3}/;
    if (message.type() === 'error' && !expected.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  await page.goto(`${apiUrl}/dashboard/${options.hash ?? ''}`);
  return { context, page, problems };
}

/** Signs in through the form and waits for the signed-in shell. */
export async function signIn(page: Page, apiKey: string): Promise<void> {
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 15_000 });
}

/** Waits until the header says the event stream is open. */
export async function waitForLive(page: Page): Promise<void> {
  await page.locator('.stream-open').waitFor({ timeout: 15_000 });
}

/** axe violations of impact serious or critical on the page as it is now. */
export async function seriousA11yViolations(page: Page) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}

/**
 * Writes docs/dashboard/<name>.png and returns its path: the viewport (what a person sees first),
 * or the whole page with `fullPage`.
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', fullPage: options.fullPage ?? false });
  return file;
}

/** True when the page is wider than its viewport (something would scroll sideways). */
export function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}
