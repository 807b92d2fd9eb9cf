import { MESSAGE_DIRECTIONS, MESSAGE_STATUSES } from '@wagw/db';
import { MEDIA_MESSAGE_TYPES } from '@wagw/media';
import { z } from 'zod';
import { mediaInputs } from './media-input.schemas.js';
import { mentionsInput } from './mentions-input.js';

/**
 * What a client sends. Recipients and referenced messages are checked by the service (they need
 * `normalizeRecipient` and the database), so they fail with their own codes (INVALID_RECIPIENT,
 * REFERENCED_MESSAGE_NOT_FOUND) rather than a generic VALIDATION_FAILED. Objects are strict: a
 * misspelt field is a 400, not a silently empty message.
 */
const to = z
  .string()
  .min(1)
  .max(64)
  .describe('phone number, …@s.whatsapp.net or …@lid JID, or a group JID …@g.us');
const text = z.string().min(1).max(65_536);
const wagwId = z.string().min(1).max(128);

/** `type` may be left out for a text message: `{ to, text }` is what every peer gateway accepts. */
const textInput = z.strictObject({ to, type: z.literal('text').optional(), text, mentions: mentionsInput });

const replyInput = z.strictObject({
  to,
  type: z.literal('reply'),
  text,
  mentions: mentionsInput,
  /** The wagw id of a message of this session (sent or received). */
  quotedMessageId: wagwId,
});

const locationInput = z.strictObject({
  to,
  type: z.literal('location'),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().max(1000).optional(),
  address: z.string().max(1000).optional(),
});

const contactCard = z.strictObject({
  fullName: z.string().trim().min(1).max(256),
  phone: z.string().regex(/^\+?[0-9][0-9 .\-()]{4,30}$/, 'expected a phone number'),
  organization: z.string().max(256).optional(),
});

const contactInput = z
  .strictObject({
    to,
    type: z.literal('contact'),
    /** A structured card, turned into a vCard 3.0 ... */
    contact: contactCard.optional(),
    /** ... or a ready vCard. Exactly one of the two. */
    vcard: z.string().min(1).max(16_384).optional(),
  })
  .refine((input) => (input.contact === undefined) !== (input.vcard === undefined), {
    message: 'give exactly one of contact or vcard',
    path: ['contact'],
  });

const reactionInput = z.strictObject({
  to,
  type: z.literal('reaction'),
  /** The wagw id of the message reacted to. */
  messageId: wagwId,
  /** An empty string removes an earlier reaction. */
  emoji: z.string().max(32),
});

export const sendMessageBody = z.discriminatedUnion('type', [
  textInput,
  replyInput,
  locationInput,
  contactInput,
  reactionInput,
  ...mediaInputs(to),
]);
export type SendMessageInput = z.infer<typeof sendMessageBody>;

export const messageParams = z.object({ id: z.string().min(1).max(128) });

export const acceptedMessage = z.object({
  id: z.string(),
  status: z.literal('queued'),
  statusUrl: z.string(),
});
export type AcceptedMessage = z.infer<typeof acceptedMessage>;

export const readBody = z.strictObject({
  messages: z
    .array(
      z.strictObject({
        /** The chat as WhatsApp names it (user, @lid or group JID), as stored on the inbound message. */
        remoteJid: z.string().min(3).max(128).includes('@'),
        /** The WhatsApp message id (`waMessageId`), not a wagw id. */
        id: z.string().min(1).max(128),
        /** In groups: who sent the message. */
        participant: z.string().min(3).max(128).optional(),
      }),
    )
    .min(1)
    .max(1000),
});

export const presenceBody = z.strictObject({
  to,
  state: z.enum(['available', 'unavailable', 'composing', 'recording', 'paused']),
});

export const acceptedJob = z.object({ jobId: z.string(), status: z.literal('queued') });

/** The file of a media message (`mediaView` of @wagw/media); absent on other messages. */
const messageMedia = z
  .object({
    type: z.enum(MEDIA_MESSAGE_TYPES),
    id: z.string().optional().describe('the media store id; absent until the file is stored'),
    mimetype: z.string().optional(),
    size: z.number().optional().describe('bytes'),
    sha256: z.string().optional(),
    fileName: z.string().optional(),
    caption: z.string().optional(),
    url: z
      .string()
      .optional()
      .describe('a signed link to GET /api/media/:id that works without an API key until urlExpiresAt'),
    urlExpiresAt: z.string().optional(),
    sourceUrl: z
      .string()
      .optional()
      .describe('outbound: the media.url the worker fetches, until the file is stored'),
    pending: z.literal(true).optional().describe('inbound: the download is still running'),
    error: z.string().optional().describe('why the file is not there; the message itself is kept'),
  })
  .describe('The file of a media message, with a signed link once it is stored.');

export const messageView = z.object({
  id: z.string(),
  sessionId: z.string(),
  direction: z.enum(MESSAGE_DIRECTIONS),
  /** The chat: the recipient of an outbound message, the sender's chat of an inbound one. */
  remoteJid: z.string(),
  to: z.string().nullable(),
  from: z.string().nullable(),
  /** Group messages only: the group JID (= remoteJid). */
  chatId: z.string().optional(),
  /** Group messages only: the participant who wrote an inbound one; null for outbound. */
  author: z.string().nullable().optional(),
  mentions: z
    .array(
      z.object({
        jid: z.string().describe('by phone number (…@s.whatsapp.net) when known, else the LID'),
        lid: z.string().nullable().describe('the LID (…@lid) when known'),
      }),
    )
    .optional()
    .describe('The users the message mentions; absent when it mentions nobody.'),
  type: z.string(),
  payload: z.record(z.string(), z.unknown()),
  media: messageMedia.optional(),
  status: z.enum(MESSAGE_STATUSES),
  statusReason: z.string().nullable(),
  waMessageId: z.string().nullable(),
  batchId: z.string().nullable(),
  attempts: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  sentAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  readAt: z.string().nullable(),
});
export type MessageView = z.infer<typeof messageView>;

export const listMessagesQuery = z.object({
  status: z.enum(MESSAGE_STATUSES).optional(),
  direction: z.enum(MESSAGE_DIRECTIONS).optional(),
  /** ISO 8601 times: created strictly before / after. */
  before: z.iso.datetime({ offset: true }).optional(),
  after: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  /** `nextCursor` of the previous page. */
  cursor: z.string().min(1).max(128).optional(),
});

export const listMessagesResponse = z.object({
  items: z.array(messageView),
  nextCursor: z.string().nullable(),
});
