import type { Repositories, Session, SessionStatus } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import type { Lease, LeaseStore } from '@wagw/queue';
import { type StatusAnnouncer, transitionAnnounced } from './announced-transition.js';
import { createCapacityWaiters } from './capacity-waiters.js';
import { LeaseClock } from './lease-clock.js';
import type { MemoryGuard } from './memory-guard.js';
import type { RunnerEnd } from './runner-state.js';
import type { SessionRunner } from './session-runner.js';

/** Statuses a session stays in until a person (or the scheduler's revival) acts. */
const TERMINAL_STATUSES: readonly SessionStatus[] = ['failed', 'logged_out', 'conflict', 'needs_pairing'];

export interface SessionManagerDeps {
  workerId: string;
  /** MAX_SESSIONS_PER_WORKER: placement never exceeds it. */
  capacity: number;
  logger: Logger;
  repos: Pick<Repositories, 'sessions' | 'authState'>;
  leases: LeaseStore;
  /** Safety margin subtracted from the lease TTL before this worker stops trusting its lease. */
  leaseMarginMs: number;
  createRunner: (
    sessionId: string,
    holdsLease: () => boolean,
    onFinished: (end: RunnerEnd) => Promise<void>,
    /** The lease generation the runner runs under (fences its status writes in the database). */
    generation: number,
  ) => SessionRunner;
  /** Heap pressure: no claims while refusing; sessions handed over while shedding. */
  memory?: Pick<MemoryGuard, 'refusing' | 'check' | 'stats'>;
  /** Announces the changes the manager itself makes (capacity waits, logout of an unowned session). */
  announce?: StatusAnnouncer;
}

interface Owned {
  lease: Lease;
  clock: LeaseClock;
  runner: SessionRunner;
  /** Set once the lease was lost or expired: the runner is being stopped (stop and log once). */
  expired?: boolean;
}

/**
 * This worker's sessions: which it owns (lease + fencing clock + runner), which it should claim,
 * and what each owned session's row asks of it. Every decision is a reconciliation of the desired
 * state in the database with what runs here, so a lost job or a missed nudge is caught by the next
 * periodic pass.
 */
export function createSessionManager(deps: SessionManagerDeps) {
  const { logger, leases } = deps;
  const owned = new Map<string, Owned>();
  const claiming = new Set<string>();
  const waiters = createCapacityWaiters(deps);
  let accepting = true;

  const openCount = () => {
    let open = 0;
    for (const entry of owned.values()) if (entry.runner.isOpen()) open++;
    return open;
  };
  const isFull = () =>
    owned.size + claiming.size >= deps.capacity ||
    (deps.memory?.refusing({ owned: owned.size + claiming.size, open: openCount() }) ?? false);

  /**
   * Under heap pressure past the shed line, hands the most recently claimed session over (graceful
   * stop, no logout): another worker with room takes it, or it waits for capacity, visibly. One per
   * pass, so the heap is re-read between hand-overs.
   */
  async function shedIfNeeded(): Promise<void> {
    const memory = deps.memory;
    if (memory?.check({ owned: owned.size, open: openCount() }) !== 'shedding' || !accepting) return;
    const newest = [...owned.entries()].filter(([, e]) => !e.expired).at(-1);
    if (!newest) return;
    const [sessionId, entry] = newest;
    logger.warn({ sessionId, ...memory.stats() }, 'heap near its limit: handing a session over');
    await entry.runner.stop('shutdown');
  }

  function wantsRunning(session: Session): boolean {
    return (
      session.deletedAt === null &&
      session.desiredState === 'running' &&
      !TERMINAL_STATUSES.includes(session.status)
    );
  }

  async function claim(session: Session): Promise<boolean> {
    if (!accepting || owned.has(session.id) || claiming.has(session.id)) return false;
    if (isFull()) return false;
    claiming.add(session.id);
    try {
      const sentAt = performance.now();
      const lease = await leases.acquire(session.id, deps.workerId, session.leaseGeneration);
      if (!lease) return false;
      const clock = new LeaseClock(leases.ttlMs, deps.leaseMarginMs);
      clock.confirmed(sentAt);
      const row = await deps.repos.sessions.setOwner(session.id, deps.workerId, lease.generation);
      // `session` was read before the lease was taken; the row is what holds now. A previous owner
      // that ended the session (logged out, failed) wrote that before it let the lease go, so a
      // claim that raced with it sees it here and leaves the session alone instead of starting it
      // again without credentials (a new QR for a logged-out number; seen with three workers).
      if (!row || !wantsRunning(row)) {
        if (row) await deps.repos.sessions.setOwner(session.id, null, lease.generation).catch(() => null);
        await leases.release(lease);
        return false;
      }
      if (row.pendingCommand === 'restart' && row.pendingCommandAt) {
        // A fresh start is the restart.
        await deps.repos.sessions.clearCommand(session.id, row.pendingCommandAt);
      }
      const runner = deps.createRunner(
        session.id,
        () => clock.isValid(),
        async (mode) => {
          owned.delete(session.id);
          if (mode === 'lease-lost') return;
          await deps.repos.sessions.setOwner(session.id, null, lease.generation).catch(() => null);
          await leases
            .release(lease)
            .catch((err) => logger.warn({ err, sessionId: session.id }, 'lease release failed'));
        },
        lease.generation,
      );
      owned.set(session.id, { lease, clock, runner });
      logger.info({ sessionId: session.id, generation: lease.generation }, 'session claimed');
      return true;
    } finally {
      claiming.delete(session.id);
    }
  }

  async function applyToOwned(session: Session, entry: Owned): Promise<void> {
    const { runner } = entry;
    const command = session.pendingCommand;
    const at = session.pendingCommandAt;
    if (session.deletedAt !== null || command === 'logout') {
      await runner.stop('logout');
      if (at) await deps.repos.sessions.clearCommand(session.id, at);
    } else if (command === 'restart' && at) {
      runner.restart();
      await deps.repos.sessions.clearCommand(session.id, at);
    } else if (session.desiredState === 'stopped') {
      await runner.stop('stop');
    } else {
      await runner.checkPairing();
    }
  }

  /** Logout for a session nobody runs: no socket to unlink through, so clear the credentials here. */
  async function logoutUnowned(session: Session): Promise<void> {
    const lease = await leases.acquire(session.id, deps.workerId, session.leaseGeneration);
    if (!lease) return;
    try {
      await deps.repos.authState.clear(session.id);
      await transitionAnnounced(deps, session.id, {
        to: 'logged_out',
        reason: 'logged out on request (no live socket)',
        workerId: deps.workerId,
      });
      if (session.pendingCommandAt)
        await deps.repos.sessions.clearCommand(session.id, session.pendingCommandAt);
    } finally {
      await leases.release(lease);
    }
  }

  /** `periodic`: part of a full pass, the only kind that can tell a session waits for capacity. */
  async function reconcile(session: Session, periodic = false): Promise<void> {
    const entry = owned.get(session.id);
    if (entry) return applyToOwned(session, entry);
    if ((session.pendingCommand === 'logout' || session.deletedAt) && session.status !== 'logged_out') {
      const owner = await leases.owner(session.id);
      if (!owner) await logoutUnowned(session);
      return;
    }
    if (!wantsRunning(session)) return waiters.noLongerWanted(session);
    // The row's owner is cleared whenever a runner ends by itself or hands over; a crashed owner's
    // row keeps its id, and its lease expiry is what lets a worker with room take it.
    if (isFull() && accepting && session.ownerWorkerId === null) {
      if (periodic) await waiters.blocked(session);
      return;
    }
    await claim(session);
  }

  return {
    owned,

    /** Reconciles one session by id (after a job or a nudge). */
    async reconcileSession(sessionId: string): Promise<void> {
      const session = await deps.repos.sessions.getById(sessionId, { includeDeleted: true });
      if (session) await reconcile(session);
    },

    /** The periodic pass: every owned session, and claims for unowned ones that should run. */
    async reconcileAll(): Promise<void> {
      await shedIfNeeded().catch((err) => logger.error({ err }, 'handing a session over failed'));
      const sessions = await deps.repos.sessions.list();
      const seen = new Set<string>();
      for (const session of sessions) {
        seen.add(session.id);
        await reconcile(session, true).catch((err) =>
          logger.error({ err, sessionId: session.id }, 'reconcile failed'),
        );
      }
      waiters.passDone();
      // Owned sessions that vanished from the live list were deleted.
      for (const id of owned.keys()) if (!seen.has(id)) await this.reconcileSession(id);
    },

    /** Renews every lease; a lease we no longer hold stops its runner without touching the session. */
    async renewLeases(): Promise<void> {
      await Promise.all(
        [...owned.entries()].map(async ([sessionId, entry]) => {
          const sentAt = performance.now();
          const ok = await leases.renew(entry.lease).catch(() => undefined);
          if (ok === true) entry.clock.confirmed(sentAt);
          if (ok === false && !entry.expired) {
            entry.expired = true;
            entry.clock.invalidate();
            logger.warn({ sessionId }, 'lease lost; stopping session without touching it');
            await entry.runner.stop('lease-lost');
          }
        }),
      );
    },

    /** Stops runners whose lease this worker can no longer vouch for (e.g. Redis unreachable past the TTL). */
    enforceLeaseDeadlines(): void {
      for (const [sessionId, entry] of owned) {
        if (!entry.clock.isValid() && !entry.expired) {
          entry.expired = true;
          logger.warn({ sessionId }, 'lease deadline passed; stopping session without touching it');
          void entry.runner.stop('lease-lost');
        }
      }
    },

    /** Graceful shutdown: claim nothing more, close every socket (no logout), hand sessions over. */
    async shutdown(): Promise<void> {
      accepting = false;
      await Promise.all([...owned.values()].map((entry) => entry.runner.stop('shutdown')));
    },

    stats() {
      let open = 0;
      for (const entry of owned.values()) if (entry.runner.isOpen()) open++;
      return {
        sessions: owned.size,
        open,
        capacity: deps.capacity,
        ...(deps.memory ? { memory: deps.memory.stats() } : {}),
      };
    },
  };
}

export type SessionManager = ReturnType<typeof createSessionManager>;
