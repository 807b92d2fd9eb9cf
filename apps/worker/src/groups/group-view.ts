import type { GroupMetadataView } from '@wagw/queue';
import type { GroupMetadata, GroupParticipant } from '@whiskeysockets/baileys';

function participantView(p: GroupParticipant): GroupMetadataView['participants'][number] {
  const isLid = p.id.endsWith('@lid');
  return {
    jid: p.id,
    phoneJid: p.phoneNumber ?? (isLid ? null : p.id),
    lid: p.lid ?? (isLid ? p.id : null),
    admin: p.admin === 'admin' || p.admin === 'superadmin' ? p.admin : null,
  };
}

/** Baileys' group metadata as the gateway shows and caches it (times as ISO, settings by name). */
export function toGroupView(meta: GroupMetadata): GroupMetadataView {
  return {
    id: meta.id,
    subject: meta.subject ?? '',
    description: meta.desc ?? null,
    owner: meta.ownerPn ?? meta.owner ?? null,
    createdAt: meta.creation ? new Date(meta.creation * 1000).toISOString() : null,
    announce: meta.announce === true,
    locked: meta.restrict === true,
    ephemeralSeconds: meta.ephemeralDuration ? meta.ephemeralDuration : null,
    addressingMode: meta.addressingMode === 'lid' ? 'lid' : 'pn',
    size: meta.size ?? meta.participants.length,
    participants: meta.participants.map(participantView),
  };
}
