import type { BinaryNode } from '@whiskeysockets/baileys';

/** Where server stanzas come from; Baileys accepts the plain domain. */
export const SERVER_JID = 's.whatsapp.net';

/** `<iq type="result" id=… from="s.whatsapp.net">children</iq>` answering `request`. */
export function iqResult(request: BinaryNode, children?: BinaryNode[]): BinaryNode {
  const attrs: Record<string, string> = { from: SERVER_JID, type: 'result', id: request.attrs.id ?? '' };
  return children ? { tag: 'iq', attrs, content: children } : { tag: 'iq', attrs };
}

/** `<iq type="error" id=…><error code text/></iq>`: Baileys rejects the query with that code. */
export function iqError(request: BinaryNode, code: number | string, text = 'error'): BinaryNode {
  return {
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'error', id: request.attrs.id ?? '' },
    content: [{ tag: 'error', attrs: { code: String(code), text } }],
  };
}

/** Finds the first child with `tag`. */
export function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return Array.isArray(node?.content) ? node.content.find((c) => c.tag === tag) : undefined;
}

export function children(node: BinaryNode | undefined, tag: string): BinaryNode[] {
  return Array.isArray(node?.content) ? node.content.filter((c) => c.tag === tag) : [];
}

/** Binary content of a node as a Buffer (empty when absent or nested). */
export function bytes(node: BinaryNode | undefined): Buffer {
  const content = node?.content;
  if (content instanceof Uint8Array) return Buffer.from(content);
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return Buffer.alloc(0);
}
