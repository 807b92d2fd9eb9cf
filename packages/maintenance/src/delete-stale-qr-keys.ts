import type { Repositories } from '@wagw/db';
import { type LeaseStore, type RedisConnection, redisKeys, scanKeys } from '@wagw/queue';

interface DeleteStaleQrKeysDeps {
  repos: { sessions: Pick<Repositories['sessions'], 'getById'> };
  leases: Pick<LeaseStore, 'owner'>;
  redis: RedisConnection;
  /** QUEUE_PREFIX. */
  prefix: string;
}

// Delete only the QR we looked at: a new one written meanwhile belongs to a new pairing.
const DELETE_IF_EQUAL = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Deletes QR keys that no longer belong to a pairing, so no API replica serves a dead QR: the
 * session is gone, or it is not in status `qr` and no worker owns it. A QR key of an owned session
 * is left alone whatever its status, because the worker stores the QR just before it records the
 * `qr` status, and the key's own TTL (about a minute) bounds any leftover anyway.
 * Returns the ids of the sessions whose key was deleted.
 */
export async function deleteStaleQrKeys(deps: DeleteStaleQrKeysDeps): Promise<string[]> {
  const keyOf = redisKeys(deps.prefix).qr;
  const head = keyOf('');
  const deleted: string[] = [];
  for await (const batch of scanKeys(deps.redis, `${head}*`, 200)) {
    for (const key of batch) {
      const sessionId = key.slice(head.length);
      const qr = await deps.redis.get(key);
      if (qr === null || !(await isStale(deps, sessionId))) continue;
      if ((await deps.redis.eval(DELETE_IF_EQUAL, 1, key, qr)) === 1) deleted.push(sessionId);
    }
  }
  return deleted;
}

async function isStale(deps: DeleteStaleQrKeysDeps, sessionId: string): Promise<boolean> {
  const session = await deps.repos.sessions.getById(sessionId);
  if (!session) return true;
  if (session.status === 'qr') return false;
  return (await deps.leases.owner(sessionId)) === null;
}
