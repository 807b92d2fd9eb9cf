import { describe, expect, it } from 'vitest';
import { ConfigError, loadApiConfig, loadSchedulerConfig, loadWorkerConfig } from './index.js';

const KEY = 'k'.repeat(32);

function apiError(env: Record<string, string>): ConfigError {
  try {
    loadApiConfig({ API_KEY: KEY, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadApiConfig to throw');
}

describe('loadApiConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadApiConfig({ API_KEY: KEY });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      requestTimeoutMs: 30_000,
      database: {
        url: 'file:./data/wagw.db',
        dialect: 'sqlite',
        poolMax: 10,
        connectTimeoutMs: 60_000,
        queryTimeoutMs: 60_000,
        failureThreshold: 3,
      },
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'wagw' },
      healthCheckIntervalMs: 30_000,
      shutdownTimeoutMs: 30_000,
      logLevel: 'info',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadApiConfig({ API_KEY: KEY, PORT: '', LOG_LEVEL: '  ' }).port).toBe(3000);
  });

  it('selects PostgreSQL from a postgres:// URL', () => {
    const config = loadApiConfig({ API_KEY: KEY, DATABASE_URL: 'postgres://u:p@db:5432/wagw' });
    expect(config.database.dialect).toBe('postgres');
  });

  it('accepts a bare path as a SQLite file', () => {
    expect(loadApiConfig({ API_KEY: KEY, DATABASE_URL: '/var/lib/wagw/db.sqlite' }).database.dialect).toBe(
      'sqlite',
    );
  });

  it.each([
    ['PORT', 'abc', /PORT expected an integer from 0 to 65535, got "abc"/],
    ['PORT', '70000', /PORT expected an integer/],
    ['PORT', '3.5', /PORT expected an integer/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL expected a file: path \(SQLite\) or a postgres:\/\/ URL/],
    [
      'REDIS_URL',
      'http://localhost',
      /REDIS_URL expected a redis:, rediss:, redis\+sentinel: or redis\+cluster: URL/,
    ],
    ['REDIS_URL', 'not a url', /REDIS_URL expected a URL/],
    ['REQUEST_TIMEOUT', '-1', /REQUEST_TIMEOUT expected an integer/],
    ['DB_TIMEOUT', '10', /DB_TIMEOUT expected an integer from 100/],
    ['DB_FAILURE_THRESHOLD', '0', /DB_FAILURE_THRESHOLD expected an integer from 1/],
    ['DB_POOL_MAX', '0', /DB_POOL_MAX/],
    ['HEALTH_CHECK_INTERVAL', 'soon', /HEALTH_CHECK_INTERVAL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL expected one of fatal, error/],
    ['NODE_ENV', 'staging', /NODE_ENV expected one of/],
    ['HOST', 'http://x', /HOST expected a hostname or IP address/],
    ['QUEUE_PREFIX', 'a:b', /QUEUE_PREFIX expected 1-64 letters/],
    ['TRUST_PROXY', 'maybe', /TRUST_PROXY expected true or false/],
    ['API_KEY', 'short', /API_KEY must be at least 16 characters/],
  ])('rejects %s=%s with a message naming it', (variable, value, message) => {
    const err = apiError({ [variable]: value });
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
    expect(err.variables).toEqual([variable]);
  });

  it('requires API_KEY', () => {
    expect(() => loadApiConfig({})).toThrow(/API_KEY is required/);
  });

  it('never echoes a password from a bad URL', () => {
    const err = apiError({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(err.message).not.toContain('hunter2');
  });

  it('names every bad variable on one line', () => {
    const err = apiError({ PORT: 'abc', DATABASE_URL: 'mysql://x' });
    expect(err.variables.sort()).toEqual(['DATABASE_URL', 'PORT']);
    expect(err.message.split('\n')).toHaveLength(1);
  });
});

describe('loadWorkerConfig', () => {
  it('applies defaults, including the send breaker threshold', () => {
    const config = loadWorkerConfig({});
    expect(config.sendBreaker).toEqual({ failureThreshold: 5, resetTimeoutMs: 60_000 });
    expect(config.whatsapp.wsUrl).toBe('wss://web.whatsapp.com/ws/chat');
    expect(config.whatsapp.rootPublicKey).toBeUndefined();
    expect(config.maxSessions).toBe(500);
    expect(config.instanceId).toMatch(/^worker-.+-\d+$/);
  });

  it.each([
    ['MSG_FAILURE_THRESHOLD', 'x'],
    ['MAX_SESSIONS_PER_WORKER', '0'],
    ['WA_WS_URL', 'http://127.0.0.1:1/ws'],
    ['LEASE_TTL', '5'],
  ])('rejects %s=%s', (variable, value) => {
    expect(() => loadWorkerConfig({ [variable]: value })).toThrow(
      new RegExp(`^Invalid configuration: ${variable} `),
    );
  });

  it('takes the simulator URL and root key', () => {
    const config = loadWorkerConfig({ WA_WS_URL: 'ws://127.0.0.1:4000/ws/chat', WA_ROOT_PUBLIC_KEY: 'abc=' });
    expect(config.whatsapp).toMatchObject({ wsUrl: 'ws://127.0.0.1:4000/ws/chat', rootPublicKey: 'abc=' });
  });

  it('applies the default socket settings and reconnect schedule', () => {
    const config = loadWorkerConfig({});
    expect(config.whatsapp).toMatchObject({
      keepAliveIntervalMs: 30_000,
      connectTimeoutMs: 60_000,
      defaultQueryTimeoutMs: 60_000,
      retryRequestDelayMs: 250,
      maxMsgRetryCount: 3,
    });
    expect(config.reconnect).toMatchObject({ baseMs: 3000, factor: 2, maxAttempts: 3 });
    expect(config.leaseMarginMs).toBeLessThan(config.leaseTtlMs / 2);
  });

  it.each([
    ['RECONNECT_MAX_ATTEMPTS', '0'],
    ['RECONNECT_CONCURRENCY', 'many'],
    ['WATCHDOG_OPEN_TIMEOUT', '10'],
    ['WA_KEEPALIVE_INTERVAL', '1.5'],
  ])('rejects %s=%s', (variable, value) => {
    expect(() => loadWorkerConfig({ [variable]: value })).toThrow(
      new RegExp(`^Invalid configuration: ${variable} `),
    );
  });
});

describe('loadSchedulerConfig', () => {
  it('defaults CLEANUP_INTERVAL to 30 minutes', () => {
    expect(loadSchedulerConfig({}).cleanupIntervalMs).toBe(1_800_000);
  });

  it('rejects a bad CLEANUP_INTERVAL', () => {
    expect(() => loadSchedulerConfig({ CLEANUP_INTERVAL: 'often' })).toThrow(/CLEANUP_INTERVAL/);
  });

  it('defaults the outbox grace period and reconciliation interval to 30 s', () => {
    expect(loadSchedulerConfig({})).toMatchObject({
      outboxGraceMs: 30_000,
      outboxReconcileIntervalMs: 30_000,
    });
    expect(
      loadSchedulerConfig({ OUTBOX_GRACE_MS: '60000', OUTBOX_RECONCILE_INTERVAL: '5000' }),
    ).toMatchObject({ outboxGraceMs: 60_000, outboxReconcileIntervalMs: 5_000 });
  });

  it.each([
    ['OUTBOX_GRACE_MS', '10'],
    ['OUTBOX_GRACE_MS', 'soon'],
    ['OUTBOX_RECONCILE_INTERVAL', '0'],
  ])('rejects %s=%s', (variable, value) => {
    expect(() => loadSchedulerConfig({ [variable]: value })).toThrow(new RegExp(variable));
  });
});
