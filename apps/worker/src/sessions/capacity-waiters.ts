import { type Repositories, type Session, WAITING_FOR_CAPACITY_REASON } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { type StatusAnnouncer, transitionAnnounced } from './announced-transition.js';

interface CapacityWaitersDeps {
  workerId: string;
  capacity: number;
  logger: Logger;
  repos: Pick<Repositories, 'sessions'>;
  announce?: StatusAnnouncer;
}

/**
 * Makes sessions that should run but that no worker has room for visible: status `stopped` with
 * WAITING_FOR_CAPACITY_REASON (what health, metrics and the session's view read) and one log line
 * when the wait begins. A full worker reports a session only when it saw it unclaimed in two
 * periodic passes in a row: a worker with room claims within one pass, so a session still unclaimed
 * a pass later waits because every worker is full (or none with room is running). The write is a
 * compare-and-set on "nobody owns it, same lease generation", so it never lands on a session another
 * worker has claimed since; that worker's first status write clears the reason.
 */
export function createCapacityWaiters(deps: CapacityWaitersDeps) {
  let seenLastPass = new Set<string>();
  let seenThisPass = new Set<string>();

  const ownerUnchanged = (session: Session) => ({ workerId: null, generation: session.leaseGeneration });

  return {
    /** A periodic pass met `session` (should run, unowned) while this worker was full. */
    async blocked(session: Session): Promise<void> {
      seenThisPass.add(session.id);
      if (!seenLastPass.has(session.id)) return;
      if (session.status === 'stopped' && session.statusReason === WAITING_FOR_CAPACITY_REASON) return;
      const marked = await transitionAnnounced(deps, session.id, {
        to: 'stopped',
        reason: WAITING_FOR_CAPACITY_REASON,
        workerId: deps.workerId,
        expectedOwner: ownerUnchanged(session),
      });
      if (marked)
        deps.logger.warn(
          { sessionId: session.id, capacity: deps.capacity, previousStatus: session.status },
          'session waiting for capacity: no worker has room (MAX_SESSIONS_PER_WORKER)',
        );
    },

    /**
     * A session that no longer should run (stopped or deleted) still reads "waiting for capacity":
     * it waits for nothing now, so the reason says what happened instead.
     */
    async noLongerWanted(session: Session): Promise<void> {
      if (session.statusReason !== WAITING_FOR_CAPACITY_REASON || session.ownerWorkerId !== null) return;
      await transitionAnnounced(deps, session.id, {
        to: 'stopped',
        reason: 'stopped on request',
        workerId: deps.workerId,
        expectedFrom: 'stopped',
        expectedOwner: ownerUnchanged(session),
      });
    },

    /** End of a periodic pass: sessions not met in it start a new wait next time. */
    passDone(): void {
      seenLastPass = seenThisPass;
      seenThisPass = new Set();
    },
  };
}
