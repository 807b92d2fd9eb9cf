import type { OutboxEvent, Repositories, Session, SessionStatus } from '@wagw/db';
import type { LeaseStore, RedisConnection } from '@wagw/queue';
import { clearDeletedAuthState } from './clear-deleted-auth-state.js';
import { deleteStaleQrKeys } from './delete-stale-qr-keys.js';
import { announceSessionStatus, schedulerStatusEvent } from './session-status-event.js';

export interface CleanupStaleSessionsDeps {
  repos: {
    sessions: Pick<
      Repositories['sessions'],
      'list' | 'listStale' | 'transitionStatus' | 'setOwner' | 'getById'
    >;
    authState: Pick<Repositories['authState'], 'getCreds' | 'clear'>;
    /** Where announced status events' outbox rows are deleted once published. */
    eventOutbox?: Pick<Repositories['eventOutbox'], 'remove'>;
  };
  leases: Pick<LeaseStore, 'owner'>;
  /** For the QR keys (scan, get, compare-and-delete). */
  redis: RedisConnection;
  /** QUEUE_PREFIX: where the QR keys live. */
  prefix: string;
  /** How long a session may sit in a transitional status before it counts as stale, in ms (STALE_SESSION_AGE). */
  staleAgeMs: number;
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
}

export interface CleanupStaleSessionsReport {
  /** Stale transitional sessions plus every `open` one: the sessions whose lease was looked up. */
  candidates: number;
  /** Candidates left alone because a worker holds their lease, whatever their age. */
  liveOwner: number;
  /** Reset to `starting` (desired running) so a worker claims them again. */
  reset: number;
  resetSessionIds: string[];
  /** Set to `stopped` (desired stopped): nobody runs them, and nobody should. */
  stopped: number;
  stoppedSessionIds: string[];
  /** Changed by someone else between our read and the compare-and-set. */
  skippedSessionIds: string[];
  /** Soft-deleted sessions whose leftover credentials and keys were deleted. */
  authStateCleared: number;
  authStateClearedSessionIds: string[];
  /** QR keys of sessions not waiting for a scan (and not owned by a live worker). */
  qrKeysDeleted: number;
  qrKeysDeletedSessionIds: string[];
  /** Everything this run changed; the dispatcher nudges workers when it is above 0. */
  changed: number;
}

/** Statuses only a running owner can justify; left without one, they are lies on the status page. */
const TRANSITIONAL: readonly SessionStatus[] = ['starting', 'qr', 'connecting', 'reconnecting'];

export const STALE_REASON = 'stale: no live owner';

/**
 * Resets sessions whose worker died and nobody took over: their row still says `connecting` (or
 * `open`) but no lease exists in Redis. A live lease always wins, whatever the age, because the
 * owner may simply be in a long backoff. Then removes leftovers: auth state of deleted sessions
 * and QR codes that no longer belong to a pairing.
 */
export async function cleanupStaleSessions(
  deps: CleanupStaleSessionsDeps,
): Promise<CleanupStaleSessionsReport> {
  const now = deps.now?.() ?? new Date();
  const { sessions } = deps.repos;
  const stale = await sessions.listStale({
    statuses: TRANSITIONAL,
    olderThan: new Date(now.getTime() - deps.staleAgeMs),
  });
  // `open` is never "stuck" by age (a session stays open for weeks); only a missing owner matters.
  const open = await sessions.list({ status: 'open' });
  const candidates = [...stale, ...open];

  let liveOwner = 0;
  const resetSessionIds: string[] = [];
  const stoppedSessionIds: string[] = [];
  const skippedSessionIds: string[] = [];
  for (const session of candidates) {
    if (await deps.leases.owner(session.id)) {
      liveOwner++;
      continue;
    }
    const outcome = await resetOrphan(deps, session);
    if (outcome === 'starting') resetSessionIds.push(session.id);
    else if (outcome === 'stopped') stoppedSessionIds.push(session.id);
    else skippedSessionIds.push(session.id);
  }

  const authStateClearedSessionIds = await clearDeletedAuthState(deps);
  const qrKeysDeletedSessionIds = await deleteStaleQrKeys(deps);

  return {
    candidates: candidates.length,
    liveOwner,
    reset: resetSessionIds.length,
    resetSessionIds,
    stopped: stoppedSessionIds.length,
    stoppedSessionIds,
    skippedSessionIds,
    authStateCleared: authStateClearedSessionIds.length,
    authStateClearedSessionIds,
    qrKeysDeleted: qrKeysDeletedSessionIds.length,
    qrKeysDeletedSessionIds,
    changed:
      resetSessionIds.length +
      stoppedSessionIds.length +
      authStateClearedSessionIds.length +
      qrKeysDeletedSessionIds.length,
  };
}

async function resetOrphan(
  deps: CleanupStaleSessionsDeps,
  session: Session,
): Promise<'starting' | 'stopped' | 'skipped'> {
  const to = session.desiredState === 'running' ? 'starting' : 'stopped';
  // Compare-and-set on the status we saw: if a worker claimed the session meanwhile and moved it
  // on, its newer status stands.
  let event: OutboxEvent | undefined;
  const updated = await deps.repos.sessions.transitionStatus(session.id, {
    to,
    reason: STALE_REASON,
    expectedFrom: session.status,
    event: (after, previous) => {
      event = schedulerStatusEvent(after, previous);
      return event;
    },
  });
  if (!updated) return 'skipped';
  // Fenced by the generation we saw: a worker that claimed the session since (a newer generation)
  // keeps its ownership record.
  await deps.repos.sessions.setOwner(session.id, null, session.leaseGeneration);
  await announceSessionStatus(deps, event);
  return to;
}
