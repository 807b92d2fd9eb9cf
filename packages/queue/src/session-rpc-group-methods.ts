import { z } from 'zod';

/**
 * The group operations of the session RPC (merged into SESSION_RPC_METHODS): each runs one Baileys
 * group IQ on the owning worker's socket. Group ids travel as full JIDs (`…@g.us`); participants as
 * user JIDs. A group the account is not in fails with GROUP_NOT_FOUND, a change that needs admin
 * rights with GROUP_NOT_ADMIN, an unknown invite code with GROUP_INVITE_INVALID.
 */

const groupJid = z.string().regex(/^[0-9]+(-[0-9]+)?@g\.us$/);
const userJid = z.string().regex(/^[0-9]+@(s\.whatsapp\.net|lid)$/);

/** One participant as WhatsApp lists it: `jid` is how the group addresses them (a phone JID or a LID). */
const groupParticipantView = z.object({
  jid: z.string(),
  /** Phone-number JID when known. */
  phoneJid: z.string().nullable(),
  lid: z.string().nullable(),
  admin: z.enum(['admin', 'superadmin']).nullable(),
});

/** A group's metadata as the gateway shows and caches it. */
export const groupMetadataView = z.object({
  id: z.string(),
  subject: z.string(),
  description: z.string().nullable(),
  owner: z.string().nullable(),
  /** ISO time the group was created, when WhatsApp said. */
  createdAt: z.string().nullable(),
  /** Only admins may send. */
  announce: z.boolean(),
  /** Only admins may change the subject, description and settings. */
  locked: z.boolean(),
  /** Disappearing-messages timer in seconds; null when off. */
  ephemeralSeconds: z.number().int().nullable(),
  addressingMode: z.enum(['pn', 'lid']),
  size: z.number().int(),
  participants: z.array(groupParticipantView),
});
export type GroupMetadataView = z.infer<typeof groupMetadataView>;

export const participantActionResult = z.object({
  jid: z.string(),
  /** WhatsApp's per-participant status: 200 done; 403 not allowed (privacy, invite needed), 404 not on WhatsApp, 409 already in/not in the group. */
  status: z.number().int(),
});

const inviteResult = z.object({ code: z.string() });

export const GROUP_RPC_METHODS = {
  'groups.list': {
    params: z.object({}),
    result: z.object({ groups: z.array(groupMetadataView) }),
  },
  'groups.get': {
    params: z.object({ groupJid }),
    result: z.object({ group: groupMetadataView }),
  },
  'groups.create': {
    params: z.object({
      subject: z.string().min(1).max(100),
      participants: z.array(userJid).min(1).max(1024),
    }),
    result: z.object({ group: groupMetadataView }),
  },
  /** Subject, description and settings in one call, applied in that order; the result is the group after. */
  'groups.update': {
    params: z.object({
      groupJid,
      subject: z.string().min(1).max(100).optional(),
      /** Empty string removes the description. */
      description: z.string().max(2048).optional(),
      announce: z.boolean().optional(),
      locked: z.boolean().optional(),
      /** 0 turns disappearing messages off. */
      ephemeralSeconds: z.number().int().min(0).optional(),
    }),
    result: z.object({ group: groupMetadataView }),
  },
  'groups.participants': {
    params: z.object({
      groupJid,
      action: z.enum(['add', 'remove', 'promote', 'demote']),
      participants: z.array(userJid).min(1).max(1024),
    }),
    result: z.object({ results: z.array(participantActionResult) }),
  },
  'groups.inviteCode': { params: z.object({ groupJid }), result: inviteResult },
  'groups.revokeInvite': { params: z.object({ groupJid }), result: inviteResult },
  'groups.join': {
    params: z.object({ code: z.string().regex(/^[A-Za-z0-9]{6,64}$/) }),
    result: z.object({ groupJid: z.string() }),
  },
  'groups.leave': { params: z.object({ groupJid }), result: z.object({ left: z.literal(true) }) },
} as const;
