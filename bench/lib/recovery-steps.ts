/**
 * Timed steps of the recovery bench (bench/recovery.bench.ts): each resolves with the milliseconds
 * until every session of a set is open, optionally on one given worker.
 */
import type { Session } from '@wagw/db';
import type { Gateway } from '../../apps/worker/test/harness.js';
import { setDesired } from './density-fleet.js';

/** Resolves with ms from `since` until every one of `sessions` is open (and owned by `owner`, if given). */
export async function allOpen(
  gw: Gateway,
  sessions: Session[],
  since: number,
  options: { owner?: string; timeoutMs?: number } = {},
): Promise<number> {
  const ids = new Set(sessions.map((s) => s.id));
  await gw.waitFor(
    `${sessions.length} sessions open${options.owner ? ` on ${options.owner}` : ''}`,
    async () => {
      const open = await gw.db.repos.sessions.list({ status: 'open' });
      const mine = open.filter((s) => ids.has(s.id) && (!options.owner || s.ownerWorkerId === options.owner));
      return mine.length === ids.size;
    },
    options.timeoutMs ?? 600_000,
  );
  return performance.now() - since;
}

/** Sets the sessions `stopped` and waits until none of them is open or connecting any more. */
export async function stopAll(gw: Gateway, sessions: Session[]): Promise<void> {
  await setDesired(gw, sessions, 'stopped');
  await gw.nudge();
  const ids = new Set(sessions.map((s) => s.id));
  await gw.waitFor(
    'sessions stopped',
    async () => {
      const live = await gw.db.repos.sessions.list({ status: ['open', 'connecting', 'reconnecting', 'qr'] });
      return !live.some((s) => ids.has(s.id));
    },
    300_000,
  );
}

/** Cold start: sets the sessions `running` (a worker is up) and times until all are open. */
export async function coldStart(gw: Gateway, sessions: Session[], owner?: string): Promise<number> {
  const started = performance.now();
  await setDesired(gw, sessions, 'running');
  await gw.nudge();
  return allOpen(gw, sessions, started, owner ? { owner } : {});
}
