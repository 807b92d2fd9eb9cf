import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { proto } from '@whiskeysockets/baileys';
import type { PeerMediaAccess } from '../media/media-tier.js';
import { newMessageId } from '../messaging/peer-stanzas.js';
import type { UsyncDirectory } from '../signal/index.js';
import type { AccountHistory, HistoryChat, HistoryMessage } from './history-types.js';

const deflateAsync = promisify(deflate);

const seconds = (at: Date | number) => Math.floor((typeof at === 'number' ? at : at.getTime()) / 1000);

/**
 * The `HistorySync` protobufs a phone sends a new companion for this history: an
 * `INITIAL_BOOTSTRAP` chunk with the chats (each with its PN↔LID pair when known, newest message
 * first, which is the one Baileys keeps as the chat's last message), and a `PUSH_NAME` chunk when
 * push names are given.
 */
export function historyChunks(history: AccountHistory, directory: UsyncDirectory): proto.IHistorySync[] {
  const conversations = history.chats.map((chat) => conversation(chat, directory));
  const mappings = conversations
    .filter((c) => c.lidJid)
    .map((c): proto.IPhoneNumberToLIDMapping => ({ pnJid: c.id, lidJid: c.lidJid }));
  const chunks: proto.IHistorySync[] = [
    {
      syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
      conversations,
      phoneNumberToLidMappings: mappings,
      chunkOrder: 1,
      progress: 100,
    },
  ];
  const names = Object.entries(history.pushNames ?? {});
  if (names.length) {
    chunks.push({
      syncType: proto.HistorySync.HistorySyncType.PUSH_NAME,
      pushnames: names.map(([phone, pushname]) => ({ id: pnJid(phone), pushname })),
      chunkOrder: 2,
    });
  }
  return chunks;
}

function conversation(chat: HistoryChat, directory: UsyncDirectory): proto.IConversation {
  const id = pnJid(chat.with);
  const lid = directory(id)?.lid;
  const messages = [...(chat.messages ?? [])].sort((a, b) => seconds(b.at) - seconds(a.at));
  const last = messages[0];
  const result: proto.IConversation = {
    id,
    messages: messages.map((message, index) => ({
      message: webMessage(id, message),
      msgOrderId: messages.length - index,
    })),
    unreadCount: chat.unreadCount ?? 0,
    archived: chat.archived ?? false,
    ...(lid ? { lidJid: lid } : {}),
    ...(chat.name ? { name: chat.name } : {}),
    ...(chat.pinned && last ? { pinned: seconds(last.at) } : {}),
    ...(chat.mutedUntil !== undefined
      ? { muteEndTime: chat.mutedUntil === -1 ? -1 : seconds(chat.mutedUntil) }
      : {}),
    ...(last ? { conversationTimestamp: seconds(last.at), lastMsgTimestamp: seconds(last.at) } : {}),
  };
  return result;
}

function webMessage(chatJid: string, message: HistoryMessage): proto.IWebMessageInfo {
  return {
    key: { remoteJid: chatJid, fromMe: message.fromMe, id: message.id ?? newMessageId() },
    message: { conversation: message.text },
    messageTimestamp: seconds(message.at),
    // Sent messages were read long ago; received ones were delivered to this phone.
    status: message.fromMe ? proto.WebMessageInfo.Status.READ : proto.WebMessageInfo.Status.DELIVERY_ACK,
  };
}

function pnJid(phoneOrJid: string): string {
  return phoneOrJid.includes('@') ? phoneOrJid : `${phoneOrJid.replace(/\D/g, '')}@s.whatsapp.net`;
}

/**
 * Uploads one chunk as the phone does (zlib-deflated, encrypted like media with the
 * "WhatsApp History Keys" expansion, stored on the CDN) and returns the notification pointing at it.
 */
export async function uploadChunk(
  media: Pick<PeerMediaAccess, 'storeEncrypted'>,
  chunk: proto.IHistorySync,
): Promise<proto.Message.IHistorySyncNotification> {
  const deflated = await deflateAsync(proto.HistorySync.encode(chunk).finish());
  const { blob, encrypted } = await media.storeEncrypted('md-msg-hist', deflated);
  return {
    fileSha256: encrypted.fileSha256,
    fileLength: encrypted.fileLength,
    mediaKey: encrypted.mediaKey,
    fileEncSha256: encrypted.fileEncSha256,
    directPath: blob.directPath,
    syncType: chunk.syncType as number as proto.Message.HistorySyncType,
    chunkOrder: chunk.chunkOrder ?? null,
    progress: chunk.progress ?? null,
  };
}
