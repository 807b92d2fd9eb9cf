import { child, iqResult, SERVER_JID } from '../router/iq-replies.js';
import type { StanzaHandler } from '../router/stanza-router.js';
import type { SimContext } from '../sim-context.js';
import { markOpen } from './login.js';
import { storePreKeyUpload, storeSignedPreKeyRotation } from './prekey-upload.js';
import { removeCompanion } from './remove-companion.js';

const OPENED = 'sim.opened';

/** Privacy settings a fresh WhatsApp account reports. */
const PRIVACY_DEFAULTS: Record<string, string> = {
  last: 'all',
  online: 'all',
  profile: 'all',
  status: 'contacts',
  readreceipts: 'all',
  groupadd: 'all',
  calladd: 'all',
};

/** The answers WhatsApp gives to the IQs Baileys sends around login; each can be overridden. */
export function installDefaultIqs(ctx: SimContext): void {
  const { router } = ctx;
  const on = (key: string, handler: StanzaHandler) => router.on(key, handler);

  on('encrypt/get/count', (conn, iq) =>
    iqResult(iq, [{ tag: 'count', attrs: { value: String(conn.companion?.preKeys.size ?? 0) } }]),
  );
  on('encrypt/set/registration', (conn, iq) => {
    if (conn.companion) {
      const count = storePreKeyUpload(conn.companion, iq);
      ctx.events.emit('prekeys-uploaded', conn.companion, count);
    }
    return iqResult(iq);
  });
  on('encrypt/set/rotate', (conn, iq) => {
    if (conn.companion) storeSignedPreKeyRotation(conn.companion, iq);
    return iqResult(iq);
  });
  // The end of the (always empty) offline queue goes right after the passive answer.
  on('passive/set/active', async (conn, iq) => {
    await conn.send(iqResult(iq));
    await conn.send({
      tag: 'ib',
      attrs: { from: SERVER_JID },
      content: [{ tag: 'offline', attrs: { count: '0' } }],
    });
  });
  // Digest is the last IQ Baileys awaits before emitting `connection: 'open'`.
  on('encrypt/get/digest', async (conn, iq) => {
    await conn.send(iqResult(iq, [{ tag: 'digest', attrs: {} }]));
    if (conn.state.has(OPENED)) return;
    conn.state.set(OPENED, true);
    markOpen(ctx, conn);
  });
  on('abt/get/props', (_conn, iq) =>
    iqResult(iq, [{ tag: 'props', attrs: { protocol: '1', hash: 'sim-props-1' } }]),
  );
  on('blocklist/get', (_conn, iq) => iqResult(iq, [{ tag: 'list', attrs: {} }]));
  on('privacy/get/privacy', (_conn, iq) =>
    iqResult(iq, [
      {
        tag: 'privacy',
        attrs: {},
        content: Object.entries(PRIVACY_DEFAULTS).map(([name, value]) => ({
          tag: 'category',
          attrs: { name, value },
        })),
      },
    ]),
  );
  on('privacy/set/privacy', (_conn, iq) => iqResult(iq));
  on('privacy/set/tokens', (_conn, iq) => iqResult(iq, [{ tag: 'tokens', attrs: {} }]));
  on('w:p/get/ping', (_conn, iq) => iqResult(iq));
  on('md/set/remove-companion-device', (conn, iq) => {
    const jid = child(iq, 'remove-companion-device')?.attrs.jid;
    const target = jid ? ctx.world.companion(jid) : undefined;
    // A companion may only remove devices of its own account. One removing itself (logout)
    // ends its own socket; any other removed device is told so, as the phone's unlink does.
    if (target && conn.companion && target.account === conn.companion.account) {
      removeCompanion(ctx, target.jid, { notify: target !== conn.companion });
    }
    return iqResult(iq);
  });
}
