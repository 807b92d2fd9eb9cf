import { type BinaryNode, getBinaryNodeChild, getBinaryNodeChildren } from '@whiskeysockets/baileys';
import type { WireBundle } from './wire-bundle.js';

/** Hands out a device's keys for a requested jid (`user@lid`, `user:3@lid`, …), or undefined if unknown. */
export type BundleDirectory = (jid: string) => WireBundle | undefined;

/** `encrypt/get/key`: the jids Baileys asks keys for (one `<user jid>` per device). */
function requestedKeyJids(request: BinaryNode): string[] {
  const key = getBinaryNodeChild(request, 'key');
  return getBinaryNodeChildren(key, 'user')
    .map((user) => user.attrs.jid)
    .filter((jid): jid is string => !!jid);
}

/**
 * Content of the `iq type="result"` answering `encrypt/get/key`: a `<list>` with one `<user jid>` per requested
 * device, echoing the jid. Unknown devices get `<error code="404" text="item-not-found"/>`, as the real server
 * does; Baileys then fails the send.
 */
export function buildKeyBundleAnswer(request: BinaryNode, directory: BundleDirectory): BinaryNode {
  const users = requestedKeyJids(request).map((jid): BinaryNode => {
    const bundle = directory(jid);
    if (!bundle) {
      return {
        tag: 'user',
        attrs: { jid },
        content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }],
      };
    }
    return { tag: 'user', attrs: { jid }, content: bundleNodes(bundle) };
  });
  return { tag: 'list', attrs: {}, content: users };
}

function bundleNodes(bundle: WireBundle): BinaryNode[] {
  const { registrationId, identityKey, signedPreKey, preKey } = bundle;
  const nodes: BinaryNode[] = [
    { tag: 'registration', attrs: {}, content: uintBE(registrationId, 4) },
    // Key type 5 = Curve25519 (DJB), the only type WhatsApp uses.
    { tag: 'type', attrs: {}, content: Buffer.from([5]) },
    { tag: 'identity', attrs: {}, content: Buffer.from(identityKey) },
    {
      tag: 'skey',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: uintBE(signedPreKey.keyId, 3) },
        { tag: 'value', attrs: {}, content: Buffer.from(signedPreKey.publicKey) },
        { tag: 'signature', attrs: {}, content: Buffer.from(signedPreKey.signature) },
      ],
    },
  ];
  if (preKey) {
    nodes.push({
      tag: 'key',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: uintBE(preKey.keyId, 3) },
        { tag: 'value', attrs: {}, content: Buffer.from(preKey.publicKey) },
      ],
    });
  }
  return nodes;
}

function uintBE(value: number, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  out.writeUIntBE(value, 0, bytes);
  return out;
}
