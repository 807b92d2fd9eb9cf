import type { ChatRow, Repositories } from '@wagw/db';
import { AppError } from '@wagw/errors';
import { toChatView } from '@wagw/queue';
import type { SessionService } from '../sessions/sessions.service.js';
import { decodeChatCursor, encodeChatCursor } from './chat-cursor.js';
import { readChatId } from './chat-id.js';

export interface ChatsServiceDeps {
  sessions: Pick<SessionService, 'get'>;
  repos: Pick<Repositories, 'chats' | 'contacts' | 'messages'>;
}

/**
 * A session's chat list (filled by the worker, see docs/chats.md) and each chat's messages. A chat
 * is asked for by any of its addresses: its phone-number JID, its LID, the phone number, a group id.
 */
export function createChatsService(deps: ChatsServiceDeps) {
  const { repos } = deps;

  async function list(sessionId: string, query: { limit: number; cursor?: string; archived?: boolean }) {
    const after = query.cursor ? decodeChatCursor(query.cursor) : null;
    await deps.sessions.get(sessionId);
    const page = await repos.chats.listPage(sessionId, {
      limit: query.limit,
      after,
      archived: query.archived,
    });
    return {
      items: page.items.map((row) => toChatView(row)),
      nextCursor: page.next ? encodeChatCursor(page.next) : null,
    };
  }

  /** Every address the chat is known by: the chat row's, and the contact's other form. */
  async function addressesOf(sessionId: string, address: string): Promise<{ chat?: ChatRow; all: string[] }> {
    const all = new Set([address]);
    const [chats, contacts] = await Promise.all([
      repos.chats.findByAddresses(sessionId, [address]),
      address.endsWith('@g.us') ? [] : repos.contacts.findByAddresses(sessionId, [address]),
    ]);
    for (const row of [...chats, ...contacts]) {
      all.add(row.jid);
      if (row.lid) all.add(row.lid);
    }
    // The phone-number row first: a chat stored both ways (LID before the number was known) is one.
    const chat = chats.find((c) => !c.jid.endsWith('@lid')) ?? chats[0];
    return { chat, all: [...all] };
  }

  async function get(sessionId: string, chatId: string) {
    const address = readChatId(chatId);
    await deps.sessions.get(sessionId);
    const { chat } = await addressesOf(sessionId, address);
    if (!chat) throw new AppError('CHAT_NOT_FOUND', `the session has no chat ${JSON.stringify(chatId)}`);
    return toChatView(chat);
  }

  /** The chat's stored messages (both directions), newest first; none yet is an empty page. */
  async function messages(sessionId: string, chatId: string, query: { limit: number; cursor?: string }) {
    const address = readChatId(chatId);
    await deps.sessions.get(sessionId);
    const { all } = await addressesOf(sessionId, address);
    return repos.messages.listBySession({
      sessionId,
      remoteJids: all,
      limit: query.limit,
      cursor: query.cursor ?? null,
    });
  }

  return { list, get, messages };
}

export type ChatsService = ReturnType<typeof createChatsService>;
