import { WEBHOOK_BACKOFF_TYPE } from '@wagw/queue';
import type { MinimalJob } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, RetryLater, webhookBackoff } from './webhook-backoff.js';

const job = { opts: { backoff: { type: WEBHOOK_BACKOFF_TYPE, delay: 1000 } } } as unknown as MinimalJob;
const draw = (attempts: number, err?: Error) =>
  Array.from({ length: 200 }, () => webhookBackoff(attempts, WEBHOOK_BACKOFF_TYPE, err, job));

describe('webhookBackoff', () => {
  it('doubles per attempt, each wait between half and all of the nominal delay', () => {
    for (const [attempts, nominal] of [
      [1, 1000],
      [2, 2000],
      [5, 16_000],
    ] as const) {
      const waits = draw(attempts);
      expect(Math.min(...waits)).toBeGreaterThanOrEqual(nominal / 2);
      expect(Math.max(...waits)).toBeLessThanOrEqual(nominal);
      expect(new Set(waits).size).toBeGreaterThan(50); // jittered, not one fixed value
    }
  });

  it("waits at least the receiver's Retry-After, capped at an hour", () => {
    expect(Math.min(...draw(1, new RetryLater('HTTP 429', 30_000)))).toBe(30_000);
    expect(Math.min(...draw(1, new RetryLater('HTTP 503', 10)))).toBeGreaterThanOrEqual(500);
    expect(Math.max(...draw(1, new RetryLater('HTTP 429', 86_400_000)))).toBe(MAX_RETRY_AFTER_MS);
    expect(Math.max(...draw(1, new Error('plain')))).toBeLessThanOrEqual(1000);
  });
});
