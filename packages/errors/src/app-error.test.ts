import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from './app-error.js';
import { ERROR_CODES } from './codes.js';

describe('AppError', () => {
  it('takes its status from the registry', () => {
    const err = new AppError('SESSION_NOT_FOUND', 'no such session');
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('SESSION_NOT_FOUND');
    expect(err.isClientError).toBe(true);
    expect(isAppError(err)).toBe(true);
    expect(isAppError(new Error('x'))).toBe(false);
  });

  it('keeps the cause for logs and retryAfter for clients', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new AppError('QUEUE_UNAVAILABLE', 'queue down', { cause, retryAfter: 5 });
    expect(err.cause).toBe(cause);
    expect(err.retryAfter).toBe(5);
    expect(err.isClientError).toBe(false);
  });

  it('every registered code maps to a valid HTTP status', () => {
    for (const status of Object.values(ERROR_CODES)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });
});
