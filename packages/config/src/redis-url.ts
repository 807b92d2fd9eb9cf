/**
 * Where Redis is, parsed from REDIS_URL. Besides ioredis' own `redis://` and `rediss://` URLs, a
 * Sentinel deployment is written `redis+sentinel://[:password@]host:port[,host:port…]/master[/db]`:
 * every process asks the sentinels for the current master and follows a failover to the new one
 * (ioredis' Sentinel support), so operators change one variable, not the code.
 */
export type RedisTarget =
  | { kind: 'url'; url: string }
  | {
      kind: 'sentinel';
      sentinels: Array<{ host: string; port: number }>;
      /** The master group name the sentinels monitor. */
      name: string;
      password?: string;
      db?: number;
    };

const SENTINEL_SCHEME = 'redis+sentinel://';

/** Throws an Error with a one-line reason for a value that is not a usable Redis address. */
export function parseRedisUrl(raw: string): RedisTarget {
  if (!raw.startsWith(SENTINEL_SCHEME)) {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new Error(`expected a redis:, rediss: or redis+sentinel: URL, got "${parsed.protocol}"`);
    }
    return { kind: 'url', url: raw };
  }
  const rest = raw.slice(SENTINEL_SCHEME.length);
  const at = rest.lastIndexOf('@');
  const auth = at >= 0 ? rest.slice(0, at) : '';
  const [hosts = '', name = '', db, ...extra] = rest.slice(at + 1).split('/');
  if (!name || extra.length > 0)
    throw new Error('expected redis+sentinel://host:port[,host:port…]/master[/db]');
  const sentinels = hosts.split(',').map((hostPort) => {
    const match = /^([^:,\s]+):(\d{1,5})$/.exec(hostPort);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535)
      throw new Error(`expected host:port for a sentinel, got "${hostPort}"`);
    return { host: match[1]!, port };
  });
  if (db !== undefined && !/^\d{1,2}$/.test(db)) throw new Error(`expected a database number, got "${db}"`);
  const password = auth.includes(':') ? decodeURIComponent(auth.slice(auth.indexOf(':') + 1)) : undefined;
  return {
    kind: 'sentinel',
    sentinels,
    name: decodeURIComponent(name),
    ...(password ? { password } : {}),
    ...(db !== undefined ? { db: Number(db) } : {}),
  };
}
