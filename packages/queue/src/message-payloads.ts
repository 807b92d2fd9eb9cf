import { z } from 'zod';

/**
 * What a message row's `payload` holds, per message `type`. The API writes it, the worker turns
 * it into a Baileys message. New fields must be optional: rows already stored must still parse.
 */
const messageRef = z.object({
  /** The WhatsApp message id. */
  id: z.string().min(1),
  remoteJid: z.string().min(3),
  fromMe: z.boolean(),
});
export type MessageRef = z.infer<typeof messageRef>;

/** The kinds of media message, as the API names them (`voice` is an audio push-to-talk note). */
const MEDIA_TYPES = ['image', 'video', 'audio', 'voice', 'document', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/**
 * Where the bytes of an outbound media message come from: a file in the media store (uploaded, or
 * sent inline as base64 and stored by the API on intake), or a URL the worker fetches when it sends.
 */
const storedMedia = z.object({
  /** Media store id (the content address). */
  id: z.string().min(1).max(128),
  sha256: z.string().length(64),
  size: z.number().int().nonnegative(),
  mimetype: z.string().min(1).max(255),
});
const remoteMedia = z.object({ url: z.url({ protocol: /^https?$/ }).max(4096) });
const mediaSource = z.union([storedMedia, remoteMedia]);
export type MediaSource = z.infer<typeof mediaSource>;

/**
 * Most users one message may mention: every member of a full group (WhatsApp caps groups at 1,024
 * participants), which is what a "mention everyone" needs. At ~30 bytes a JID that is ~30 KB of
 * JSON, well inside BODY_LIMIT.
 */
export const MAX_MENTIONS = 1024;

/**
 * Users the message mentions, as JIDs (`…@s.whatsapp.net` or `…@lid`): WhatsApp notifies them and
 * shows `@<number>` in the text as a mention. Sent as `contextInfo.mentionedJid`.
 */
const mentions = z.array(z.string().min(3).max(128)).min(1).max(MAX_MENTIONS).optional();

const mediaPayload = <T extends MediaType>(type: T) =>
  z.object({
    type: z.literal(type),
    media: mediaSource,
    /** Shown under images, videos and documents (WhatsApp's limit is 1,024 characters). */
    caption: z.string().min(1).max(1024).optional(),
    /** The name a document is shown and saved under. */
    fileName: z.string().min(1).max(255).optional(),
    /** The client's mimetype; when absent the worker uses the one sniffed from the bytes. */
    mimetype: z.string().min(1).max(255).optional(),
    /** With a caption (image, video, document): the users it mentions. */
    mentions,
  });

export const messagePayload = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().min(1).max(65_536), mentions }),
  z.object({
    type: z.literal('reply'),
    text: z.string().min(1).max(65_536),
    mentions,
    /** The message replied to; `text` of the quoted message is shown in the reply bubble. */
    quoted: messageRef.extend({ text: z.string().optional() }),
  }),
  z.object({
    type: z.literal('location'),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().max(1000).optional(),
    address: z.string().max(1000).optional(),
  }),
  z.object({
    type: z.literal('contact'),
    displayName: z.string().min(1).max(256),
    vcard: z.string().min(1).max(16_384),
  }),
  z.object({ type: z.literal('reaction'), emoji: z.string().max(32), target: messageRef }),
  mediaPayload('image'),
  mediaPayload('video'),
  mediaPayload('audio'),
  mediaPayload('voice'),
  mediaPayload('document'),
  mediaPayload('sticker'),
]);
export type MessagePayload = z.infer<typeof messagePayload>;
