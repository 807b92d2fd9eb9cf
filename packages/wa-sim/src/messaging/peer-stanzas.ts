import { randomBytes } from 'node:crypto';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { EncryptedPayload, PeerUser } from '../signal/index.js';

/** How a peer's message names its sender: by phone number (`from=PN`) or by LID (`from=LID`). */
export type Addressing = 'pn' | 'lid';

/** A fresh id in the style of phone-originated messages (`3A` + 18 hex digits). */
export function newMessageId(): string {
  return `3A${randomBytes(9).toString('hex').toUpperCase()}`;
}

function unixSeconds(at = Date.now()): string {
  return String(Math.floor(at / 1000));
}

/**
 * `<message>` from a peer to a companion. PN addressing carries the LID in `sender_lid`; LID addressing
 * carries the PN in `sender_pn` plus `addressing_mode="lid"`. Baileys learns the PN↔LID pair from either.
 */
export function peerMessageStanza(
  peer: PeerUser,
  payload: EncryptedPayload,
  options: { id: string; addressing: Addressing; at: number; mediaType?: string },
): BinaryNode {
  const attrs: Record<string, string> =
    options.addressing === 'lid'
      ? { from: peer.lid, sender_pn: peer.pn, addressing_mode: 'lid' }
      : { from: peer.pn, sender_lid: peer.lid };
  // Media messages are `type="media"` with the kind on `<enc mediatype>`, as Baileys itself sends them.
  const type = options.mediaType ? 'media' : 'text';
  Object.assign(attrs, { id: options.id, t: unixSeconds(options.at), type, notify: peer.name });
  const encAttrs: Record<string, string> = { v: '2', type: payload.type };
  if (options.mediaType) encAttrs.mediatype = options.mediaType;
  return {
    tag: 'message',
    attrs,
    content: [{ tag: 'enc', attrs: encAttrs, content: payload.ciphertext }],
  };
}

/** Receipt type as the server relays it: delivery has no `type` attribute. */
export type ReceiptType = 'delivery' | 'read' | 'played';

/** `<receipt from id t [type]>`, with further ids as `<list><item id/></list>`. */
export function peerReceiptStanza(from: string, ids: string[], type: ReceiptType): BinaryNode {
  const [first, ...rest] = ids;
  if (first === undefined) throw new Error('a receipt needs at least one message id');
  const attrs: Record<string, string> = { from, id: first, t: unixSeconds() };
  if (type !== 'delivery') attrs.type = type;
  if (!rest.length) return { tag: 'receipt', attrs };
  const items = rest.map((id): BinaryNode => ({ tag: 'item', attrs: { id } }));
  return { tag: 'receipt', attrs, content: [{ tag: 'list', attrs: {}, content: items }] };
}

/** The server's `<ack class="message">` for a client message; `error` turns it into a failure. */
export function messageAck(request: BinaryNode, error?: string): BinaryNode {
  const attrs: Record<string, string> = {
    class: 'message',
    id: request.attrs.id ?? '',
    from: request.attrs.to ?? '',
    t: unixSeconds(),
  };
  if (error !== undefined) attrs.error = error;
  return { tag: 'ack', attrs };
}
