import type { SimConnection } from '../server/connection.js';
import type { SimEventMap, SimEvents } from './sim-events.js';
import type { Transcript, TranscriptEntry } from './transcript.js';

export interface WaitOptions {
  /** Milliseconds before the promise rejects. Default 5000. */
  timeout?: number;
  /** Also accept entries already in the transcript. Default false: only future stanzas. */
  includePast?: boolean;
}

export type StanzaPredicate = (entry: TranscriptEntry, conn: SimConnection | undefined) => boolean;

/** Resolves with the first event of `name` whose arguments satisfy `predicate`. */
export function waitForEvent<K extends keyof SimEventMap>(
  events: SimEvents,
  name: K,
  predicate: (...args: SimEventMap[K]) => boolean = () => true,
  options: WaitOptions = {},
): Promise<SimEventMap[K]> {
  const timeout = options.timeout ?? 5_000;
  return new Promise((resolve, reject) => {
    const listener = (...args: SimEventMap[K]) => {
      if (!predicate(...args)) return;
      cleanup();
      resolve(args);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeout} ms waiting for event '${String(name)}'`));
    }, timeout);
    const cleanup = () => {
      clearTimeout(timer);
      // biome-ignore lint/suspicious/noExplicitAny: EventEmitter's generic listener type cannot be narrowed per key here.
      events.off(name, listener as any);
    };
    // biome-ignore lint/suspicious/noExplicitAny: see above.
    events.on(name, listener as any);
  });
}

/** Resolves with the first stanza (either direction) matching `predicate`. */
export async function waitForStanza(
  events: SimEvents,
  transcript: Transcript,
  lookup: (id: number) => SimConnection | undefined,
  predicate: StanzaPredicate,
  options: WaitOptions = {},
): Promise<TranscriptEntry> {
  if (options.includePast) {
    const past = transcript.all().find((entry) => predicate(entry, lookup(entry.connectionId)));
    if (past) return past;
  }
  const timeout = options.timeout ?? 5_000;
  return new Promise((resolve, reject) => {
    const listener = (entry: TranscriptEntry, conn: SimConnection) => {
      if (!predicate(entry, conn)) return;
      cleanup();
      resolve(entry);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeout} ms waiting for a stanza`));
    }, timeout);
    const cleanup = () => {
      clearTimeout(timer);
      events.off('stanza-in', listener);
      events.off('stanza-out', listener);
    };
    events.on('stanza-in', listener);
    events.on('stanza-out', listener);
  });
}
