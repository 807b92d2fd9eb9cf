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

export const messagePayload = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().min(1).max(65_536) }),
  z.object({
    type: z.literal('reply'),
    text: z.string().min(1).max(65_536),
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
]);
export type MessagePayload = z.infer<typeof messagePayload>;
