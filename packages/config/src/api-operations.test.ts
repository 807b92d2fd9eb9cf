import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './index.js';

// The API's operations variables (rate limiting, body limits, Bull Board), one test per rule.
const KEY = 'k'.repeat(32);

describe('RATE_LIMIT_PER_MINUTE', () => {
  it('defaults to 600', () => {
    expect(loadApiConfig({ API_KEY: KEY }).rateLimitPerMinute).toBe(600);
  });

  it('accepts 0, which turns rate limiting off', () => {
    expect(loadApiConfig({ API_KEY: KEY, RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute).toBe(0);
  });

  it.each(['-1', '1.5', 'many', '1000001'])('rejects %s', (value) => {
    expect(() => loadApiConfig({ API_KEY: KEY, RATE_LIMIT_PER_MINUTE: value })).toThrow(
      /RATE_LIMIT_PER_MINUTE expected an integer from 0 to 1000000/,
    );
  });
});

describe('BULL_BOARD_READ_ONLY', () => {
  it('defaults to read-only', () => {
    expect(loadApiConfig({ API_KEY: KEY }).bullBoardReadOnly).toBe(true);
  });

  it('can be switched off explicitly', () => {
    expect(loadApiConfig({ API_KEY: KEY, BULL_BOARD_READ_ONLY: 'false' }).bullBoardReadOnly).toBe(false);
  });

  it('rejects anything but a boolean', () => {
    expect(() => loadApiConfig({ API_KEY: KEY, BULL_BOARD_READ_ONLY: 'sometimes' })).toThrow(
      /BULL_BOARD_READ_ONLY expected true or false/,
    );
  });
});

describe('AUTH_FAILURES_PER_MINUTE', () => {
  it('defaults to 20 and accepts 0 (off)', () => {
    expect(loadApiConfig({ API_KEY: KEY }).authFailuresPerMinute).toBe(20);
    expect(loadApiConfig({ API_KEY: KEY, AUTH_FAILURES_PER_MINUTE: '0' }).authFailuresPerMinute).toBe(0);
  });

  it.each(['-1', '2.5', 'lots'])('rejects %s', (value) => {
    expect(() => loadApiConfig({ API_KEY: KEY, AUTH_FAILURES_PER_MINUTE: value })).toThrow(
      /AUTH_FAILURES_PER_MINUTE expected an integer from 0/,
    );
  });
});

describe('BODY_LIMIT and BULK_BODY_LIMIT', () => {
  it('default to 1 MiB on every route and 16 MiB for bulk sends', () => {
    const config = loadApiConfig({ API_KEY: KEY });
    expect(config.bodyLimit).toBe(1024 * 1024);
    expect(config.bulkBodyLimit).toBe(16 * 1024 * 1024);
  });

  it('reads both', () => {
    const config = loadApiConfig({ API_KEY: KEY, BODY_LIMIT: '65536', BULK_BODY_LIMIT: '4194304' });
    expect(config.bodyLimit).toBe(65_536);
    expect(config.bulkBodyLimit).toBe(4_194_304);
  });

  it.each(['BODY_LIMIT', 'BULK_BODY_LIMIT'])('rejects %s under 1024 bytes', (variable) => {
    expect(() => loadApiConfig({ API_KEY: KEY, [variable]: '100' })).toThrow(
      new RegExp(`${variable} expected an integer from 1024`),
    );
  });
});
