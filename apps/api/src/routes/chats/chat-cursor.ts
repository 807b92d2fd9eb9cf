import type { ChatPosition } from '@wagw/db';
import { AppError } from '@wagw/errors';

/**
 * The chat list's `cursor`: where the previous page ended (activity time and jid, the list's sort
 * key), opaque to clients. Base64url, so it travels in a query string as it is.
 */
export function encodeChatCursor(position: ChatPosition): string {
  return Buffer.from(`${position.activityAt.getTime()}:${position.jid}`).toString('base64url');
}

/** Throws 400 INVALID_CURSOR for anything `encodeChatCursor` did not make. */
export function decodeChatCursor(cursor: string): ChatPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,16}):(\S{3,100})$/.exec(text);
  if (!match) throw new AppError('INVALID_CURSOR', 'cursor is not one a page of this list handed out');
  return { activityAt: new Date(Number(match[1])), jid: match[2] as string };
}
