import { describe, expect, it } from 'vitest';
import { loadSchedulerConfig } from './index.js';

// MAINTENANCE_LOCK_TTL: how long a task waits after a scheduler died in the middle of its run.
describe('maintenance run lock', () => {
  it('defaults to 60 s and takes a value in ms', () => {
    expect(loadSchedulerConfig({}).maintenanceLockTtlMs).toBe(60_000);
    expect(loadSchedulerConfig({ MAINTENANCE_LOCK_TTL: '5000' }).maintenanceLockTtlMs).toBe(5000);
  });

  it.each(['999', '0', '-5', 'minute', '1.5'])('rejects MAINTENANCE_LOCK_TTL=%s', (value) => {
    expect(() => loadSchedulerConfig({ MAINTENANCE_LOCK_TTL: value })).toThrow(/MAINTENANCE_LOCK_TTL/);
  });
});
