import { describe, expect, it } from 'vitest';
import { defaultDashboardConfig, loadApiConfig } from './index.js';

// The API's dashboard variables (DASHBOARD_*), one test per rule.
const KEY = 'k'.repeat(32);
const dashboard = (env: Record<string, string> = {}) => loadApiConfig({ API_KEY: KEY, ...env }).dashboard;

describe('DASHBOARD_SESSION_TTL', () => {
  it('defaults to 12 h', () => {
    expect(dashboard().sessionTtlMs).toBe(12 * 3600_000);
  });

  it('accepts a value from 1 min to 30 days', () => {
    expect(dashboard({ DASHBOARD_SESSION_TTL: '60000' }).sessionTtlMs).toBe(60_000);
    expect(dashboard({ DASHBOARD_SESSION_TTL: String(30 * 24 * 3600_000) }).sessionTtlMs).toBe(2_592_000_000);
  });

  it.each(['59999', '2592000001', '12h', '-1'])('rejects %s', (value) => {
    expect(() => dashboard({ DASHBOARD_SESSION_TTL: value })).toThrow(
      /DASHBOARD_SESSION_TTL expected an integer from 60000 to 2592000000/,
    );
  });
});

describe('DASHBOARD_COOKIE_SECRET', () => {
  it('is used as set', () => {
    const secret = 's'.repeat(32);
    expect(dashboard({ DASHBOARD_COOKIE_SECRET: secret }).cookieSecret).toBe(secret);
  });

  it('unset: derived from API_KEY, the same on every replica, different for another key', () => {
    const derived = dashboard().cookieSecret;
    expect(derived).toHaveLength(43);
    expect(derived).not.toContain(KEY);
    expect(dashboard().cookieSecret).toBe(derived);
    expect(loadApiConfig({ API_KEY: 'other-key-'.repeat(4) }).dashboard.cookieSecret).not.toBe(derived);
  });

  it('is not the derived media link secret (one secret never signs the other kind)', () => {
    const config = loadApiConfig({ API_KEY: KEY });
    expect(config.dashboard.cookieSecret).not.toBe(config.media.urlSecret);
  });

  it('rejects a secret shorter than 32 characters without echoing it', () => {
    let message = '';
    try {
      dashboard({ DASHBOARD_COOKIE_SECRET: 'short-secret-value' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/DASHBOARD_COOKIE_SECRET must be at least 32 characters when set/);
    expect(message).not.toContain('short-secret-value');
  });
});

describe('defaultDashboardConfig', () => {
  it('is what an environment without the variables gives', () => {
    expect(defaultDashboardConfig(KEY)).toEqual(dashboard());
  });
});
