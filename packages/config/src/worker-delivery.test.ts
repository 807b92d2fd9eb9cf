import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './index.js';

describe('loadWorkerConfig: delivery', () => {
  it('applies the documented pacing and delivery defaults', () => {
    const config = loadWorkerConfig({});
    expect(config.delivery).toEqual({
      perMinute: 20,
      jitterMs: 1500,
      typing: { enabled: false, msPerChar: 40, maxMs: 5000 },
      dailyCap: { max: 0, base: 50 },
      ackTimeoutMs: 15_000,
      lockDurationMs: 15_000,
      consumerIdleMs: 30_000,
      profilePictureTimeoutMs: 5000,
    });
    expect(config.database).toMatchObject({ failureThreshold: 3, resetTimeoutMs: 30_000 });
  });

  it('reads overrides', () => {
    const config = loadWorkerConfig({
      SEND_RATE_PER_MINUTE: '10',
      SEND_JITTER_MS: '0',
      SEND_TYPING: 'true',
      SEND_DAILY_CAP: '1000',
      SEND_DAILY_CAP_BASE: '20',
      SEND_LOCK_DURATION: '5000',
      SEND_CONSUMER_IDLE: '2000',
    });
    expect(config.delivery).toMatchObject({
      perMinute: 10,
      jitterMs: 0,
      typing: { enabled: true },
      dailyCap: { max: 1000, base: 20 },
      lockDurationMs: 5000,
      consumerIdleMs: 2000,
    });
  });

  it.each([
    ['SEND_RATE_PER_MINUTE', '0'],
    ['SEND_RATE_PER_MINUTE', 'fast'],
    ['SEND_JITTER_MS', '-1'],
    ['SEND_TYPING', 'maybe'],
    ['SEND_TYPING_MS_PER_CHAR', '0'],
    ['SEND_TYPING_MAX_MS', '60001'],
    ['SEND_DAILY_CAP', '-5'],
    ['SEND_DAILY_CAP_BASE', '0'],
    ['SEND_ACK_TIMEOUT', '10'],
    ['SEND_LOCK_DURATION', '999'],
    ['PROFILE_PICTURE_TIMEOUT', '50'],
  ])('rejects %s=%s', (variable, value) => {
    expect(() => loadWorkerConfig({ [variable]: value })).toThrow(
      new RegExp(`^Invalid configuration: ${variable} `),
    );
  });
});
