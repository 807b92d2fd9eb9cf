import { describe, expect, it } from 'vitest';
import { isTerminal, isUniqueViolation } from './sessions.service.js';

describe('isUniqueViolation', () => {
  it('recognises both drivers, also wrapped by drizzle', () => {
    expect(isUniqueViolation(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(true);
    expect(isUniqueViolation(Object.assign(new Error('x'), { code: '23505' }))).toBe(true);
    const driver = Object.assign(new Error('dup'), { code: '23505' });
    expect(isUniqueViolation(new Error('Failed query', { cause: driver }))).toBe(true);
  });

  it('ignores other constraint failures and non-errors', () => {
    expect(isUniqueViolation(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }))).toBe(
      false,
    );
    expect(isUniqueViolation(Object.assign(new Error('x'), { code: '23503' }))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    expect(isUniqueViolation('23505')).toBe(false);
  });
});

describe('isTerminal', () => {
  it('is true exactly for the statuses a worker will not claim', () => {
    expect(['failed', 'logged_out', 'conflict', 'needs_pairing'].every((s) => isTerminal(s as never))).toBe(
      true,
    );
    expect(['stopped', 'starting', 'qr', 'open', 'reconnecting'].some((s) => isTerminal(s as never))).toBe(
      false,
    );
  });
});
