import type { BinaryNode } from '@whiskeysockets/baileys';
import { iqError } from '../router/iq-replies.js';
import { iqKey, type StanzaHandler } from '../router/stanza-router.js';
import type { SimConnection } from '../server/connection.js';
import type { SimContext } from '../sim-context.js';

/** Routes one client stanza: armed faults first, then IQ overrides, then the router. */
export async function dispatchNode(ctx: SimContext, conn: SimConnection, node: BinaryNode): Promise<void> {
  if (ctx.faults.fireOnStanza(conn, node)) return;
  if (node.tag === 'iq') {
    await dispatchIq(ctx, conn, node);
    return;
  }
  for (const hook of ctx.router.hooksFor(node.tag)) {
    await run(ctx, conn, node, hook);
  }
}

async function dispatchIq(ctx: SimContext, conn: SimConnection, node: BinaryNode): Promise<void> {
  const type = node.attrs.type;
  // Late or unsolicited replies to server IQs: nothing to answer.
  if (type === 'result' || type === 'error') return;
  const key = iqKey(node);
  const override = ctx.faults.iqOverride(conn, key);
  if (override?.kind === 'withhold') return;
  const handler = override?.handler ?? ctx.router.iqHandler(key);
  if (!handler) {
    ctx.events.emit('iq-unhandled', conn, node);
    if (ctx.behaviour.unknownIq === 'error') await conn.send(iqError(node, 501, 'feature-not-implemented'));
    return;
  }
  await run(ctx, conn, node, handler);
}

async function run(
  ctx: SimContext,
  conn: SimConnection,
  node: BinaryNode,
  handler: StanzaHandler,
): Promise<void> {
  try {
    const reply = await handler(conn, node);
    if (reply) await conn.send(reply);
  } catch (error) {
    ctx.events.emit('handler-error', conn, node, error);
    if (node.tag === 'iq') await conn.send(iqError(node, 500, 'internal-server-error'));
  }
}
