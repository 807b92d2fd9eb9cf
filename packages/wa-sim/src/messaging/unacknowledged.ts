import type { BinaryNode } from '@whiskeysockets/baileys';

/** How often one message is written to a companion before the server gives up on it. */
export const MAX_MESSAGE_SENDS = 4;

interface Pending {
  node: BinaryNode;
  /** Times written, across connections. */
  sends: number;
  /** The connections it was last written to. */
  to: ReadonlySet<number>;
}

/**
 * Messages written to a companion and not yet acknowledged by it, per companion, in the order
 * written. WhatsApp keeps a message until the device acknowledges it (Baileys answers each message
 * with a receipt, or an ack when it cannot take it): when the connection it went to ends first, the
 * message goes to the device's other connection (a gateway worker that took the session over) or
 * waits for the next login. A client that dropped mid-flood therefore loses nothing it never saw.
 */
export class UnacknowledgedMessages {
  private readonly byCompanion = new Map<string, Map<string, Pending>>();

  /** A node written to the companion's connections `to`; only `message` stanzas with an id are kept. */
  written(jid: string, node: BinaryNode, to: readonly number[]): void {
    const id = node.attrs.id;
    if (node.tag !== 'message' || !id) return;
    const pending = this.byCompanion.get(jid) ?? new Map<string, Pending>();
    const sends = (pending.get(id)?.sends ?? 0) + 1;
    // Re-inserted so the map's order stays the order of the latest write.
    pending.delete(id);
    pending.set(id, { node, sends, to: new Set(to) });
    this.byCompanion.set(jid, pending);
  }

  /** The companion acknowledged these messages: they are its own now. */
  acknowledged(jid: string, ids: readonly string[]): void {
    const pending = this.byCompanion.get(jid);
    if (!pending) return;
    for (const id of ids) pending.delete(id);
    if (pending.size === 0) this.byCompanion.delete(jid);
  }

  /**
   * A connection of the companion ended: the messages none of its `live` connections was written,
   * oldest first, to write again. They stay pending (an acknowledgement still clears them); one
   * already written MAX_MESSAGE_SENDS times is given up.
   */
  orphaned(jid: string, live: ReadonlySet<number>): BinaryNode[] {
    const pending = this.byCompanion.get(jid);
    if (!pending) return [];
    const again: BinaryNode[] = [];
    for (const [id, entry] of pending) {
      if ([...entry.to].some((conn) => live.has(conn))) continue;
      if (entry.sends >= MAX_MESSAGE_SENDS) pending.delete(id);
      else again.push(entry.node);
    }
    if (pending.size === 0) this.byCompanion.delete(jid);
    return again;
  }

  /** Messages pending for the companion (tests). */
  count(jid: string): number {
    return this.byCompanion.get(jid)?.size ?? 0;
  }
}
