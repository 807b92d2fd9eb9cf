import type { OutboxEvent, Repositories, Session, SessionStatus } from '@wagw/db';
import {
  type GatewayEvent,
  publishEvent,
  type RedisConnection,
  sessionStatusEvent,
  writesConfirmed,
} from '@wagw/queue';

/** What announcing a scheduler's status change needs; without Redis nothing is published here. */
export interface AnnounceDeps {
  redis?: RedisConnection;
  prefix?: string;
  repos: { eventOutbox?: Pick<Repositories['eventOutbox'], 'remove'> };
}

/**
 * The `session.status` event of a change the scheduler makes (a dead worker's session reset, a
 * failed one revived), written to the event outbox in the transition's transaction. Live views
 * (SSE, the dashboard, webhooks) learn of it as they learn of the workers' own changes, so they
 * stop showing `open` under a worker that is gone. `workerId` is null: no worker made the change.
 */
export function schedulerStatusEvent(session: Session, previous: SessionStatus): OutboxEvent {
  const envelope = sessionStatusEvent(session, { previous, workerId: null, disconnectCode: null });
  return { id: envelope.id, sessionId: session.id, envelope: { ...envelope } };
}

/**
 * Publishes a stored status event and deletes its outbox row. A Redis hiccup must not fail the
 * maintenance run: the row stays and the event-outbox relay publishes it later, under the same id.
 */
export async function announceSessionStatus(deps: AnnounceDeps, event: OutboxEvent | undefined) {
  if (!event || !deps.redis || deps.prefix === undefined) return;
  try {
    await publishEvent(deps.redis, deps.prefix, event.envelope as unknown as GatewayEvent);
  } catch {
    return;
  }
  // On Sentinel the row stays until a replica has the event (a failover would lose it otherwise).
  if (!(await writesConfirmed(deps.redis))) return;
  await deps.repos.eventOutbox?.remove([event.id]).catch(() => undefined);
}
