export {
  type CleanupStaleSessionsDeps,
  type CleanupStaleSessionsReport,
  cleanupStaleSessions,
  STALE_REASON,
} from './cleanup-stale-sessions.task.js';
export { type ClearDeletedAuthStateDeps, clearDeletedAuthState } from './clear-deleted-auth-state.js';
export { type DeleteStaleQrKeysDeps, deleteStaleQrKeys } from './delete-stale-qr-keys.js';
export {
  type OutboxReconciliationDeps,
  type OutboxReconciliationReport,
  reconcileOutbox,
} from './outbox-reconciliation.task.js';
export {
  REVIVAL_REASON,
  type ReviveFailedSessionsDeps,
  type ReviveFailedSessionsReport,
  reviveFailedSessions,
} from './revive-failed-sessions.task.js';
export {
  DEFAULT_RUN_LOCK_TTL_MS,
  type LockedResult,
  type RunLockOptions,
  runLockKey,
  withRunLock,
} from './run-lock.js';
export {
  DEFAULT_OUTBOX_GRACE_MS,
  isSupportedMaintenanceTask,
  type MaintenanceDeps,
  type MaintenanceRunReport,
  type MaintenanceTaskReport,
  processMaintenanceJob,
  runMaintenanceTask,
  SUPPORTED_MAINTENANCE_TASKS,
  type SupportedMaintenanceTask,
} from './run-maintenance-task.js';
