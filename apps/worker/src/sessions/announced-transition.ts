import type { OutboxEvent, Repositories, Session, SessionStatus, StatusTransition } from '@wagw/db';

/** Builds a change's `session.status` event and announces it (session-events.ts). */
export interface StatusAnnouncer {
  /** Absent: no event is stored with the change (it is announced best effort). */
  statusEvent?: (session: Session, previous: SessionStatus) => OutboxEvent;
  status: (session: Session, previous: SessionStatus | null, event?: OutboxEvent) => Promise<void>;
}

/**
 * A status transition whose `session.status` event is committed with it (event outbox) and then
 * announced, so every change a worker makes reaches live views and webhooks, even when the process
 * dies after the commit or Redis is away. Without an announcer the transition is only recorded.
 */
export async function transitionAnnounced(
  deps: { repos: Pick<Repositories, 'sessions'>; announce?: StatusAnnouncer },
  sessionId: string,
  transition: Omit<StatusTransition, 'event'>,
): Promise<Session | null> {
  // The status before, as the transition's transaction saw it, and the event built from it.
  let previous: SessionStatus | null = null;
  let event: OutboxEvent | undefined;
  const after = await deps.repos.sessions.transitionStatus(sessionId, {
    ...transition,
    event: (updated, before) => {
      previous = before;
      event = deps.announce?.statusEvent?.(updated, before);
      return event;
    },
  });
  if (after && deps.announce) await deps.announce.status(after, previous, event);
  return after;
}
