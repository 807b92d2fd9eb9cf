/** The stored contact fields the view is made of (the `contacts` row of @wagw/db). */
export interface ContactViewSource {
  jid: string;
  lid: string | null;
  name: string | null;
  notify: string | null;
  imgUrl: string | null;
  updatedAt: Date;
}

/**
 * A contact as the API lists it and `contact.updated` describes it: `id` is the phone-number JID,
 * or the LID when no number is known (a row Baileys created from a LID alone).
 */
export function toContactView(row: ContactViewSource) {
  const isLid = row.jid.endsWith('@lid');
  return {
    id: row.jid,
    jid: isLid ? null : row.jid,
    lid: row.lid ?? (isLid ? row.jid : null),
    name: row.name,
    notify: row.notify,
    pictureUrl: row.imgUrl,
    updatedAt: row.updatedAt.toISOString(),
  };
}
