import { describe, expect, it } from 'vitest';
import { canAdvance, errorReason, statusFromBaileys } from './status-rank.js';

describe('canAdvance', () => {
  it.each([
    ['queued', 'sending'],
    ['sending', 'sent'],
    ['sent', 'delivered'],
    ['sent', 'read'],
    ['delivered', 'read'],
    ['read', 'played'],
    ['queued', 'delivered'],
    ['queued', 'failed'],
    ['sending', 'failed'],
    ['sent', 'failed'],
  ] as const)('%s → %s is forward', (from, to) => {
    expect(canAdvance(from, to)).toBe(true);
  });

  it.each([
    ['read', 'delivered'],
    ['delivered', 'sent'],
    ['sent', 'sending'],
    ['sent', 'queued'],
    ['read', 'read'],
    ['played', 'read'],
    ['delivered', 'failed'],
    ['read', 'failed'],
    ['failed', 'sent'],
    ['failed', 'failed'],
    ['cancelled', 'sending'],
    ['received', 'read'],
  ] as const)('%s → %s is refused', (from, to) => {
    expect(canAdvance(from, to)).toBe(false);
  });
});

describe('statusFromBaileys', () => {
  it('maps proto.WebMessageInfo.Status numbers', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(statusFromBaileys)).toEqual([
      'failed',
      undefined,
      'sent',
      'delivered',
      'read',
      'played',
      undefined,
    ]);
    expect(statusFromBaileys(undefined)).toBeUndefined();
  });

  it('builds a reason from messageStubParameters', () => {
    expect(errorReason(['463', 'Your account has been restricted'])).toBe(
      'WhatsApp error 463: Your account has been restricted',
    );
    expect(errorReason(['479'])).toBe('WhatsApp error 479');
    expect(errorReason(undefined)).toMatch(/error/);
  });
});
