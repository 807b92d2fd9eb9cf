import type { RedisConnection } from './connections.js';
import { redisKeys } from './keys.js';
import { type ContactCheckResult, contactCheckResult } from './session-rpc-methods.js';

/**
 * Contacts-check answers per session and number, in Redis so every API replica and every worker
 * sees them: the API answers cached numbers without bothering the session's socket, the worker
 * writes what WhatsApp told it (even when the caller has given up meanwhile, so a retry is free).
 * Negative answers are cached too: asking WhatsApp again about a number that is not on it is the
 * mass lookup that gets accounts banned.
 */

/** Cached answers for `phones` (digits); numbers missing from the map are not cached. */
export async function readContactChecks(
  redis: RedisConnection,
  prefix: string,
  sessionId: string,
  phones: readonly string[],
): Promise<Map<string, ContactCheckResult>> {
  const found = new Map<string, ContactCheckResult>();
  if (phones.length === 0) return found;
  const keys = redisKeys(prefix);
  const values = await redis.mget(phones.map((phone) => keys.contactCheck(sessionId, phone)));
  values.forEach((value, i) => {
    if (!value) return;
    const parsed = contactCheckResult.safeParse(safeJson(value));
    // An entry this version cannot read is a miss, not an error: it is looked up again.
    if (parsed.success && parsed.data.phone === phones[i]) found.set(parsed.data.phone, parsed.data);
  });
  return found;
}

/** Stores answers for `ttlMs` (CONTACT_CHECK_TTL). */
export async function writeContactChecks(
  redis: RedisConnection,
  prefix: string,
  sessionId: string,
  results: readonly ContactCheckResult[],
  ttlMs: number,
): Promise<void> {
  if (results.length === 0) return;
  const keys = redisKeys(prefix);
  const multi = redis.multi();
  for (const result of results) {
    multi.set(keys.contactCheck(sessionId, result.phone), JSON.stringify(result), 'PX', ttlMs);
  }
  await multi.exec();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
