import { AppError } from '@wagw/errors';
import { normalizeGroupId } from '@wagw/queue';
import { readContactAddress } from '../contacts/contact-address.js';

/**
 * The address a `:chatId` names: a phone number (international format, separators allowed), a
 * `…@s.whatsapp.net` or `…@lid` JID, or a group id (`…@g.us`). Clients need not know which form
 * WhatsApp used for the chat: the service looks the other form up. Throws 400 INVALID_CHAT_ID.
 */
export function readChatId(input: string): string {
  const value = input.trim();
  if (value.endsWith('@g.us')) {
    const jid = normalizeGroupId(value);
    if (jid) return jid;
    throw new AppError('INVALID_CHAT_ID', `chat id ${JSON.stringify(input)}: a group id is digits@g.us`);
  }
  const address = readContactAddress(value);
  if (address.kind === 'invalid') {
    throw new AppError('INVALID_CHAT_ID', `chat id ${JSON.stringify(input)}: ${address.reason}`);
  }
  return address.kind === 'lid' ? address.lid : address.jid;
}
