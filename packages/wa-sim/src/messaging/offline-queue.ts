import type { BinaryNode } from '@whiskeysockets/baileys';

/**
 * What the server holds for each companion, as WhatsApp does: stanzas for a companion without a
 * live connection (written when it next logs in), and the messages written to a live connection
 * that the companion has not acknowledged yet (a `<receipt>` naming them, or an `<ack>`). When the
 * companion's last connection closes, those go back to the front of its queue, so a message the
 * device never confirmed (it crashed, or the connection dropped under it) is delivered again, under
 * the same id and with the same ciphertext, at its next login.
 */
export class OfflineQueue {
  private readonly queued = new Map<string, BinaryNode[]>();
  private readonly unacked = new Map<string, Map<string, BinaryNode>>();
  /** Acknowledgements to ignore, per companion: see {@link loseAcks}. */
  private readonly lost = new Map<string, number>();

  /** Keeps `node` for the companion's next login. */
  queue(jid: string, node: BinaryNode): void {
    const list = this.queued.get(jid) ?? [];
    list.push(node);
    this.queued.set(jid, list);
  }

  /** Takes everything queued for the companion, oldest first. */
  take(jid: string): BinaryNode[] {
    const list = this.queued.get(jid) ?? [];
    this.queued.delete(jid);
    return list;
  }

  /** `node` was written to a live connection of the companion: a message waits for its acknowledgement. */
  written(jid: string, node: BinaryNode): void {
    const id = node.attrs.id;
    if (node.tag !== 'message' || !id) return;
    const pending = this.unacked.get(jid) ?? new Map<string, BinaryNode>();
    pending.set(id, node);
    this.unacked.set(jid, pending);
  }

  /** The companion acknowledged these message ids (receipt or ack); false when the server lost it. */
  acknowledged(jid: string, ids: readonly string[]): boolean {
    const lose = this.lost.get(jid) ?? 0;
    if (lose > 0) {
      this.lost.set(jid, lose - 1);
      return false;
    }
    const pending = this.unacked.get(jid);
    for (const id of ids) pending?.delete(id);
    return true;
  }

  /**
   * The companion's last connection closed: what it did not acknowledge goes before whatever was
   * queued meanwhile. Returns how many messages will be delivered again.
   */
  connectionLost(jid: string): number {
    const pending = this.unacked.get(jid);
    this.unacked.delete(jid);
    if (!pending?.size) return 0;
    this.queued.set(jid, [...pending.values(), ...(this.queued.get(jid) ?? [])]);
    return pending.size;
  }

  /** Test fault: the server ignores the companion's next `count` acknowledgements (lost in transit). */
  loseAcks(jid: string, count: number): void {
    this.lost.set(jid, (this.lost.get(jid) ?? 0) + count);
  }

  /** Messages written to the companion and not acknowledged yet. */
  unacknowledged(jid: string): string[] {
    return [...(this.unacked.get(jid)?.keys() ?? [])];
  }
}
