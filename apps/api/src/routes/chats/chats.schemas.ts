import { chatView } from '@wagw/queue';
import { z } from 'zod';
import { messageView } from '../messages/messages.schemas.js';

export const listChatsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** `nextCursor` of the previous page. */
  cursor: z.string().min(1).max(256).optional(),
  archived: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .describe('only archived chats (true) or only the others (false); default both'),
});

export const listChatsResponse = z.object({
  items: z.array(chatView),
  nextCursor: z.string().nullable(),
});

export const chatParams = z.object({
  id: z.string().min(1).max(128),
  chatId: z.string().min(1).max(128).describe('phone number, …@s.whatsapp.net, …@lid or a group id …@g.us'),
});

export const chatMessagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  /** `nextCursor` of the previous page. */
  cursor: z.string().min(1).max(128).optional(),
});

export const chatMessagesResponse = z.object({
  items: z.array(messageView),
  nextCursor: z.string().nullable(),
});
