import { withTimeout } from '@wagw/resilience';
import type { proto, WAMessage, WASocket } from '@whiskeysockets/baileys';
import type { InboundMediaDescriptor } from './inbound-descriptor.js';

/**
 * How long the sender's phone gets to upload a file again. Baileys waits for the answer without a
 * bound (until the socket closes), and a phone that is off never answers.
 */
const REUPLOAD_TIMEOUT_MS = 30_000;

/**
 * Asks the sender's phone, through the session's socket, to upload an expired file again (WhatsApp's
 * media retry: an encrypted `server-error` receipt, answered with a `mediaretry` notification) and
 * returns the descriptor with the file's new location.
 */
export async function requestReupload(
  sock: Pick<WASocket, 'updateMediaMessage'> | undefined,
  descriptor: InboundMediaDescriptor,
): Promise<InboundMediaDescriptor> {
  if (!sock) throw new Error('the session is not connected');
  const field = `${descriptor.mediaType}Message` as const;
  const content: proto.Message.IImageMessage = {
    mediaKey: Buffer.from(descriptor.mediaKey, 'base64'),
    ...(descriptor.directPath ? { directPath: descriptor.directPath } : {}),
    ...(descriptor.url ? { url: descriptor.url } : {}),
  };
  const { id, remoteJid, participant } = descriptor.key;
  const message: WAMessage = {
    key: { id, remoteJid, fromMe: false, ...(participant ? { participant } : {}) },
    message: { [field]: content },
  };
  // Baileys writes the new location into the message it was given.
  await withTimeout(() => sock.updateMediaMessage(message), REUPLOAD_TIMEOUT_MS);
  return {
    ...descriptor,
    ...(content.directPath ? { directPath: content.directPath } : {}),
    ...(content.url ? { url: content.url } : {}),
  };
}
