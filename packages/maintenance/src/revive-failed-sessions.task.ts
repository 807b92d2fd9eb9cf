import type { OutboxEvent, Repositories } from '@wagw/db';
import type { RedisConnection } from '@wagw/queue';
import { announceSessionStatus, schedulerStatusEvent } from './session-status-event.js';

export interface ReviveFailedSessionsDeps {
  repos: {
    sessions: Pick<Repositories['sessions'], 'listStale' | 'transitionStatus'>;
    /** Where announced status events' outbox rows are deleted once published. */
    eventOutbox?: Pick<Repositories['eventOutbox'], 'remove'>;
  };
  /** How long a session stays `failed` before it gets a fresh start, in ms (FAILED_REVIVAL_COOLDOWN). */
  cooldownMs: number;
  /** Where `session.status` is announced for each revived session; without them nothing is. */
  redis?: RedisConnection;
  prefix?: string;
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
}

export interface ReviveFailedSessionsReport {
  /** Failed sessions past the cool-down that still want to run. */
  candidates: number;
  revived: number;
  revivedSessionIds: string[];
  /** Changed by someone else between our read and the compare-and-set (another run, the API). */
  skippedSessionIds: string[];
  /** Rows this run changed; the dispatcher nudges workers when it is above 0. */
  changed: number;
}

export const REVIVAL_REASON = 'revived after cool-down';

/**
 * Gives `failed` sessions one fresh set of reconnect attempts once they have been failed for the
 * cool-down. Workers never claim a terminal status, so without this a session that failed during
 * an outage (WhatsApp down, network cut) would stay down until a person restarts it.
 *
 * Only `failed` is revived: `logged_out`, `conflict` and `needs_pairing` mean the account itself
 * needs a person (re-pair, or close the other client), and retrying them only adds noise or risks
 * the number. Sessions the user wants stopped stay as they are.
 */
export async function reviveFailedSessions(
  deps: ReviveFailedSessionsDeps,
): Promise<ReviveFailedSessionsReport> {
  const now = deps.now?.() ?? new Date();
  const olderThan = new Date(now.getTime() - deps.cooldownMs);
  const failed = await deps.repos.sessions.listStale({ statuses: ['failed'], olderThan });
  const candidates = failed.filter((session) => session.desiredState === 'running');

  const revivedSessionIds: string[] = [];
  const skippedSessionIds: string[] = [];
  for (const session of candidates) {
    // Compare-and-set on `failed`: of two concurrent runs (or a run and a user's restart) exactly
    // one transition happens, and only one session_events row is written.
    let event: OutboxEvent | undefined;
    const revived = await deps.repos.sessions.transitionStatus(session.id, {
      to: 'starting',
      reason: REVIVAL_REASON,
      expectedFrom: 'failed',
      event: (after, previous) => {
        event = schedulerStatusEvent(after, previous);
        return event;
      },
    });
    (revived ? revivedSessionIds : skippedSessionIds).push(session.id);
    if (revived) await announceSessionStatus(deps, event);
  }

  return {
    candidates: candidates.length,
    revived: revivedSessionIds.length,
    revivedSessionIds,
    skippedSessionIds,
    changed: revivedSessionIds.length,
  };
}
