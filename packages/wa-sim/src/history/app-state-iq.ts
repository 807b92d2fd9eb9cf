import type { BinaryNode } from '@whiskeysockets/baileys';
import { child, children, iqResult } from '../router/iq-replies.js';
import type { StanzaRouter } from '../router/stanza-router.js';

/**
 * `w:sync:app:state` answered as for an account whose app state (archive, pin, mute, labels…) has
 * no patches newer than the client's version: each collection echoed, no snapshot, no patches. Baileys
 * asks right after the first history sync notification of a first login. An error answer throws out
 * of that sync before it completes: Baileys never counts its first sync (`creds.accountSyncCounter`
 * stays 0), so every later login waits 20 s for a history sync that is not sent again.
 */
export function installAppStateIq(router: StanzaRouter): void {
  router.on('w:sync:app:state/set/sync', (_conn, iq) =>
    iqResult(iq, [
      {
        tag: 'sync',
        attrs: {},
        content: children(child(iq, 'sync'), 'collection').map(
          (collection): BinaryNode => ({
            tag: 'collection',
            attrs: { name: collection.attrs.name ?? '', version: collection.attrs.version ?? '0' },
          }),
        ),
      },
    ]),
  );
}
