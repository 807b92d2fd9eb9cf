import { describe, expect, it } from 'vitest';
import { loadApiConfig, loadWorkerConfig } from './index.js';

const API_KEY = 'k'.repeat(16);

describe('contacts check and session RPC settings', () => {
  it('caches answers a day and allows 1,000 lookups per session and hour by default', () => {
    expect(loadWorkerConfig({}).contactCheck).toEqual({ ttlMs: 86_400_000, perHour: 1000 });
    expect(
      loadWorkerConfig({ CONTACT_CHECK_TTL: '60000', CONTACT_CHECK_PER_HOUR: '500' }).contactCheck,
    ).toEqual({ ttlMs: 60_000, perHour: 500 });
  });

  it.each([
    ['CONTACT_CHECK_TTL', '999'],
    ['CONTACT_CHECK_PER_HOUR', '499'],
    ['CONTACT_CHECK_PER_HOUR', 'lots'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadWorkerConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('waits 20 s for a session RPC by default, and never as long as the request timeout', () => {
    expect(loadApiConfig({ API_KEY }).sessionRpcTimeoutMs).toBe(20_000);
    expect(loadApiConfig({ API_KEY, SESSION_RPC_TIMEOUT: '5000' }).sessionRpcTimeoutMs).toBe(5000);
    expect(() => loadApiConfig({ API_KEY, SESSION_RPC_TIMEOUT: '30000' })).toThrow(/SESSION_RPC_TIMEOUT/);
    // A shorter REQUEST_TIMEOUT alone stays valid: the default follows it.
    expect(loadApiConfig({ API_KEY, REQUEST_TIMEOUT: '5000' }).sessionRpcTimeoutMs).toBe(3333);
    expect(() => loadApiConfig({ API_KEY, REQUEST_TIMEOUT: '5000', SESSION_RPC_TIMEOUT: '5000' })).toThrow(
      /SESSION_RPC_TIMEOUT/,
    );
  });
});
