import { createConsumerConnection, type RedisConnection, redisKeys } from '@wagw/queue';
import { sleep } from '@wagw/resilience';
import type { FastifyBaseLogger } from 'fastify';
import { parseEntries, type StreamEntry, streamTail } from './stream-entries.js';

export interface EventHubOptions {
  redisUrl: string;
  prefix: string;
  logger: Pick<FastifyBaseLogger, 'warn'>;
  /** XREAD block per round trip. Default 5000 ms: short enough that a dead connection is noticed soon. */
  blockMs?: number;
}

/** Called with every batch the hub reads, in stream order. */
export type HubListener = (entries: readonly StreamEntry[]) => void;

export interface HubSubscription {
  /**
   * The stream id the hub had read up to when this subscription began: every later entry reaches
   * the listener, so a client resuming from an older id reads up to here itself (stream-entries.ts).
   */
  position: Promise<string>;
  unsubscribe(): void;
}

/** Pause after a failed read (Redis down) before trying again. */
const READ_RETRY_MS = 1000;
/** Entries per XREAD: a burst is fanned out in a few round trips, not one per event. */
const READ_COUNT = 500;

/**
 * One reader of the event stream per API process, fanning every entry out to the open SSE streams.
 * Each stream used to hold its own Redis connection blocked in XREAD (issue #18: 600 streams, 600
 * connections). The hub connects when the first stream subscribes and disconnects when the last
 * one leaves, so an API with no stream open holds no extra connection.
 */
export function createEventHub(options: EventHubOptions) {
  const blockMs = options.blockMs ?? 5000;
  let reader: Reader | undefined;

  function startReader(): Reader {
    const conn: RedisConnection = createConsumerConnection(options.redisUrl, {
      // Named so operators can tell it apart in CLIENT LIST: one per API replica with streams open.
      connectionName: 'wagw-api-events',
    });
    conn.on('error', (err) => options.logger.warn({ err }, 'event hub redis error'));
    const stopping = new AbortController();
    const listeners = new Set<HubListener>();
    let position: string | undefined;
    let announce: (id: string) => void = () => {};
    let abandon: (err: Error) => void = () => {};
    const ready = new Promise<string>((resolve, reject) => {
      announce = resolve;
      abandon = reject;
    });
    // Rejected only when the reader stops before it knew its position; nobody may be waiting then.
    ready.catch(() => {});

    async function retryPause(err: unknown, message: string): Promise<boolean> {
      if (stopping.signal.aborted) return false;
      options.logger.warn({ err }, message);
      return sleep(READ_RETRY_MS, stopping.signal);
    }

    async function run(): Promise<void> {
      while (position === undefined) {
        try {
          position = await streamTail(conn, options.prefix);
        } catch (err) {
          if (!(await retryPause(err, 'event hub tail read failed'))) return;
        }
      }
      announce(position);
      const key = redisKeys(options.prefix).events;
      while (!stopping.signal.aborted) {
        let raw: Array<[string, Array<[string, string[]]>]> | null;
        try {
          raw = (await conn.xread(
            'COUNT',
            READ_COUNT,
            'BLOCK',
            blockMs,
            'STREAMS',
            key,
            position,
          )) as typeof raw;
        } catch (err) {
          if (!(await retryPause(err, 'event hub read failed'))) return;
          continue;
        }
        if (stopping.signal.aborted) return;
        const entries = parseEntries(raw?.[0]?.[1] ?? []);
        const last = entries.at(-1);
        if (!last) continue;
        position = last.streamId;
        for (const listener of listeners) {
          // One stream's failure must not cost the others their events.
          try {
            listener(entries);
          } catch (err) {
            options.logger.warn({ err }, 'event stream listener failed');
          }
        }
      }
    }

    void run();
    return {
      listeners,
      /** Synchronous snapshot when running, so no batch falls between it and the subscription. */
      position: () => (position === undefined ? ready : Promise.resolve(position)),
      stop() {
        stopping.abort();
        abandon(new Error('event hub stopped'));
        // disconnect() rejects the pending XREAD at once, which ends the loop.
        conn.disconnect();
      },
    };
  }

  return {
    subscribe(listener: HubListener): HubSubscription {
      reader ??= startReader();
      const own = reader;
      own.listeners.add(listener);
      let subscribed = true;
      return {
        position: own.position(),
        unsubscribe() {
          if (!subscribed) return;
          subscribed = false;
          own.listeners.delete(listener);
          if (own.listeners.size === 0 && reader === own) {
            own.stop();
            reader = undefined;
          }
        },
      };
    },
    /** Streams subscribed now (0 when the hub holds no connection). */
    subscribers(): number {
      return reader?.listeners.size ?? 0;
    },
    close(): void {
      reader?.stop();
      reader = undefined;
    },
  };
}

type Reader = {
  listeners: Set<HubListener>;
  position(): Promise<string>;
  stop(): void;
};

export type EventHub = ReturnType<typeof createEventHub>;
