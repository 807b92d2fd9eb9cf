import { jidDecode } from '@whiskeysockets/baileys';
import { ProtocolAddress } from 'libsignal';

/**
 * The libsignal address a simulated peer uses for a remote device. Keyed by the user part of the jid and the
 * device number, so the PN and LID spellings of one device must be normalised by the caller: the messaging
 * layer always passes the LID, which is what Baileys itself keys its sessions by.
 */
export function signalAddress(jid: string): ProtocolAddress {
  const decoded = jidDecode(jid);
  if (!decoded?.user) {
    throw new Error(`cannot derive a Signal address from jid "${jid}"`);
  }
  // Different servers (lid, s.whatsapp.net) must not collide in one peer's store.
  const name = decoded.server === 'lid' ? `${decoded.user}_lid` : decoded.user;
  return new ProtocolAddress(name, decoded.device ?? 0);
}
