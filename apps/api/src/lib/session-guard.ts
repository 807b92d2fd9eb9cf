import type { Database, Session } from '@wagw/db';
import { AppError } from '@wagw/errors';

/** The one repository call the guard needs, so any service's narrowed `repos` satisfies it. */
export type SessionLookup = Pick<Database['repos']['sessions'], 'getById'>;

/** The 404 for a session that does not exist or was deleted: one code and wording for every route. */
export function sessionNotFound(id: string): AppError {
  return new AppError('SESSION_NOT_FOUND', `session ${id} not found`);
}

/**
 * Loads a live (not deleted) session or throws SESSION_NOT_FOUND (404). Every service that acts on
 * a session by id checks this first, so an unknown id is a 404 before anything is written or queued.
 */
export async function requireSession(sessions: SessionLookup, id: string): Promise<Session> {
  const session = await sessions.getById(id);
  if (!session) throw sessionNotFound(id);
  return session;
}
