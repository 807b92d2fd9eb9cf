import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import { MultiplexedStorage } from './shared-async-storage.js';

/** One Signal key write as the store sends it to the database (BufferJSON text, null deletes). */
export interface KeyWrite {
  type: string;
  id: string;
  value: string | null;
}

/**
 * Stores inbound messages (the messaging's own store path); resolves once they are stored. Called
 * as Baileys upserts them, before its listeners run: it must mark them at once (synchronously) so
 * that the `messages.upsert` handler skips them.
 */
export type HandOver = (messages: WAMessage[]) => Promise<void>;

/** What happened while Baileys handled one inbound message. */
interface Turn {
  owner: MessageTurns;
  writes: Map<string, KeyWrite>;
  /** The stores of the messages it upserted, started as they were upserted. */
  handing: Promise<void>[];
  open: boolean;
}

// One storage for every socket (MultiplexedStorage adds no per-promise cost of its own); a turn
// knows its owner, so a socket never holds another one's writes.
const turns = new MultiplexedStorage<Turn>();

type Mutex = { mutex: <T>(code: () => Promise<T> | T) => Promise<T> };
type Emitter = { emit: (event: string, data: unknown) => boolean };

/** A store slower than this does not hold Baileys' next message back any longer (it goes on). */
const HAND_OVER_WAIT_MS = 10_000;

const keyOf = (write: { type: string; id: string }) => `${write.type}\u0000${write.id}`;

/**
 * Each inbound message Baileys handles is one turn, and a turn ends with the message stored and its
 * Signal keys written, before Baileys goes on to the next message.
 *
 * Baileys handles inbound messages one at a time (its `messageMutex`): it decrypts, which commits
 * the keys the message used, sends the receipt, then upserts the message into its event buffer,
 * which hands it over 100 ms later at the earliest, up to 20-30 s in some states (see
 * held-events.ts). Two windows lost messages at a `kill -9` or a dropped connection:
 *
 * - between decrypt and receipt: the keys were stored for a message WhatsApp was never told about.
 *   It delivers the message again, its keys are used up, and Baileys rc14 nacks it (487) instead of
 *   asking the sender. So the keys of a turn are held and written when it ends; a turn that failed
 *   once the connection closed (its receipt could not go out) drops them, and the next delivery
 *   decrypts from the keys as they were.
 * - between receipt and hand-over: WhatsApp does not deliver an acknowledged message again. So the
 *   messages a turn upserts are handed to `handOver` as Baileys upserts them, and the turn waits for
 *   their store (bounded); the messaging skips them when Baileys' buffer hands them over later.
 *
 * Not held: new pre-keys (a retry receipt sends one to the peer, so it must exist once sent), and
 * writes made outside a turn. Such a direct write to a key a turn holds replaces the held value
 * (Baileys' per-chat transaction lock means it was computed from it).
 */
export class MessageTurns {
  #active: Turn | undefined;
  #committing: Promise<void> = Promise.resolve();
  #inFlight: Map<string, KeyWrite> | undefined;
  #handOver: HandOver | undefined;

  constructor(
    private readonly options: {
      /** Writes a finished turn's keys (the store's own write path, fence and breaker included). */
      commit: (writes: KeyWrite[]) => Promise<void>;
      /** True once the connection closed or the lease lapsed: a failed turn's writes are dropped. */
      connectionClosed: () => boolean;
      onError: (err: unknown, what: 'keys' | 'hand-over', count: number) => void;
    },
  ) {}

  /** Wraps the socket's message mutex (and, with `handOver`, its event emitter). */
  install(sock: WASocket, handOver?: HandOver): void {
    const messageMutex = (sock as unknown as { messageMutex?: Mutex }).messageMutex;
    // A Baileys without it keeps writing through and handing over late, as before.
    if (!messageMutex) return;
    const original = messageMutex.mutex.bind(messageMutex);
    messageMutex.mutex = <T>(code: () => Promise<T> | T) => original(() => this.#turn(code));
    if (!handOver) return;
    this.#handOver = handOver;
    const ev = sock.ev as unknown as Emitter;
    const emit = ev.emit.bind(ev);
    ev.emit = (event, data) => {
      if (event === 'messages.upsert') this.#capture(data as { messages: WAMessage[] });
      return emit(event, data);
    };
  }

  /** Keeps `writes` in the current turn; false when they were not made in one (write them now). */
  hold(writes: KeyWrite[]): boolean {
    const turn = this.#current();
    if (!turn) return false;
    if (writes.some((w) => w.type === 'pre-key' && w.value !== null)) return false;
    for (const write of writes) turn.writes.set(keyOf(write), write);
    return true;
  }

  /** The newest value of a key a turn holds or is writing: text, null (deleted) or undefined. */
  held(type: string, id: string): string | null | undefined {
    const key = keyOf({ type, id });
    return (this.#active?.writes.get(key) ?? this.#inFlight?.get(key))?.value;
  }

  /**
   * Before a direct write: it replaces what the open turn holds for the same keys, and waits for a
   * finished turn's commit so that older values never land after it.
   */
  async beforeDirectWrite(writes: KeyWrite[]): Promise<void> {
    for (const write of writes) this.#active?.writes.delete(keyOf(write));
    await this.#committing;
  }

  #current(): Turn | undefined {
    const turn = turns.getStore();
    return turn && turn.owner === this && turn.open ? turn : undefined;
  }

  #capture(data: { messages: WAMessage[] }): void {
    const turn = this.#current();
    const inbound = (data.messages ?? []).filter((m) => !m.key?.fromMe);
    if (!turn || inbound.length === 0 || !this.#handOver) return;
    turn.handing.push(
      this.#handOver(inbound).catch((err) => this.options.onError(err, 'hand-over', inbound.length)),
    );
  }

  async #turn<T>(code: () => Promise<T> | T): Promise<T> {
    const turn: Turn = { owner: this, writes: new Map(), handing: [], open: true };
    this.#active = turn;
    let failed = false;
    try {
      return await turns.run(turn, code);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      turn.open = false;
      this.#active = undefined;
      // An upserted message was acknowledged: it is stored whatever happened after.
      const handing = turn.handing.length > 0 ? bounded(Promise.all(turn.handing)) : undefined;
      // A turn that failed once the connection closed never sent its receipt: drop its writes.
      const keeping = turn.writes.size > 0 && !(failed && this.options.connectionClosed());
      await Promise.all([handing, keeping ? this.#commit(turn.writes) : undefined]);
    }
  }

  async #commit(writes: Map<string, KeyWrite>): Promise<void> {
    this.#inFlight = writes;
    const done = this.options
      .commit([...writes.values()])
      .catch((err) => this.options.onError(err, 'keys', writes.size))
      .finally(() => {
        if (this.#inFlight === writes) this.#inFlight = undefined;
      });
    this.#committing = done;
    await done;
  }
}

/** Waits for `work`, but not longer than HAND_OVER_WAIT_MS (it goes on by itself after that). */
async function bounded(work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, HAND_OVER_WAIT_MS);
    timer.unref();
  });
  await Promise.race([work, waited]);
  clearTimeout(timer);
}
