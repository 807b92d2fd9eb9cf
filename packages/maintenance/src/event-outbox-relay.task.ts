import type { EventOutboxRepository } from '@wagw/db';
import { type GatewayEvent, publishEvent, type RedisConnection, writesConfirmed } from '@wagw/queue';

export interface EventOutboxRelayDeps {
  repos: { eventOutbox: Pick<EventOutboxRepository, 'claimStale' | 'remove'> };
  /** Where the event stream is (the scheduler's fail-fast connection). */
  redis: RedisConnection;
  prefix: string;
  /** EVENT_OUTBOX_GRACE_MS: events younger than this are left to the process that wrote them. */
  graceMs: number;
  /** Events per claim. Default: 500. */
  batchSize?: number;
  /** A run stops starting new batches after this long. Default: 20000 ms. */
  timeBudgetMs?: number;
  now?: () => Date;
}

export interface EventOutboxRelayReport {
  /** Events published to the stream (and deleted from the outbox) by this run. */
  published: number;
  /** What the runner counts as changes (the events published). */
  changed: number;
  /** True when the time budget ended the run with events possibly left for the next one. */
  truncated: boolean;
}

/**
 * Publishes events a process committed with their change but did not publish (it crashed, or Redis
 * was away) and deletes them from the outbox. Receivers see them late, under their original ids; an
 * event its writer did publish but had not yet deleted goes out twice under the same id, which
 * webhook delivery (job id per event and webhook) and receivers deduplicate on.
 */
export async function relayEventOutbox(deps: EventOutboxRelayDeps): Promise<EventOutboxRelayReport> {
  const now = deps.now ?? (() => new Date());
  const batchSize = deps.batchSize ?? 500;
  const deadline = Date.now() + (deps.timeBudgetMs ?? 20_000);
  // Held for longer than a batch takes; if this run dies, the next takes them when it ends.
  const claimMs = 60_000;
  let published = 0;
  while (Date.now() < deadline) {
    const events = await deps.repos.eventOutbox.claimStale(
      new Date(now().getTime() - deps.graceMs),
      claimMs,
      batchSize,
    );
    if (events.length === 0) return { published, changed: published, truncated: false };
    const done: string[] = [];
    try {
      for (const event of events) {
        await publishEvent(deps.redis, deps.prefix, event.envelope as unknown as GatewayEvent);
        done.push(event.id);
      }
    } finally {
      // What reached the stream leaves the outbox even when Redis failed midway; on Sentinel only
      // once a replica has it (else the claim runs out and a later run publishes it again).
      if (done.length > 0 && (await writesConfirmed(deps.redis))) await deps.repos.eventOutbox.remove(done);
      published += done.length;
    }
    if (events.length < batchSize) return { published, changed: published, truncated: false };
  }
  return { published, changed: published, truncated: true };
}
