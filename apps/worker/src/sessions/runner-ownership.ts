import type { Session, SessionStatus } from '@wagw/db';
import { transitionAnnounced } from './announced-transition.js';
import type { SessionRunnerDeps } from './session-runner.js';

type OwnershipDeps = Pick<
  SessionRunnerDeps,
  'sessionId' | 'workerId' | 'generation' | 'holdsLease' | 'repos' | 'logger' | 'statusEvent' | 'onStatus'
>;

/**
 * What a runner may write about its session, and the writing of its status. Two fences: the lease
 * in Redis, as this worker's clock vouches for it (`holdsLease`), and the owner and lease
 * generation the database records (`ownsRow`, and every status write is a compare-and-set on
 * them). The second catches what the first cannot: Redis lost its data and another worker claimed
 * the session while this one's clock still vouched for the old lease. Once the database shows
 * another owner the runner is `superseded` and holds nothing from then on.
 */
export function createRunnerOwnership(deps: OwnershipDeps) {
  const { sessionId, logger } = deps;
  let superseded = false;
  const holdsLease = () => !superseded && deps.holdsLease();

  /** Re-reads the row: false (and superseded from then on) once another worker owns the session. */
  async function ownsRow(): Promise<boolean> {
    if (deps.generation === undefined || superseded) return !superseded;
    const row = await deps.repos.sessions.getById(sessionId);
    if (row && (row.ownerWorkerId !== deps.workerId || row.leaseGeneration !== deps.generation)) {
      superseded = true;
      logger.warn(
        { sessionId, owner: row.ownerWorkerId, generation: row.leaseGeneration, ours: deps.generation },
        'another worker owns the session now; stopping without touching it',
      );
    }
    return !superseded;
  }

  /**
   * Records a status change of the session, fenced both ways: nothing is written without the lease,
   * and a write the database refuses (another owner) makes the runner superseded. The change's
   * `session.status` event is committed with it (event outbox), then announced.
   */
  async function record(to: SessionStatus, reason: string, code?: number): Promise<Session | null> {
    if (!holdsLease()) return null;
    const after = await transitionAnnounced(
      { repos: deps.repos, announce: { statusEvent: deps.statusEvent, status: deps.onStatus } },
      sessionId,
      {
        to,
        reason,
        disconnectCode: code ?? null,
        workerId: deps.workerId,
        ...(deps.generation !== undefined
          ? { expectedOwner: { workerId: deps.workerId, generation: deps.generation } }
          : {}),
      },
    );
    if (!after) await ownsRow();
    return after;
  }

  return {
    holdsLease,
    ownsRow,
    record,
    /** True once the database showed another owner. */
    superseded: () => superseded,
  };
}
