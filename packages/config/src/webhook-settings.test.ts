import { describe, expect, it } from 'vitest';
import { ConfigError, loadApiConfig, loadSchedulerConfig, loadWorkerConfig } from './index.js';

// The webhook variables: the common ones (every process) and the worker's delivery settings.
const KEY = 'k'.repeat(32);
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function workerError(env: Record<string, string>): ConfigError {
  try {
    loadWorkerConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadWorkerConfig to throw');
}

describe('common webhook settings', () => {
  it('defaults: nothing allowed, no global webhook, 12 attempts from 5 s', () => {
    for (const config of [loadApiConfig({ API_KEY: KEY }), loadWorkerConfig({}), loadSchedulerConfig({})]) {
      expect(config.webhooks).toEqual({
        allowedNetworks: [],
        global: null,
        retry: { maxAttempts: 12, backoffMs: 5000 },
      });
    }
  });

  it('the default retry schedule spans about 2.8 hours', () => {
    const { maxAttempts, backoffMs } = loadWorkerConfig({}).webhooks.retry;
    const totalMs = Array.from({ length: maxAttempts - 1 }, (_, i) => backoffMs * 2 ** i).reduce(
      (a, b) => a + b,
    );
    expect(totalMs / 3_600_000).toBeCloseTo(2.84, 1);
  });

  it('parses WEBHOOK_ALLOWED_NETWORKS, a bare address meaning one host', () => {
    const config = loadWorkerConfig({
      WEBHOOK_ALLOWED_NETWORKS: ' 10.20.0.0/16, ::1 ,192.168.1.5,fd00::/8,',
    });
    expect(config.webhooks.allowedNetworks).toEqual([
      '10.20.0.0/16',
      '::1/128',
      '192.168.1.5/32',
      'fd00::/8',
    ]);
  });

  it.each([
    ['10.0.0.0/33', /prefix length must be an integer from 0 to 32/],
    ['fd00::/129', /prefix length must be an integer from 0 to 128/],
    ['10.0.0.0/x', /"10\.0\.0\.0\/x"/],
    ['intranet.local', /"intranet\.local" \(not an IP address\)/],
    ['10.0.0.256', /"10\.0\.0\.256"/],
  ])('refuses WEBHOOK_ALLOWED_NETWORKS entry %s with a message naming the variable', (entry, message) => {
    const err = workerError({ WEBHOOK_ALLOWED_NETWORKS: `127.0.0.0/8,${entry}` });
    expect(err.variables).toEqual(['WEBHOOK_ALLOWED_NETWORKS']);
    expect(err.message).toMatch(
      /^Invalid configuration: WEBHOOK_ALLOWED_NETWORKS expected IP addresses or CIDRs/,
    );
    expect(err.message).toMatch(message);
  });

  it('builds the global webhook from WEBHOOK_URL, WEBHOOK_EVENTS and WEBHOOK_SECRET', () => {
    const config = loadApiConfig({
      API_KEY: KEY,
      WEBHOOK_URL: 'https://hooks.example.com/wagw',
      WEBHOOK_EVENTS: 'message.*, session.status',
      WEBHOOK_SECRET: SECRET,
    });
    expect(config.webhooks.global).toEqual({
      url: 'https://hooks.example.com/wagw',
      events: ['message.*', 'session.status'],
      secret: SECRET,
    });
  });

  it('defaults the global webhook to every event, unsigned', () => {
    expect(loadWorkerConfig({ WEBHOOK_URL: 'http://receiver:8080/hook' }).webhooks.global).toEqual({
      url: 'http://receiver:8080/hook',
      events: ['*'],
      secret: null,
    });
  });

  it('accepts a plain-text secret of 16+ printable characters', () => {
    const config = loadWorkerConfig({
      WEBHOOK_URL: 'https://x.example/',
      WEBHOOK_SECRET: 'a shared secret!',
    });
    expect(config.webhooks.global?.secret).toBe('a shared secret!');
  });

  it('has no global webhook without a URL, even with a secret', () => {
    expect(loadWorkerConfig({ WEBHOOK_SECRET: SECRET }).webhooks.global).toBeNull();
  });

  it.each([
    ['WEBHOOK_URL', 'ftp://files.example.com/', /WEBHOOK_URL expected an http or https URL, got "ftp:"/],
    ['WEBHOOK_URL', 'not a url', /WEBHOOK_URL expected an http or https URL/],
    ['WEBHOOK_URL', 'https://user:pw@x.example/', /WEBHOOK_URL must not contain a user name or password/],
    ['WEBHOOK_EVENTS', 'message', /WEBHOOK_EVENTS expected a comma list of events/],
    ['WEBHOOK_EVENTS', 'message.*,Session.Status', /"Session\.Status"/],
    ['WEBHOOK_EVENTS', ' , ', /WEBHOOK_EVENTS expected/],
    ['WEBHOOK_SECRET', 'short', /WEBHOOK_SECRET expected whsec_/],
    ['WEBHOOK_SECRET', 'whsec_c2hvcnQ=', /WEBHOOK_SECRET expected whsec_/],
    ['WEBHOOK_MAX_ATTEMPTS', '0', /WEBHOOK_MAX_ATTEMPTS expected an integer from 1 to 50/],
    ['WEBHOOK_MAX_ATTEMPTS', '51', /WEBHOOK_MAX_ATTEMPTS expected an integer from 1 to 50/],
    ['WEBHOOK_BACKOFF_DELAY', '9', /WEBHOOK_BACKOFF_DELAY expected an integer from 10/],
  ])('refuses %s=%s', (variable, value, message) => {
    const err = workerError({ [variable]: value });
    expect(err.variables).toEqual([variable]);
    expect(err.message).toMatch(message);
  });

  it('never echoes a rejected secret or URL password', () => {
    expect(workerError({ WEBHOOK_SECRET: 'hunter2' }).message).not.toContain('hunter2');
    expect(workerError({ WEBHOOK_URL: 'https://u:hunter2@x.example/' }).message).not.toContain('hunter2');
  });

  it('reads the retry policy', () => {
    const config = loadApiConfig({ API_KEY: KEY, WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_BACKOFF_DELAY: '100' });
    expect(config.webhooks.retry).toEqual({ maxAttempts: 3, backoffMs: 100 });
  });
});

describe('worker webhook delivery settings', () => {
  it('applies the defaults', () => {
    expect(loadWorkerConfig({}).webhookDelivery).toEqual({
      timeoutMs: 10_000,
      concurrency: 50,
      endpointConcurrency: 5,
      breaker: { threshold: 5, resetMs: 30_000 },
      lockDurationMs: 30_000,
      claimIdleMs: 30_000,
    });
  });

  it('reads overrides', () => {
    const config = loadWorkerConfig({
      WEBHOOK_TIMEOUT: '2000',
      WEBHOOK_CONCURRENCY: '200',
      WEBHOOK_ENDPOINT_CONCURRENCY: '1',
      WEBHOOK_BREAKER_THRESHOLD: '3',
      WEBHOOK_BREAKER_RESET: '1000',
      WEBHOOK_LOCK_DURATION: '5000',
      WEBHOOK_CLAIM_IDLE: '500',
    });
    expect(config.webhookDelivery).toEqual({
      timeoutMs: 2000,
      concurrency: 200,
      endpointConcurrency: 1,
      breaker: { threshold: 3, resetMs: 1000 },
      lockDurationMs: 5000,
      claimIdleMs: 500,
    });
  });

  it.each([
    ['WEBHOOK_TIMEOUT', '99'],
    ['WEBHOOK_TIMEOUT', '120001'],
    ['WEBHOOK_CONCURRENCY', '0'],
    ['WEBHOOK_CONCURRENCY', '1001'],
    ['WEBHOOK_ENDPOINT_CONCURRENCY', '0'],
    ['WEBHOOK_BREAKER_THRESHOLD', '0'],
    ['WEBHOOK_BREAKER_RESET', '99'],
    ['WEBHOOK_LOCK_DURATION', '999'],
    ['WEBHOOK_CLAIM_IDLE', '99'],
    ['WEBHOOK_CLAIM_IDLE', 'soon'],
  ])('rejects %s=%s', (variable, value) => {
    expect(() => loadWorkerConfig({ [variable]: value })).toThrow(
      new RegExp(`^Invalid configuration: ${variable} expected an integer`),
    );
  });

  it('is not part of the API configuration', () => {
    expect('webhookDelivery' in loadApiConfig({ API_KEY: KEY })).toBe(false);
  });
});
