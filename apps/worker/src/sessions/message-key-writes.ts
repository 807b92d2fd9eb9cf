import type { WASocket } from '@whiskeysockets/baileys';
import { MultiplexedStorage } from './shared-async-storage.js';

/** One Signal key write as the store sends it to the database (BufferJSON text, null deletes). */
export interface KeyWrite {
  type: string;
  id: string;
  value: string | null;
}

/** The key writes made while Baileys handled one inbound message. */
interface Turn {
  owner: MessageKeyWrites;
  writes: Map<string, KeyWrite>;
  open: boolean;
}

// One storage for every socket (MultiplexedStorage adds no per-promise cost of its own); a turn
// knows its owner, so a socket never holds another one's writes.
const turns = new MultiplexedStorage<Turn>();

type Mutex = { mutex: <T>(code: () => Promise<T> | T) => Promise<T> };

const keyOf = (write: { type: string; id: string }) => `${write.type}\u0000${write.id}`;

/**
 * Holds the Signal key writes Baileys makes while it handles one inbound message until it is done
 * with it, so they reach the database only after the message's receipt went out.
 *
 * Why: Baileys handles inbound messages one at a time (its `messageMutex`): it decrypts, which
 * commits the keys the message used, then sends the receipt, then hands the message over. A worker
 * killed, or a connection dropped, between the two left keys stored for a message WhatsApp was never
 * told about: it delivers the message again, its keys are used up, and Baileys rc14 nacks it (487)
 * instead of asking the sender. Held here, those writes die with the process or are dropped with the
 * connection, and the next delivery decrypts from the keys as they were.
 *
 * Not held: new pre-keys (a retry receipt sends one to the peer, so it must exist once sent), and
 * writes made outside a message's turn. Such a direct write to a key a turn holds replaces the held
 * value (Baileys' per-chat transaction lock means it was computed from it).
 */
export class MessageKeyWrites {
  #active: Turn | undefined;
  #committing: Promise<void> = Promise.resolve();
  #inFlight: Map<string, KeyWrite> | undefined;

  constructor(
    private readonly options: {
      /** Writes a finished turn's keys (the store's own write path, fence and breaker included). */
      commit: (writes: KeyWrite[]) => Promise<void>;
      /** True once the connection closed or the lease lapsed: a failed turn's writes are dropped. */
      connectionClosed: () => boolean;
      onError: (err: unknown, count: number) => void;
    },
  ) {}

  /** Wraps the socket's message mutex so every message Baileys handles is one turn. */
  install(sock: WASocket): void {
    const messageMutex = (sock as unknown as { messageMutex?: Mutex }).messageMutex;
    // A Baileys without it keeps writing through, as the store did before.
    if (!messageMutex) return;
    const original = messageMutex.mutex.bind(messageMutex);
    messageMutex.mutex = <T>(code: () => Promise<T> | T) => original(() => this.#turn(code));
  }

  /** Keeps `writes` in the current turn; false when they were not made in one (write them now). */
  hold(writes: KeyWrite[]): boolean {
    const turn = turns.getStore();
    if (!turn || turn.owner !== this || !turn.open) return false;
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

  async #turn<T>(code: () => Promise<T> | T): Promise<T> {
    const turn: Turn = { owner: this, writes: new Map(), open: true };
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
      // A turn that failed once the connection closed never sent its receipt: drop its writes.
      if (turn.writes.size > 0 && !(failed && this.options.connectionClosed())) {
        await this.#commit(turn.writes);
      }
    }
  }

  async #commit(writes: Map<string, KeyWrite>): Promise<void> {
    this.#inFlight = writes;
    const done = this.options
      .commit([...writes.values()])
      .catch((err) => this.options.onError(err, writes.size))
      .finally(() => {
        if (this.#inFlight === writes) this.#inFlight = undefined;
      });
    this.#committing = done;
    await done;
  }
}
