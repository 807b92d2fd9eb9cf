import { CONTACT_CHECK_MAX_NUMBERS } from '@wagw/queue';
import { z } from 'zod';

// The count is checked by the service, so too many numbers get TOO_MANY_NUMBERS with the limit.
export const checkContactsBody = z.object({
  numbers: z
    .array(z.string().max(64))
    .min(1)
    .describe(
      `phone numbers in international format (+4915112345678), or …@s.whatsapp.net / …@lid JIDs; at most ${CONTACT_CHECK_MAX_NUMBERS}`,
    ),
});

export const contactCheckView = z.object({
  /** As given in the request. */
  number: z.string(),
  exists: z.boolean(),
  jid: z
    .string()
    .nullable()
    .describe('phone-number JID (…@s.whatsapp.net); null when not on WhatsApp or unknown'),
  lid: z.string().nullable().describe('LID (…@lid) when WhatsApp has told it'),
});

export const checkContactsResponse = z.object({ results: z.array(contactCheckView) });

export const contactView = z.object({
  /** Path id for …/contacts/:contactId/picture: the phone-number JID, or the LID when no number is known. */
  id: z.string(),
  jid: z.string().nullable(),
  lid: z.string().nullable(),
  /** The name saved in the session's address book. */
  name: z.string().nullable(),
  /** The name the person set for themselves (push name). */
  notify: z.string().nullable(),
  pictureUrl: z.string().nullable(),
  updatedAt: z.string(),
});

export const listContactsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** `nextCursor` of the previous page. */
  cursor: z.string().min(1).max(128).optional(),
});

export const listContactsResponse = z.object({
  items: z.array(contactView),
  nextCursor: z.string().nullable(),
});

export const contactParams = z.object({
  id: z.string().min(1).max(128),
  contactId: z.string().min(1).max(64).describe('phone number, …@s.whatsapp.net or …@lid'),
});

export const pictureQuery = z.object({
  type: z.enum(['preview', 'image']).default('preview').describe('thumbnail or full size'),
});

export const pictureResponse = z.object({
  jid: z.string().nullable(),
  lid: z.string().nullable(),
  url: z.string().nullable().describe('null when the person has no picture or hides it from this account'),
});
