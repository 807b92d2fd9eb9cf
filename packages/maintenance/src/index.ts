export { cleanupStaleSessions, STALE_REASON } from './cleanup-stale-sessions.task.js';
export { type MediaInventory, readMediaInventory } from './media-inventory.js';
export {
  applyMediaRetention,
  MediaRetentionError,
  type MediaRetentionReport,
} from './media-retention.task.js';
export { reconcileOutbox } from './outbox-reconciliation.task.js';
export {
  applyDeadLetterRetention,
  cleanupIdempotencyKeys,
  RecordRetentionError,
  type RecordRetentionReport,
} from './record-retention.task.js';
export { REVIVAL_REASON, reviveFailedSessions } from './revive-failed-sessions.task.js';
export { runLockKey, withRunLock } from './run-lock.js';
export {
  type MaintenanceDeps,
  type MaintenanceRunReport,
  processMaintenanceJob,
  runMaintenanceTask,
} from './run-maintenance-task.js';
