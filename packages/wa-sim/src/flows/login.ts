import { applyFault } from '../faults/apply-fault.js';
import { claimedJid } from '../faults/fault-target.js';
import type { SimConnection } from '../server/connection.js';
import type { SimContext } from '../sim-context.js';

/**
 * Validates a login payload: `username:device` must be a paired companion and the handshake's
 * static key its noise key; anything else gets `<failure reason="401"/>`. On success, kicks an
 * older connection of the same companion (440) and sends `<success>`.
 */
export function handleLogin(ctx: SimContext, conn: SimConnection): void {
  const jid = claimedJid(conn);
  const companion = jid ? ctx.world.companion(jid) : undefined;
  if (!companion || !conn.clientStatic || !companion.noiseKey.equals(conn.clientStatic)) {
    ctx.counters.loginFailures++;
    ctx.events.emit('login-failed', conn, companion ? 'noise key mismatch' : `unknown companion ${jid}`);
    applyFault(conn, { kind: 'failure', reason: '401' });
    return;
  }
  if (ctx.behaviour.replaceOnDuplicateLogin) {
    for (const other of ctx.live.values()) {
      if (other !== conn && other.companion === companion && other.isOpen) {
        ctx.counters.replacedConflicts++;
        ctx.events.emit('replaced', other, conn);
        applyFault(other, {
          kind: 'stream-error',
          child: { tag: 'conflict', attrs: { type: 'replaced' } },
        });
      }
    }
  }
  conn.companion = companion;
  ctx.counters.logins++;
  ctx.counters.companionLoggedIn(companion.jid);
  ctx.events.emit('login', conn, companion);
  const attrs: Record<string, string> = {
    t: String(Math.floor(Date.now() / 1000)),
    lid: companion.lid,
    props: '1',
    abprops: '1',
    location: 'sim',
    creation: String(Math.floor(companion.pairedAt / 1000)),
  };
  if (companion.account.name) attrs.display_name = companion.account.name;
  void conn.send({ tag: 'success', attrs });
}

/** Marks that Baileys got every answer it needs for `open`, and fires `open`-triggered faults. */
export function markOpen(ctx: SimContext, conn: SimConnection): void {
  if (!conn.isOpen) return; // closed while the last answer was being written
  ctx.counters.connectionEstablished(conn.id);
  ctx.events.emit('open', conn);
  ctx.faults.fire('open', conn);
}
