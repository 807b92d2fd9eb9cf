import type { Repositories } from '@wagw/db';
import type { LeaseStore } from '@wagw/queue';

interface ClearDeletedAuthStateDeps {
  repos: {
    sessions: Pick<Repositories['sessions'], 'list'>;
    authState: Pick<Repositories['authState'], 'getCreds' | 'clear'>;
  };
  leases: Pick<LeaseStore, 'owner'>;
}

/**
 * Deletes the credentials and Signal keys a soft-deleted session still holds (a worker that died
 * while deleting it, or a delete of a session nobody ran). They are the keys to a WhatsApp account:
 * nothing may use them again, so keeping them is only a liability. A session whose owner still holds
 * the lease is skipped: that worker is stopping it right now and clears the state itself.
 *
 * Sessions are found by their creds row; keys written before the first creds save of a pairing that
 * was deleted midway are not detected here (the repository has no "any keys?" query).
 * Returns the ids of the sessions cleared.
 */
export async function clearDeletedAuthState(deps: ClearDeletedAuthStateDeps): Promise<string[]> {
  const all = await deps.repos.sessions.list({ includeDeleted: true });
  const cleared: string[] = [];
  for (const session of all) {
    if (session.deletedAt === null) continue;
    if (!(await deps.repos.authState.getCreds(session.id))) continue;
    if (await deps.leases.owner(session.id)) continue;
    await deps.repos.authState.clear(session.id);
    cleared.push(session.id);
  }
  return cleared;
}
