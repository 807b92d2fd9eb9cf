import type { WAMessage } from '@whiskeysockets/baileys';

/** Far more than Baileys' buffer holds between two flushes; one never flushed ages out. */
const MAX_ENTRIES = 5000;

const keyOf = (m: WAMessage) =>
  `${m.key.remoteJid ?? ''}\u0000${m.key.participant ?? ''}\u0000${m.key.id ?? ''}`;

/**
 * Inbound messages stored as Baileys upserted them (sessions/message-turns.ts). Its event buffer
 * hands the same messages over again later; `take` says which to skip, so each is stored and
 * processed once. Bounded: when the socket closes before its buffer flushes, entries are never
 * taken, and the oldest go first.
 */
export class HandedOver {
  readonly #keys = new Set<string>();

  add(messages: readonly WAMessage[]): void {
    for (const message of messages) {
      this.#keys.add(keyOf(message));
      if (this.#keys.size > MAX_ENTRIES) this.#keys.delete(this.#keys.values().next().value as string);
    }
  }

  /** True (once) for a message already handed over. */
  take(message: WAMessage): boolean {
    return this.#keys.delete(keyOf(message));
  }
}
