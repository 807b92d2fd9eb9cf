import type { BinaryNode } from '@whiskeysockets/baileys';
import { iqResult } from '../router/iq-replies.js';
import type { StanzaRouter } from '../router/stanza-router.js';
import type { MediaAuthTokens } from './media-auth.js';

/** How long a client may cache the answer (WhatsApp: 300 s); never longer than the token lives. */
const MEDIA_CONN_TTL_SECONDS = 300;
/** WhatsApp's value; Baileys ignores it. */
const MAX_BUCKETS = 12;

/**
 * Answers `<iq xmlns="w:m" type="set"><media_conn/></iq>` as WhatsApp does:
 * `<media_conn auth ttl auth_ttl max_buckets><host hostname maxContentLengthBytes/>…</media_conn>`.
 * Baileys reads `auth`, `ttl` and each host's `hostname` and `maxContentLengthBytes`.
 */
export function installMediaConnIq(
  router: StanzaRouter,
  tokens: MediaAuthTokens,
  hosts: readonly string[],
  maxContentLengthBytes: number,
): void {
  router.on('w:m/set/media_conn', (conn, iq) => {
    const ttl = Math.min(MEDIA_CONN_TTL_SECONDS, tokens.authTtlSeconds);
    const hostNodes = hosts.map(
      (hostname): BinaryNode => ({
        tag: 'host',
        attrs: { hostname, maxContentLengthBytes: String(maxContentLengthBytes) },
      }),
    );
    return iqResult(iq, [
      {
        tag: 'media_conn',
        attrs: {
          auth: tokens.tokenFor(conn.id),
          ttl: String(Math.max(1, Math.floor(ttl))),
          auth_ttl: String(Math.max(1, Math.floor(tokens.authTtlSeconds))),
          max_buckets: String(MAX_BUCKETS),
        },
        content: hostNodes,
      },
    ]);
  });
}
