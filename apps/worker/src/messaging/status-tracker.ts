import type { Message, MessageStatus, OutboxEvent, Repositories } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { waMessageIdFor } from '@wagw/queue';
import type { WAMessage, WAMessageUpdate } from '@whiskeysockets/baileys';
import { type SpoolWrite, shouldSpool } from './db-spool.js';
import type { MessageEvents } from './message-events.js';
import { canAdvance, errorReason, statusFromBaileys } from './status-rank.js';
import { createYielder } from './yield.js';

/** Statuses of a message still in the outbox; leaving them settles it for its batch. */
const UNSETTLED: ReadonlySet<MessageStatus> = new Set(['queued', 'sending']);
/**
 * How many of its latest writes a session's tracker remembers, so the receipts that follow a send
 * (the server ack at once, delivery and read later) find the row without reading it again. Only
 * the fields a status write needs are kept (no payload): a few hundred bytes per entry.
 */
const REMEMBERED_ROWS = 256;

/** What a status write needs of a row: its ids, the status to compare-and-set on, its batch. */
type TrackedRow = Pick<Message, 'id' | 'waMessageId' | 'status' | 'batchId' | 'direction'>;

/** The WhatsApp id the message is sent under (send.processor.ts): what receipts name it by. */
const waIdOf = (row: Pick<Message, 'id' | 'waMessageId'>) => row.waMessageId ?? waMessageIdFor(row.id);

/** A receipt for one of our messages, as Baileys reports it (a status number, error params). */
interface Receipt {
  waId: string;
  status: number;
  params?: string[] | null;
}

interface StatusTrackerDeps {
  sessionId: string;
  logger: Logger;
  repos: Pick<Repositories, 'messages'>;
  /** Runs a database call through the worker's database breaker. */
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  events: MessageEvents;
  /**
   * Keeps a receipt the database could not take (db-spool.ts), replayed later by `replayReceipt`:
   * WhatsApp does not send a receipt twice. Without it, such a receipt is logged and lost.
   */
  spool?: (write: SpoolWrite) => Promise<boolean>;
}

/**
 * Every status change of this session's outbound messages goes through here: from the send
 * processor (`sending`, `sent`, `failed`) and from Baileys (`messages.update`, and statuses folded
 * into Baileys' own `messages.upsert`: Baileys buffers events for about 100 ms, and a receipt
 * processed before the buffer is flushed lands on the upserted message instead of arriving as an
 * update). Changes to one message are serialised (by its WhatsApp id, the one name both the send
 * processor and a receipt know) and only move forward (see `canAdvance`), so a late or replayed
 * receipt never moves a message back; each change is stored and published. The rows of its latest
 * writes are remembered: a receipt for one of them is decided on that copy and never reads the
 * row (a compare-and-set that finds the row changed falls back to reading it).
 */
export function createStatusTracker(deps: StatusTrackerDeps) {
  const { sessionId, logger } = deps;
  const chains = new Map<string, Promise<unknown>>();
  const remembered = new Map<string, TrackedRow>();

  function remember(row: Message): void {
    const key = waIdOf(row);
    remembered.delete(key);
    const { id, waMessageId, status, batchId, direction } = row;
    remembered.set(key, { id, waMessageId, status, batchId, direction });
    if (remembered.size > REMEMBERED_ROWS) remembered.delete(remembered.keys().next().value as string);
  }

  /** Serialises work per message (by WhatsApp id); the map only holds ids with work in flight. */
  function serial<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = chains.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    chains.set(id, tail);
    void tail.then(() => {
      if (chains.get(id) === tail) chains.delete(id);
    });
    return next;
  }

  async function store(
    row: TrackedRow,
    status: MessageStatus,
    reason: string | null,
  ): Promise<Message | null> {
    // Compare-and-set on the status we read: a change made meanwhile elsewhere (the API cancelling
    // a queued message) wins, and this write is dropped rather than overwriting it.
    // The event is committed with the update (event outbox): a crash or a Redis outage after the
    // commit delays it, never loses it.
    let event: OutboxEvent | undefined;
    // Leaving the outbox may settle the message's batch: if it was the batch's last message, the
    // same transaction writes `batch.completed` (exactly once per batch, whoever settles it last).
    let batchEvent: OutboxEvent | undefined;
    const settles = row.batchId !== null && UNSETTLED.has(row.status) && !UNSETTLED.has(status);
    const updated = await deps.db(() =>
      deps.repos.messages.updateStatus(row.id, status, reason, {
        expectedFrom: row.status,
        event: (after) => {
          event = deps.events.statusEvent(after);
          return event;
        },
        ...(settles
          ? {
              batchEvent: (counts) => {
                batchEvent = deps.events.batchCompletedEvent(counts);
                return batchEvent;
              },
            }
          : {}),
      }),
    );
    if (!updated) remembered.delete(waIdOf(row));
    if (updated) {
      remember(updated);
      if (event) await deps.events.publishStored(event);
      if (batchEvent) await deps.events.publishStored(batchEvent);
    }
    return updated;
  }

  /** Moves `row` forward unless that would be backwards; returns the row after (null: it changed). */
  function forward<R extends TrackedRow>(
    row: R,
    status: MessageStatus,
    reason: string | null,
  ): Promise<R | Message | null> {
    return canAdvance(row.status, status) ? store(row, status, reason) : Promise.resolve(row);
  }

  /**
   * Moves a message the send processor holds forward. `row` is its copy of the row: the write is a
   * compare-and-set on that copy's status, so the send path reads the row once and a change made
   * since (a cancellation, a receipt) wins; null means the row had changed.
   */
  function advance(row: Message, status: MessageStatus, reason: string | null = null) {
    return serial(waIdOf(row), () => forward(row, status, reason)) as Promise<Message | null>;
  }

  /** A send that will be retried goes back to `queued` (the only backwards move, and only from `sending`). */
  function requeue(row: Message, reason: string) {
    return serial(waIdOf(row), async () => (row.status === 'sending' ? store(row, 'queued', reason) : row));
  }

  /** The message's row, in its chain: the remembered copy of this tracker's last write, or a read. */
  async function current(waId: string, fresh: boolean): Promise<TrackedRow | null> {
    const known = fresh ? undefined : remembered.get(waId);
    return known ?? (await deps.db(() => deps.repos.messages.getByWaId(sessionId, waId)));
  }

  /** A receipt names the message by WhatsApp id only; decided in the message's chain. */
  function fromBaileys(waId: string, status: number, params?: string[] | null): Promise<void> {
    const next = statusFromBaileys(status);
    if (!next) return Promise.resolve();
    const reason = next === 'failed' ? errorReason(params) : null;
    return serial(waId, async () => {
      for (const fresh of [false, true]) {
        const row = await current(waId, fresh);
        if (row?.direction !== 'outbound') return;
        // An error ack for a message still being sent belongs to the send processor, which is waiting
        // for that ack and decides between retrying and failing; failing it here would race the retry.
        if (next === 'failed' && (row.status === 'queued' || row.status === 'sending')) return;
        // null: the remembered copy was out of date (changed elsewhere); read the row once more.
        if ((await forward(row, next, reason)) !== null) return;
      }
    });
  }

  /**
   * Isolated per receipt: one that cannot be mapped or stored is logged, the others go on; one the
   * database could not take while it is unavailable is spooled instead.
   */
  async function each(receipts: readonly Receipt[]) {
    const maybeYield = createYielder();
    for (const receipt of receipts) {
      await maybeYield();
      await fromBaileys(receipt.waId, receipt.status, receipt.params).catch(async (err) => {
        if (deps.spool && shouldSpool(err)) {
          await deps.spool({ kind: 'receipt', ...receipt });
          return;
        }
        logger.warn({ err, sessionId, waMessageId: receipt.waId }, 'message status update failed');
      });
    }
  }

  return {
    advance,
    requeue,

    onUpdate(updates: WAMessageUpdate[]): Promise<void> {
      const receipts: Receipt[] = [];
      for (const { key, update } of updates) {
        if (!key.fromMe || !key.id || typeof update.status !== 'number') continue;
        receipts.push({ waId: key.id, status: update.status, params: update.messageStubParameters });
      }
      return each(receipts);
    },

    /** Our own sends come back as `append` upserts; a receipt processed before the flush sets `status`. */
    onOwnUpsert(messages: WAMessage[]): Promise<void> {
      const receipts: Receipt[] = [];
      for (const message of messages) {
        if (!message.key.fromMe || !message.key.id || typeof message.status !== 'number') continue;
        receipts.push({
          waId: message.key.id,
          status: message.status,
          params: message.messageStubParameters,
        });
      }
      return each(receipts);
    },

    /** A spooled receipt, applied as when it arrived (forward-only); throws what the database threw. */
    replayReceipt(receipt: Receipt): Promise<void> {
      return fromBaileys(receipt.waId, receipt.status, receipt.params);
    },
  };
}

export type StatusTracker = ReturnType<typeof createStatusTracker>;
