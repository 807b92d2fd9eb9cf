/**
 * Event names are public API: receivers switch on them and filters store them. Add names, never
 * rename or remove one. docs/events.md shows each event's payload.
 */
const NAMES = [
  'session.status',
  'session.qr',
  'session.pairing_code',
  'message.received',
  'message.status',
  'batch.completed',
  'group.joined',
  'group.left',
  'group.updated',
  'group.participants',
  'chat.updated',
  'contact.updated',
  // Sent to one endpoint on request (POST /api/webhooks/:id/test), never fanned out from the stream.
  'webhook.test',
] as const;

/** Typed as plain strings so callers can ask `EVENT_NAMES.includes(input)` about any string. */
export const EVENT_NAMES: readonly string[] = NAMES;

/** The `<group>` parts (`session`, `message`, `batch`, `group`, `chat`, `contact`, `webhook`), for `<group>.*` filters. */
const GROUPS = new Set(NAMES.map((name) => name.slice(0, name.indexOf('.'))));

/**
 * `*`, an exact event name, or `<group>.*` for a group that exists. Unknown names are refused when
 * a webhook is saved, so a typo does not silently subscribe to nothing.
 */
export function isValidEventFilter(filter: string): boolean {
  if (filter === '*') return true;
  if (filter.endsWith('.*')) return GROUPS.has(filter.slice(0, -2));
  return EVENT_NAMES.includes(filter);
}

/**
 * True when any filter selects `event`. A group filter also matches names added to that group
 * later, which is what someone who subscribed to `message.*` expects.
 */
export function matchesEventFilter(filters: readonly string[], event: string): boolean {
  return filters.some(
    (filter) =>
      filter === '*' ||
      filter === event ||
      (filter.endsWith('.*') && event.startsWith(filter.slice(0, -1)) && event.length > filter.length - 1),
  );
}
