import type { BinaryNode, WASocket } from '@whiskeysockets/baileys';

/** The server's answer to one sent message: an ack, with `error` when WhatsApp refused it. */
export type AckResult = { kind: 'ack'; error?: string } | { kind: 'timeout' } | { kind: 'closed' };

/**
 * Waits for WhatsApp's `<ack class="message">` of a sent message. Baileys' `sendMessage` resolves
 * as soon as the stanza is written and ignores successful acks; only the ack says the server took
 * the message (`sent`) or refused it (`error="463"`, `"500"`, …), so the sender waits for it on the
 * socket's own frame events. One waiter per socket; `dispose` releases pending waits as `closed`.
 */
export function createAckWaiter(sock: Pick<WASocket, 'ws'>) {
  const waiting = new Map<string, (result: AckResult) => void>();
  const onAck = (node: BinaryNode) => {
    const id = node.attrs.id;
    const resolve = id ? waiting.get(id) : undefined;
    if (!id || !resolve) return;
    waiting.delete(id);
    resolve(node.attrs.error ? { kind: 'ack', error: node.attrs.error } : { kind: 'ack' });
  };
  sock.ws.on('CB:ack,class:message', onAck);

  return {
    /** Start waiting before sending: the ack can arrive before `sendMessage` resolves. */
    expect(id: string, timeoutMs: number): Promise<AckResult> {
      return new Promise<AckResult>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolve({ kind: 'timeout' });
        }, timeoutMs);
        waiting.set(id, (result) => {
          clearTimeout(timer);
          resolve(result);
        });
      });
    },
    /** Stops waiting for `id` (the send itself failed). */
    forget(id: string): void {
      waiting.get(id)?.({ kind: 'closed' });
    },
    dispose(): void {
      sock.ws.off('CB:ack,class:message', onAck);
      for (const resolve of [...waiting.values()]) resolve({ kind: 'closed' });
      waiting.clear();
    },
  };
}

export type AckWaiter = ReturnType<typeof createAckWaiter>;
