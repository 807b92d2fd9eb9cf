import { groupMetadataView, participantActionResult } from '@wagw/queue';
import { z } from 'zod';

const groupView = groupMetadataView.describe('A group as WhatsApp last told the session');

export const groupParams = z.object({
  id: z.string().min(1).max(128),
  groupId: z.string().min(1).max(64).describe('the group JID, with or without @g.us'),
});

export const getGroupQuery = z.object({
  refresh: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('true: ask WhatsApp (and update the stored copy) instead of answering from it'),
});

export const listGroupsResponse = z.object({ items: z.array(groupView) });
export const groupResponse = z.object({ group: groupView });

const member = z.string().min(1).max(64);

export const createGroupBody = z.strictObject({
  subject: z.string().min(1).max(100),
  participants: z
    .array(member)
    .min(1)
    .max(1024)
    .describe('phone numbers in international format, or …@s.whatsapp.net / …@lid JIDs'),
});

export const updateGroupBody = z
  .strictObject({
    subject: z.string().min(1).max(100).optional(),
    description: z.string().max(2048).optional().describe('empty string removes it'),
    settings: z
      .strictObject({
        announce: z.boolean().optional().describe('only admins may send messages'),
        locked: z.boolean().optional().describe('only admins may edit subject, description and settings'),
        ephemeral: z
          .number()
          .int()
          .min(0)
          .max(31_536_000)
          .optional()
          .describe(
            'disappearing-messages timer in seconds (WhatsApp offers 86400, 604800, 7776000); 0 turns it off',
          ),
      })
      .optional(),
  })
  .refine((b) => b.subject !== undefined || b.description !== undefined || b.settings !== undefined, {
    message: 'nothing to change: give subject, description or settings',
  });

export const participantsBody = z.strictObject({
  action: z.enum(['add', 'remove', 'promote', 'demote']),
  participants: z.array(member).min(1).max(1024),
});

export const participantsResponse = z.object({
  results: z.array(
    participantActionResult.extend({
      participant: z.string().describe('as given in the request'),
      ok: z.boolean(),
    }),
  ),
});

export const inviteResponse = z.object({ code: z.string(), link: z.string() });

export const joinBody = z.strictObject({
  code: z.string().min(1).max(200).describe('the invite code, or a https://chat.whatsapp.com/<code> link'),
});

export const joinResponse = z.object({ groupId: z.string() });
export const leaveResponse = z.object({ left: z.literal(true), groupId: z.string() });
