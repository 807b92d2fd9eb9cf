/** How a failed send is handled. */
export type SendFailureKind =
  /** WhatsApp said slow down (429 / rate-overlimit): pause the whole session queue, no attempt used. */
  | 'rate-limited'
  /** Will not succeed on retry (invalid, restricted, logged out): fail the message now. */
  | 'permanent'
  /** May succeed later (server error, timeout): counts against the breaker, BullMQ retries. */
  | 'transient';

/** Status code of a Baileys (Boom) error or an IQ error node, when there is one. */
function statusCodeOf(err: unknown): number | undefined {
  const e = err as { output?: { statusCode?: unknown }; data?: { attrs?: { code?: unknown } } } | null;
  const code = e?.output?.statusCode ?? e?.data?.attrs?.code;
  const n = Number(code);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Classifies an ack error code or a status code. 429 / `rate-overlimit` is rate limiting; 5xx and
 * 408 are the server's trouble and retried; other 4xx codes (463 restricted, 479 invalid stanza,
 * 401 logged out, 404 no such user) will not change on retry, and retrying some (463) makes
 * WhatsApp's restriction worse.
 */
export function classifyCode(code: string | number): SendFailureKind {
  const text = String(code);
  if (text === '429' || text === 'rate-overlimit') return 'rate-limited';
  const n = Number(text);
  if (n === 408 || (n >= 500 && n < 600)) return 'transient';
  return Number.isInteger(n) && n >= 400 && n < 500 ? 'permanent' : 'transient';
}

/** Classifies an error thrown by `sendMessage` (while the socket is still open). */
export function classifySendError(err: unknown): SendFailureKind {
  const message = (err as Error | null)?.message ?? '';
  if (/rate-overlimit/i.test(message)) return 'rate-limited';
  const code = statusCodeOf(err);
  if (code === 401 || code === 429) return classifyCode(code);
  // Timeouts, closed connections and everything unexpected: worth another try.
  return 'transient';
}

/**
 * A send to a group that Baileys could not start because WhatsApp refused its member-list query
 * (`w:g2` IQ error 403 or 404, thrown as a Boom whose `data` is the code): the session is not in
 * the group (left, removed) or the group does not exist. No retry changes that, and retrying would
 * count against the session's send breaker.
 */
export function isNotInGroup(err: unknown, jid: string): boolean {
  const code = (err as { data?: unknown } | null)?.data;
  return jid.endsWith('@g.us') && (code === 403 || code === 404);
}
