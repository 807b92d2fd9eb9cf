/**
 * Where Redis is, parsed from REDIS_URL. Besides ioredis' own `redis://` and `rediss://` URLs, a
 * Sentinel deployment is written `redis+sentinel://[:password@]host:port[,host:port…]/master[/db]`:
 * every process asks the sentinels for the current master and follows a failover to the new one
 * (ioredis' Sentinel support), so operators change one variable, not the code. A Redis Cluster is
 * written `redis+cluster://[:password@]host:port[,host:port…]`: any reachable node is enough to
 * discover the others (ioredis' Cluster client), and the key prefix must then be hash-tagged
 * (see `isHashTagged`).
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
    }
  | {
      kind: 'cluster';
      /** Startup nodes: the client asks them for the slot map and connects to every master. */
      nodes: Array<{ host: string; port: number }>;
      password?: string;
    };

const SENTINEL_SCHEME = 'redis+sentinel://';
const CLUSTER_SCHEME = 'redis+cluster://';

/** Throws an Error with a one-line reason for a value that is not a usable Redis address. */
export function parseRedisUrl(raw: string): RedisTarget {
  if (raw.startsWith(CLUSTER_SCHEME)) return parseClusterUrl(raw.slice(CLUSTER_SCHEME.length));
  if (!raw.startsWith(SENTINEL_SCHEME)) {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new Error(
        `expected a redis:, rediss:, redis+sentinel: or redis+cluster: URL, got "${parsed.protocol}"`,
      );
    }
    return { kind: 'url', url: raw };
  }
  const { auth, path } = splitAuth(raw.slice(SENTINEL_SCHEME.length));
  const [hosts = '', name = '', db, ...extra] = path.split('/');
  if (!name || extra.length > 0)
    throw new Error('expected redis+sentinel://host:port[,host:port…]/master[/db]');
  const sentinels = hostList(hosts, 'a sentinel');
  if (db !== undefined && !/^\d{1,2}$/.test(db)) throw new Error(`expected a database number, got "${db}"`);
  const password = passwordOf(auth);
  return {
    kind: 'sentinel',
    sentinels,
    name: decodeURIComponent(name),
    ...(password ? { password } : {}),
    ...(db !== undefined ? { db: Number(db) } : {}),
  };
}

/** `redis+cluster://[:password@]host:port[,host:port…][/]`: a cluster has no database numbers. */
function parseClusterUrl(rest: string): RedisTarget {
  const { auth, path } = splitAuth(rest);
  const hosts = path.endsWith('/') ? path.slice(0, -1) : path;
  if (hosts.includes('/') || hosts.includes('?'))
    throw new Error('expected redis+cluster://host:port[,host:port…] (no database number or options)');
  const password = passwordOf(auth);
  return { kind: 'cluster', nodes: hostList(hosts, 'a cluster node'), ...(password ? { password } : {}) };
}

function splitAuth(rest: string): { auth: string; path: string } {
  const at = rest.lastIndexOf('@');
  return { auth: at >= 0 ? rest.slice(0, at) : '', path: rest.slice(at + 1) };
}

function passwordOf(auth: string): string | undefined {
  return auth.includes(':') ? decodeURIComponent(auth.slice(auth.indexOf(':') + 1)) : undefined;
}

function hostList(hosts: string, what: string): Array<{ host: string; port: number }> {
  return hosts.split(',').map((hostPort) => {
    const match = /^([^:,\s]+):(\d{1,5})$/.exec(hostPort);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535)
      throw new Error(`expected host:port for ${what}, got "${hostPort}"`);
    return { host: match[1]!, port };
  });
}

/**
 * True when every key under `prefix` hashes to one cluster slot: the prefix starts with a hash tag,
 * `{…}` with something between the braces (Redis hashes only that part of a key). BullMQ's Lua
 * scripts and our MULTI/Lua calls touch several keys at once, which a cluster allows only within
 * one slot; with the tag, a deployment's keys all live on one master (and its replicas).
 */
export function isHashTagged(prefix: string): boolean {
  return /^\{[^{}]+\}/.test(prefix);
}
