import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './index.js';

// The API's operations variables (rate limiting, Bull Board), one test per rule.
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
