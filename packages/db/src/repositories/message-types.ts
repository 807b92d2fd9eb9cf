/**
 * The repository contract of messages, their media downloads and the idempotency of the requests
 * that create them (repository-types.ts has the rest).
 */
import type { MessageDirection, MessageStatus } from '../schema/enums.js';
import type { OutboxEvent } from './event-outbox.repository.js';
import type { MediaDownload, Message } from './row-types.js';

/** What outbox reconciliation reads of a message: enough to enqueue its send job again. */
export type OutboxRow = Pick<Message, 'id' | 'sessionId' | 'batchId'>;

export interface NewMessage {
  /** Default: a new sortable id. */
  id?: string;
  sessionId: string;
  direction: MessageDirection;
  waMessageId?: string | null;
  remoteJid: string;
  type: string;
  payload: Record<string, unknown>;
  /** Default: 'queued' for outbound, 'received' for inbound. */
  status?: MessageStatus;
  batchId?: string | null;
  /** The media store id of the message's file, when it has one and it is known. */
  mediaId?: string | null;
  /** Default: now. */
  createdAt?: Date;
}

export interface MessageListQuery {
  sessionId: string;
  status?: MessageStatus;
  direction?: MessageDirection;
  /** created_at strictly before / after. */
  before?: Date;
  after?: Date;
  /** Page size, clamped to 1..1000. */
  limit: number;
  /** `nextCursor` from the previous page. */
  cursor?: string | null;
  /** Only messages of these chats (remote JIDs: a chat's phone-number JID and its LID). */
  remoteJids?: readonly string[];
}

export interface MessagePage {
  /** Newest first (by id, i.e. insertion order). */
  items: Message[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/**
 * The response an Idempotency-Key claim (`idempotencyKeys.begin`) answers with, stored in the same
 * transaction as the rows it stands for: a replica killed after the commit leaves a completed key
 * (a retry replays the response), one killed before leaves no rows (a retry does the work once).
 * The claim is completed only while still `in_progress` under `keyId`; a claim taken over meanwhile
 * (judged abandoned) makes the whole transaction fail with IdempotencyClaimLostError.
 */
export interface IdempotencyCommit {
  keyId: string;
  status: number;
  body: unknown;
}

export interface MessagesRepository {
  insert(input: NewMessage, options?: { idempotency?: IdempotencyCommit }): Promise<Message>;
  /** One transaction, inserted in chunks (SQLite's bound-variable limit; pg round trips). */
  insertMany(
    inputs: readonly NewMessage[],
    options?: { idempotency?: IdempotencyCommit },
  ): Promise<Message[]>;
  getById(id: string): Promise<Message | null>;
  /** The message with this WhatsApp id in this session (ids are unique per session). */
  getByWaId(sessionId: string, waMessageId: string): Promise<Message | null>;
  /**
   * Sets status (+reason) and the matching timestamp, keeping the first one: sent → sent_at,
   * delivered → delivered_at, read/played → read_at. 'sending' increments attempts.
   * With `expectedFrom` it is a compare-and-set: null unless the current status is one of them
   * (e.g. a worker claims `queued → sending` so a row cancelled meanwhile is never sent).
   */
  updateStatus(
    id: string,
    status: MessageStatus,
    reason?: string | null,
    opts?: {
      expectedFrom?: MessageStatus | readonly MessageStatus[];
      /** The event announcing the change, written to the event outbox in the same transaction. */
      event?: (updated: Message) => OutboxEvent;
      /**
       * For a change that takes the message out of `queued`/`sending`: when it was the last of its
       * batch to leave, the batch's `batch.completed` event, built from the batch's counts and
       * written to the outbox in the same transaction (exactly once per batch, see settleBatch).
       */
      batchEvent?: (counts: BatchCounts) => OutboxEvent;
    },
  ): Promise<Message | null>;
  listBySession(query: MessageListQuery): Promise<MessagePage>;
  /** Returns true when new, false when (session_id, wa_message_id) was already stored. */
  insertInboundIgnoringDuplicates(
    input: NewMessage & { waMessageId: string },
    /** The event announcing a new row, written to the event outbox in the same transaction. */
    opts?: { event?: OutboxEvent },
  ): Promise<boolean>;
  /** Every status is present (0 when none). Default: all sessions. */
  countByStatus(sessionId?: string): Promise<Record<MessageStatus, number>>;
  /** Counts of one bulk batch; null when no message carries this batch id. */
  countByBatch(batchId: string): Promise<BatchCounts | null>;
  /**
   * Compare-and-set in one statement: marks the given rows (or every row of the batch) that are
   * still `queued` as `cancelled`; rows a worker already took (`sending`, ...) are left alone.
   * Returns the ids that were cancelled.
   */
  cancelQueued(
    target: { ids: readonly string[] } | { batchId: string },
    /** With a batch target: the batch's `batch.completed` when the cancel settled it (as updateStatus). */
    opts?: { batchEvent?: (counts: BatchCounts) => OutboxEvent },
  ): Promise<string[]>;
  /**
   * Outbound rows still `queued`, or stuck in `sending`, last touched before `olderThan`, oldest id
   * first, for outbox reconciliation (a worker that died or lost Redis mid-send leaves `sending`;
   * resending is safe because the WhatsApp id is derived from the row id). Pages by id: pass the
   * last id seen as `afterId`. Only the columns a job needs (no payload: a backlog of large
   * messages would otherwise be read in full on every reconciliation run).
   */
  listQueuedBefore(olderThan: Date, limit: number, afterId?: string | null): Promise<OutboxRow[]>;
  /**
   * Replaces the payload and media id of a message: what a worker writes once an inbound file is
   * downloaded (or has failed for good), or once an outbound URL was fetched into the store.
   */
  updateMedia(id: string, payload: Record<string, unknown>, mediaId: string | null): Promise<Message | null>;
  /**
   * Whether media retention must keep this stored file: a `queued` or `sending` message still needs
   * it, or a message created at or after `since` uses it (the retention period runs from the last
   * message that used the file, not from when its bytes were first stored).
   */
  isMediaInUse(mediaId: string, since: Date): Promise<boolean>;
  /**
   * Messages per minute in [since, until): outbound ones by when they were sent (sent_at), inbound
   * ones by created_at. Only minutes with any message, oldest first; `minute` is its first instant.
   */
  countPerMinute(since: Date, until: Date): Promise<MessageMinute[]>;
  /** A session's outbound messages sent at or after `since`, and its inbound ones created since. */
  countSince(sessionId: string, since: Date): Promise<{ sent: number; received: number }>;
}

/** One minute of `countPerMinute`. */
export interface MessageMinute {
  minute: Date;
  sent: number;
  received: number;
}

/**
 * Inbound media still to download (see the `media_downloads` table): written with its message,
 * read back by whichever worker owns the session, deleted once the file is settled and announced.
 */
export interface MediaDownloadsRepository {
  /**
   * Inserts an inbound message and its pending download in one transaction. A message already
   * stored under (session, WhatsApp id) is left as it is and nothing is written: returns false,
   * like `messages.insertInboundIgnoringDuplicates`.
   */
  insertWithMessage(
    message: NewMessage & { waMessageId: string },
    descriptor: Record<string, unknown>,
  ): Promise<boolean>;
  /** A session's pending downloads, oldest message first; page with the last `messageId` seen. */
  listBySession(
    sessionId: string,
    options: { limit: number; afterMessageId?: string | null },
  ): Promise<MediaDownload[]>;
  /** Removes the pending download; false when it was already gone. */
  delete(messageId: string): Promise<boolean>;
}

export interface BatchCounts {
  batchId: string;
  /** A batch is created by one bulk request on one session. */
  sessionId: string;
  total: number;
  /** Every status is present (0 when none). */
  counts: Record<MessageStatus, number>;
}
