import { isDatabaseUnavailable } from '@wagw/db';
import type { Logger } from '@wagw/logger';

/** One Signal key write as the auth-state repository takes it (null deletes the key). */
export interface KeyWrite {
  type: string;
  id: string;
  value: string | null;
}

/**
 * Key writes held per session at most; beyond it `set` fails as it did before (Baileys then treats
 * the message as undecryptable and asks the sender to retry). One inbound message updates a few
 * keys, so this covers tens of thousands of messages.
 */
const MAX_PENDING = 100_000;
/** First wait between flush attempts while the database is unavailable, doubling up to the max. */
const FLUSH_BASE_MS = 500;
const FLUSH_MAX_MS = 10_000;

/**
 * Signal key writes while the database is unavailable. Every inbound message moves a Signal
 * session forward, and Baileys stores that before it hands the decrypted message over: a failed
 * write would make the message undecryptable, and the gateway could not keep it (db-spool.ts). So
 * writes the database refuses because it is unavailable are held here, in memory, read back by this
 * session's sockets, and written in one transaction when the database answers; once one is held,
 * later writes join it without touching the database (a locked SQLite file blocks the event loop for
 * its busy timeout per attempt). Lost if the process dies before the flush: the affected Signal
 * sessions are then renegotiated, as for an unreadable key. Per session and per process, so a
 * reconnect's new socket sees what its predecessor wrote.
 */
export function createKeyWriteBehind(options: {
  sessionId: string;
  logger: Logger;
  write: (writes: KeyWrite[]) => Promise<void>;
  /**
   * Whether this worker still owns the session. Held writes of a session another worker has taken
   * over are dropped, never flushed: they would overwrite the new owner's newer Signal state.
   */
  holdsLease?: () => boolean;
  /** Called once nothing is held any more (the registry forgets this instance). */
  onIdle?: () => void;
}) {
  const { sessionId, logger } = options;
  // The socket that uses this instance now: its write (fenced by its lease generation) and its
  // lease check. A later socket of the session in this process rebinds them (keyWriteBehindFor).
  let { write, holdsLease } = options;
  const pending = new Map<string, KeyWrite>();
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let flushing: Promise<void> | undefined;

  const keyOf = (type: string, id: string) => `${type}\u0000${id}`;

  function hold(writes: KeyWrite[]): void {
    if (pending.size + writes.length > MAX_PENDING)
      throw new Error(`database unavailable and ${MAX_PENDING} Signal key writes already held`);
    if (pending.size === 0) logger.warn({ sessionId }, 'database unavailable: holding Signal key writes');
    for (const write of writes) pending.set(keyOf(write.type, write.id), write);
    schedule();
  }

  function schedule(): void {
    if (timer || pending.size === 0) return;
    const wait = Math.min(FLUSH_MAX_MS, FLUSH_BASE_MS * 2 ** failures);
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, wait);
    timer.unref();
  }

  /** Writes what is held in one transaction; entries replaced meanwhile stay for the next flush. */
  function flush(): Promise<void> {
    flushing ??= (async () => {
      const batch = [...pending.values()];
      if (holdsLease && !holdsLease()) {
        logger.warn(
          { sessionId, dropped: batch.length },
          'session taken over while Signal key writes were held: dropped (its peers renegotiate)',
        );
        pending.clear();
        flushing = undefined;
        options.onIdle?.();
        return;
      }
      try {
        await write(batch);
        for (const write of batch)
          if (pending.get(keyOf(write.type, write.id)) === write) pending.delete(keyOf(write.type, write.id));
        failures = 0;
        logger.info({ sessionId, written: batch.length }, 'held Signal key writes stored');
        if (pending.size === 0) options.onIdle?.();
      } catch (err) {
        failures++;
        if (!isDatabaseUnavailable(err))
          logger.warn({ err, sessionId }, 'storing held Signal key writes failed');
      } finally {
        flushing = undefined;
        schedule();
      }
    })();
    return flushing;
  }

  return {
    /** Writes `writes`, or holds them when the database is unavailable (or writes are held already). */
    async set(writes: KeyWrite[]): Promise<void> {
      if (pending.size > 0) return hold(writes);
      try {
        await write(writes);
      } catch (err) {
        if (!isDatabaseUnavailable(err)) throw err;
        hold(writes);
      }
    },
    /** A held value for the key: a string, null (deleted), or undefined when nothing is held. */
    held(type: string, id: string): string | null | undefined {
      return pending.get(keyOf(type, id))?.value;
    },
    size: () => pending.size,
    flush,
    /** The session's newest socket in this process writes (and flushes what is held) from now on. */
    rebind(next: { write: (writes: KeyWrite[]) => Promise<void>; holdsLease?: () => boolean }): void {
      write = next.write;
      holdsLease = next.holdsLease;
    },
  };
}

export type KeyWriteBehind = ReturnType<typeof createKeyWriteBehind>;

const perSession = new Map<string, KeyWriteBehind>();

/** The session's write-behind in this process (created on first use, kept while writes are held). */
export function keyWriteBehindFor(
  sessionId: string,
  logger: Logger,
  write: (writes: KeyWrite[]) => Promise<void>,
  holdsLease?: () => boolean,
): KeyWriteBehind {
  const existing = perSession.get(sessionId);
  if (existing) {
    // Held writes of an earlier socket stay visible to this one, but writing goes through this
    // socket's own write and lease: the earlier one's are fenced by a generation that may be gone
    // (the session reclaimed under a new one), and would refuse every write from then on.
    existing.rebind({ write, holdsLease });
    return existing;
  }
  const created = createKeyWriteBehind({
    sessionId,
    logger,
    write,
    holdsLease,
    // Forgotten once flushed, so the next socket of this session (perhaps under a new lease) gets
    // an instance with its own lease check; the map never grows with sessions seen.
    onIdle: () => {
      if (perSession.get(sessionId) === created) perSession.delete(sessionId);
    },
  });
  perSession.set(sessionId, created);
  return created;
}
