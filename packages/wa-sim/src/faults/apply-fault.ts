import type { BinaryNode } from '@whiskeysockets/baileys';
import type { SimConnection } from '../server/connection.js';
import type { DisconnectFault } from './fault-types.js';

/**
 * After a stream error or failure Baileys closes the socket itself; the server only closes
 * later if a client ignores it, like the real one.
 */
const LINGER_MS = 2_000;

function streamErrorNode(fault: { code?: string; child?: BinaryNode }): BinaryNode {
  const attrs: Record<string, string> = fault.code ? { code: fault.code } : {};
  return fault.child
    ? { tag: 'stream:error', attrs, content: [fault.child] }
    : { tag: 'stream:error', attrs };
}

/** Carries out a disconnect fault on one connection. */
export function applyFault(conn: SimConnection, fault: DisconnectFault): void {
  switch (fault.kind) {
    case 'stream-error':
      void conn.send(streamErrorNode(fault));
      conn.closeAfter(LINGER_MS);
      return;
    case 'failure':
      void conn.send({ tag: 'failure', attrs: { reason: fault.reason, location: 'sim' } });
      conn.closeAfter(LINGER_MS);
      return;
    case 'xmlstreamend':
      void conn.send({ tag: 'xmlstreamend', attrs: {} });
      conn.closeAfter(LINGER_MS);
      return;
    case 'terminate':
      conn.terminate();
      return;
    case 'close':
      conn.close(fault.code ?? 1000);
      return;
    case 'silent':
      conn.silent = true;
      return;
  }
}
