import type { BinaryNode } from '@whiskeysockets/baileys';
import type { PeerMediaAccess } from '../media/media-tier.js';
import { child, children } from '../router/iq-replies.js';
import { type EncType, messageText } from '../signal/index.js';
import type { Companion } from '../world/world-types.js';
import type { DecryptedMessage, MessageLog } from './message-log.js';
import type { PeerDirectory } from './peer-directory.js';

/** One encrypted copy in a client `<message>`: for whom, and the ciphertext. */
interface EncCopy {
  recipient: string;
  type: EncType;
  ciphertext: Uint8Array;
}

/**
 * Decrypts every copy of a client `<message>` addressed to a device the simulator plays (a contact or the
 * account's own phone) and records what each decrypted. Copies for real companions are skipped: only their
 * own client could read them. Media messages are fetched from the CDN store and verified before the record is
 * added, so a test waiting for the message sees the outcome. Returns the records added.
 */
export async function decryptClientMessage(
  sender: Companion,
  node: BinaryNode,
  directory: PeerDirectory,
  log: MessageLog,
  media: Pick<PeerMediaAccess, 'inspect'>,
): Promise<DecryptedMessage[]> {
  const id = node.attrs.id ?? '';
  const chat = node.attrs.to ?? '';
  const added: DecryptedMessage[] = [];
  for (const copy of encCopies(node)) {
    const resolved = directory.resolveDevice(copy.recipient);
    if (!resolved) continue;
    try {
      // The peer keys its sessions with the companion by LID, the same way whichever side started.
      const message = await resolved.device.decrypt(sender.lid, copy.type, copy.ciphertext);
      const received = await media.inspect(message);
      const entry: DecryptedMessage = {
        id,
        sender: sender.jid,
        chat,
        recipient: copy.recipient,
        recipientPhone: resolved.user.phone,
        ownDevice: resolved.ownPhone,
        encType: copy.type,
        message,
        text: messageText(message),
        ...(received ? { media: received } : {}),
        at: Date.now(),
      };
      log.addDecrypted(entry);
      added.push(entry);
    } catch (error) {
      log.addFailure({ id, recipient: copy.recipient, error: String(error), at: Date.now() });
    }
  }
  return added;
}

/** `<participants><to jid><enc/></to>…` for normal sends; a bare `<enc>` for `category="peer"` stanzas. */
function encCopies(node: BinaryNode): EncCopy[] {
  const copies: EncCopy[] = [];
  const add = (recipient: string | undefined, enc: BinaryNode | undefined) => {
    const type = enc?.attrs.type;
    if (recipient && enc?.content instanceof Uint8Array && (type === 'pkmsg' || type === 'msg')) {
      copies.push({ recipient, type, ciphertext: enc.content });
    }
  };
  for (const to of children(child(node, 'participants'), 'to')) add(to.attrs.jid, child(to, 'enc'));
  add(node.attrs.to, child(node, 'enc'));
  return copies;
}
