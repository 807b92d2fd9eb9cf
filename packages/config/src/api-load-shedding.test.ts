import { describe, expect, it } from 'vitest';
import { ConfigError, loadApiConfig } from './index.js';

const KEY = 'k'.repeat(32);

function load(env: Record<string, string>) {
  return loadApiConfig({ API_KEY: KEY, ...env });
}

function rejection(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadApiConfig to throw');
}

describe('API load shedding, metrics token and cleanup settings', () => {
  it('defaults: 1000 ms loop delay, utilisation and memory limits off, /metrics behind the admin key', () => {
    const config = load({});
    expect(config.loadShedding).toEqual({
      maxEventLoopDelayMs: 1000,
      maxHeapUsedBytes: 0,
      maxRssBytes: 0,
      maxEventLoopUtilization: 0,
    });
    expect(config.metricsToken).toBeUndefined();
    expect(config.metricsPublic).toBe(false);
    expect(config.staleSessionAgeMs).toBe(300_000);
  });

  it('reads every limit', () => {
    const config = load({
      MAX_EVENT_LOOP_DELAY: '250',
      MAX_HEAP_USED_BYTES: '536870912',
      MAX_RSS_BYTES: '1073741824',
      MAX_EVENT_LOOP_UTILIZATION: '0.9',
      METRICS_TOKEN: 'm'.repeat(24),
      STALE_SESSION_AGE: '60000',
    });
    expect(config.loadShedding).toEqual({
      maxEventLoopDelayMs: 250,
      maxHeapUsedBytes: 536_870_912,
      maxRssBytes: 1_073_741_824,
      maxEventLoopUtilization: 0.9,
    });
    expect(config.metricsToken).toBe('m'.repeat(24));
    expect(config.staleSessionAgeMs).toBe(60_000);
  });

  it('accepts 0 to turn each check off and an empty METRICS_TOKEN as unset', () => {
    const config = load({ MAX_EVENT_LOOP_DELAY: '0', MAX_EVENT_LOOP_UTILIZATION: '0', METRICS_TOKEN: '' });
    expect(config.loadShedding.maxEventLoopDelayMs).toBe(0);
    expect(config.loadShedding.maxEventLoopUtilization).toBe(0);
    expect(config.metricsToken).toBeUndefined();
  });

  it.each([
    ['MAX_EVENT_LOOP_DELAY', '-1', /MAX_EVENT_LOOP_DELAY expected an integer from 0/],
    ['MAX_EVENT_LOOP_DELAY', 'fast', /MAX_EVENT_LOOP_DELAY expected an integer/],
    ['MAX_HEAP_USED_BYTES', '1.5', /MAX_HEAP_USED_BYTES expected an integer/],
    ['MAX_RSS_BYTES', '1GB', /MAX_RSS_BYTES expected an integer/],
    ['MAX_EVENT_LOOP_UTILIZATION', '1.5', /MAX_EVENT_LOOP_UTILIZATION expected a number from 0 to 1/],
    ['MAX_EVENT_LOOP_UTILIZATION', 'high', /MAX_EVENT_LOOP_UTILIZATION expected a number/],
    ['METRICS_TOKEN', 'short', /METRICS_TOKEN must be at least 16 characters/],
    ['STALE_SESSION_AGE', '10', /STALE_SESSION_AGE expected an integer from 1000/],
  ])('rejects %s=%s with a message naming it', (variable, value, message) => {
    const err = rejection({ [variable]: value });
    expect(err.message).toMatch(message);
    expect(err.variables).toEqual([variable]);
  });

  it('opens /metrics with METRICS_PUBLIC=true, and refuses it together with METRICS_TOKEN', () => {
    expect(load({ METRICS_PUBLIC: 'true' }).metricsPublic).toBe(true);
    const err = rejection({ METRICS_PUBLIC: 'true', METRICS_TOKEN: 'm'.repeat(24) });
    expect(err.message).toMatch(/METRICS_PUBLIC cannot be true while METRICS_TOKEN is set/);
    expect(err.message).not.toContain('m'.repeat(24));
    expect(rejection({ METRICS_PUBLIC: 'yes please' }).variables).toEqual(['METRICS_PUBLIC']);
  });

  it('never echoes a rejected METRICS_TOKEN', () => {
    expect(rejection({ METRICS_TOKEN: 'abc123' }).message).not.toContain('abc123');
  });
});
