import type { SessionStatus } from '@wagw/db';
import type { ClusterState } from './cluster-state.js';

export type HealthStatus = 'ok' | 'degraded' | 'error';

/**
 * Session statuses that make the whole gateway `degraded`: `failed` (out of reconnect attempts,
 * waiting for revival) and `conflict` (another client took the number over). `logged_out` and
 * `needs_pairing` are not: they are a user's action, answered by pairing again, not an outage.
 */
const DEGRADING_SESSION_STATUSES: readonly SessionStatus[] = ['failed', 'conflict'];

/**
 * Breakers named `webhook:<webhookId>` guard one customer's receiver endpoint. An open one means
 * that receiver is down or refusing, not the gateway: its deliveries wait and retry (or become dead
 * letters) while everything else works, so it does not degrade health. It stays visible in
 * `circuitBreakers` and in wagw_circuit_breaker_state.
 */
const NON_DEGRADING_BREAKER_PREFIX = 'webhook:';

/** Whether an open breaker of this name makes the gateway `degraded`. */
function breakerDegrades(name: string): boolean {
  return !name.startsWith(NON_DEGRADING_BREAKER_PREFIX);
}

export interface HealthInputs {
  database: 'connected' | 'disconnected';
  redis: 'connected' | 'disconnected';
  /** null when the database could not be read. */
  sessions: (Partial<Record<SessionStatus, number>> & { waitingForCapacity?: number }) | null;
  /** null when Redis could not be read. */
  cluster: ClusterState | null;
  /** The media store's check; absent when the API has no store. */
  media?: { ok: boolean };
}

/**
 * The rules of /api/health (docs/operations.md): `error` when a store is unreachable; `degraded`
 * when no worker beats, a recently seen worker or scheduler stopped beating, a breaker other than a
 * webhook receiver's is open, sessions are `failed`/`conflict` or waiting for a worker with room, or
 * the media store fails its check;
 * `ok` otherwise. Every reason is listed, so an operator reads why.
 */
export function decideHealth(inputs: HealthInputs): { status: HealthStatus; reasons: string[] } {
  const errors = [
    inputs.database === 'disconnected' && 'database unreachable',
    inputs.redis === 'disconnected' && 'redis unreachable',
  ].filter((r): r is string => typeof r === 'string');
  if (errors.length > 0) return { status: 'error', reasons: errors };

  const reasons: string[] = [];
  const cluster = inputs.cluster;
  if (!cluster) reasons.push('heartbeats unreadable');
  else {
    if (cluster.workers.length === 0) reasons.push('no worker heartbeat');
    for (const id of cluster.missingWorkers) reasons.push(`worker ${id} missing`);
    for (const id of cluster.missingSchedulers) reasons.push(`scheduler ${id} missing`);
    // Writes the database could not take yet (db-spool.ts): kept, but not visible through the API.
    const spooled = cluster.workers.reduce((sum, w) => sum + w.dbSpool.depth, 0);
    if (spooled > 0)
      reasons.push(`${spooled} database write${spooled === 1 ? '' : 's'} waiting in worker spools`);
    for (const [name, breaker] of Object.entries(cluster.circuitBreakers))
      if (breaker.state === 'open' && breakerDegrades(name)) reasons.push(`circuit breaker ${name} open`);
  }
  // Uploads and downloads fail, but sends, sessions and webhooks do not: degraded, not error.
  if (inputs.media && !inputs.media.ok) reasons.push('media store unavailable');
  if (!inputs.sessions) reasons.push('session counts unreadable');
  else {
    for (const status of DEGRADING_SESSION_STATUSES) {
      const n = inputs.sessions[status] ?? 0;
      if (n > 0) reasons.push(`${n} session${n === 1 ? '' : 's'} ${status}`);
    }
    // Every worker is full: these sessions are down until capacity is added or sessions stop.
    const waiting = inputs.sessions.waitingForCapacity ?? 0;
    if (waiting > 0) reasons.push(`${waiting} session${waiting === 1 ? '' : 's'} waiting for capacity`);
  }
  return { status: reasons.length > 0 ? 'degraded' : 'ok', reasons };
}
