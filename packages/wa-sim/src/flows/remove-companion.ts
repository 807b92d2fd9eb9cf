import { applyFault } from '../faults/apply-fault.js';
import { DEVICE_REMOVED_FAULT } from '../faults/fault-catalog.js';
import type { SimContext } from '../sim-context.js';
import type { Companion } from '../world/world-types.js';

export interface RemoveCompanionOptions {
  /**
   * Send `<stream:error code="401"><conflict type="device_removed"/>` to the companion's live
   * connections, as WhatsApp does when the phone unlinks a device. Default true.
   */
  notify?: boolean;
}

/**
 * Unlinks a companion: deletes it from the world (its creds then get `<failure reason="401"/>`)
 * and emits `companion-removed`. Returns the removed companion, or undefined if unknown.
 */
export function removeCompanion(
  ctx: SimContext,
  jid: string,
  options: RemoveCompanionOptions = {},
): Companion | undefined {
  const companion = ctx.world.removeCompanion(jid);
  if (!companion) return undefined;
  ctx.events.emit('companion-removed', companion);
  if (options.notify ?? true) {
    for (const conn of [...ctx.live.values()]) {
      if (conn.companion === companion && conn.phase === 'transport') applyFault(conn, DEVICE_REMOVED_FAULT);
    }
  }
  return companion;
}
