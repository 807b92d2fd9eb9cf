import type { Session, SessionStatus } from '@wagw/db';
import { createEvent, publishEvent, type RedisConnection } from '@wagw/queue';

/**
 * Announces a status the scheduler set (a dead worker's session reset, a failed one revived) as
 * workers announce theirs, so live views (SSE, the dashboard, webhooks) stop showing `open` under
 * a worker that is gone. `workerId` is null: no worker made the change. Best effort like the
 * workers' own: the row is the truth, and a Redis hiccup must not fail the maintenance run.
 */
export async function announceSessionStatus(
  deps: { redis?: RedisConnection; prefix?: string },
  session: Session,
  previous: SessionStatus,
): Promise<void> {
  if (!deps.redis || deps.prefix === undefined) return;
  await publishEvent(
    deps.redis,
    deps.prefix,
    createEvent('session.status', session.id, {
      status: session.status,
      previous,
      reason: session.statusReason,
      disconnectCode: null,
      workerId: null,
    }),
  ).catch(() => undefined);
}
