import type { Repositories } from '@wagw/db';
import { type GroupMetadataView, groupMetadataView } from '@wagw/queue';
import type { GroupMetadata } from '@whiskeysockets/baileys';
import type { GroupMetadataSink } from './group-methods.js';

/**
 * The worker's side of the `groups` table: what the group methods and Baileys' group events learn
 * is written there, and Baileys' `cachedGroupMetadata` reads it back so a send to a group does not
 * query WhatsApp for the member list every time.
 */
export function createGroupStore(repos: Pick<Repositories, 'groups'>) {
  const sink: GroupMetadataSink = {
    saved: (sessionId, groups, events) =>
      repos.groups.upsertMany(
        sessionId,
        groups.map((g) => ({ jid: g.id, subject: g.subject, metadata: g })),
        events ? { events } : undefined,
      ),
    left: async (sessionId, groupJid, events) => {
      await repos.groups.remove(sessionId, groupJid, events ? { events } : undefined);
    },
  };

  async function view(sessionId: string, jid: string): Promise<GroupMetadataView | undefined> {
    const row = await repos.groups.get(sessionId, jid);
    const parsed = row && groupMetadataView.safeParse(row.metadata);
    return parsed?.success ? parsed.data : undefined;
  }

  return {
    ...sink,
    view,
    /** Baileys' `cachedGroupMetadata` for one session; undefined lets Baileys query WhatsApp. */
    forSocket(sessionId: string) {
      return async (jid: string): Promise<GroupMetadata | undefined> => {
        const g = await view(sessionId, jid).catch(() => undefined);
        return g && toBaileysMetadata(g);
      };
    },
  };
}

export type GroupStore = ReturnType<typeof createGroupStore>;

/** The fields Baileys' group send reads: the member list (with both address forms) and the addressing mode. */
function toBaileysMetadata(g: GroupMetadataView): GroupMetadata {
  return {
    id: g.id,
    subject: g.subject,
    owner: g.owner ?? undefined,
    addressingMode: g.addressingMode as GroupMetadata['addressingMode'],
    announce: g.announce,
    restrict: g.locked,
    size: g.size,
    ...(g.ephemeralSeconds ? { ephemeralDuration: g.ephemeralSeconds } : {}),
    participants: g.participants.map((p) => ({
      id: p.jid,
      ...(p.lid ? { lid: p.lid } : {}),
      ...(p.phoneJid ? { phoneNumber: p.phoneJid } : {}),
      admin: p.admin,
    })),
  };
}
