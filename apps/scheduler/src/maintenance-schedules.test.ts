import { describe, expect, it } from 'vitest';
import { disabledTasks, maintenanceSchedules } from './maintenance-schedules.js';

const config = (days: number, deadLetterRetentionDays = 30) => ({
  cleanupIntervalMs: 1_800_000,
  revivalIntervalMs: 60_000,
  outboxReconcileIntervalMs: 30_000,
  deadLetterRetentionDays,
  recordRetentionIntervalMs: 7_200_000,
  eventOutboxIntervalMs: 5000,
  media: { retention: { days, intervalMs: 3_600_000 } },
});

describe('maintenanceSchedules', () => {
  it('schedules media retention every MEDIA_RETENTION_INTERVAL while MEDIA_RETENTION_DAYS > 0', () => {
    expect(maintenanceSchedules(config(30))).toEqual([
      { task: 'stale-session-cleanup', everyMs: 1_800_000 },
      { task: 'revive-failed-sessions', everyMs: 60_000 },
      { task: 'outbox-reconciliation', everyMs: 30_000 },
      { task: 'media-retention', everyMs: 3_600_000 },
      { task: 'idempotency-key-cleanup', everyMs: 7_200_000 },
      { task: 'dead-letter-retention', everyMs: 7_200_000 },
      { task: 'event-outbox-relay', everyMs: 5000 },
    ]);
    expect(disabledTasks(config(30))).toEqual([]);
  });

  it('leaves media retention out, and marks it for removal, with MEDIA_RETENTION_DAYS=0', () => {
    expect(maintenanceSchedules(config(0)).map((s) => s.task)).toEqual([
      'stale-session-cleanup',
      'revive-failed-sessions',
      'outbox-reconciliation',
      'idempotency-key-cleanup',
      'dead-letter-retention',
      'event-outbox-relay',
    ]);
    expect(disabledTasks(config(0))).toEqual(['media-retention']);
  });

  it('leaves dead-letter retention out, and marks it for removal, with DEAD_LETTER_RETENTION_DAYS=0', () => {
    const tasks = maintenanceSchedules(config(30, 0)).map((s) => s.task);
    expect(tasks).toContain('idempotency-key-cleanup');
    expect(tasks).not.toContain('dead-letter-retention');
    expect(disabledTasks(config(30, 0))).toEqual(['dead-letter-retention']);
  });
});
