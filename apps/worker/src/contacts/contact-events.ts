import type { Contact, OutboxEvent } from '@wagw/db';
import { createEvent, toContactView } from '@wagw/queue';

/** What `contact.updated` compares: a contact whose view is unchanged is not announced. */
const fingerprint = (row: Contact) => JSON.stringify({ ...toContactView(row), updatedAt: undefined });

/**
 * `contact.updated` for each contact whose view a write changed, given the rows before and after
 * it (read in the write's transaction, which stores these events with it). Baileys reports the
 * sender's push name with every message, which mostly changes nothing and announces nothing.
 */
export function contactUpdatedEvents(sessionId: string) {
  return (before: Contact[], after: Contact[]): OutboxEvent[] => {
    const was = new Map(before.map((row) => [row.jid, fingerprint(row)]));
    return after.flatMap((row) => {
      if (was.get(row.jid) === fingerprint(row)) return [];
      const contact = toContactView(row);
      const envelope = createEvent('contact.updated', sessionId, { contactId: contact.id, contact });
      return [{ id: envelope.id, sessionId, envelope: envelope as unknown as Record<string, unknown> }];
    });
  };
}
