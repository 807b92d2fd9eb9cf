import { describe, expect, it } from 'vitest';
import { loadSchedulerConfig } from './index.js';

// The scheduler's record retention variables (DEAD_LETTER_RETENTION_DAYS, RECORD_RETENTION_INTERVAL).
describe('record retention', () => {
  it('defaults: dead letters kept 30 days, the tasks run hourly', () => {
    expect(loadSchedulerConfig({})).toMatchObject({
      deadLetterRetentionDays: 30,
      recordRetentionIntervalMs: 3_600_000,
    });
  });

  it('DEAD_LETTER_RETENTION_DAYS=0 keeps dead letters forever; other values are taken as given', () => {
    expect(loadSchedulerConfig({ DEAD_LETTER_RETENTION_DAYS: '0' }).deadLetterRetentionDays).toBe(0);
    expect(
      loadSchedulerConfig({ DEAD_LETTER_RETENTION_DAYS: '7', RECORD_RETENTION_INTERVAL: '600000' }),
    ).toMatchObject({ deadLetterRetentionDays: 7, recordRetentionIntervalMs: 600_000 });
  });

  it.each([
    ['DEAD_LETTER_RETENTION_DAYS', '-1'],
    ['DEAD_LETTER_RETENTION_DAYS', '1.5'],
    ['DEAD_LETTER_RETENTION_DAYS', 'month'],
    ['DEAD_LETTER_RETENTION_DAYS', '36501'],
    ['RECORD_RETENTION_INTERVAL', '999'],
    ['RECORD_RETENTION_INTERVAL', 'hourly'],
  ])('rejects %s=%s', (variable, value) => {
    expect(() => loadSchedulerConfig({ [variable]: value })).toThrow(new RegExp(variable));
  });
});
