/**
 * Processes and stores for the API benchmarks: the real API (`node --enable-source-maps
 * apps/api/dist/main.js`, the bundle `npm start` and the e2e harness run, rebuilt from the work tree
 * first), alone or as a node cluster; the bare Fastify baseline (TypeScript, through tsx);
 * a migrated SQLite file or PostgreSQL schema; and removal of every Redis key under a prefix.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '@wagw/db';
import { createPgSchema, freePort, tempSqliteUrl } from '@wagw/testing';
import { Redis } from 'ioredis';
import { buildProcessBundles } from './process-bundles.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const API_SCRIPT = 'apps/api/dist/main.js';
export const BARE_SCRIPT = 'bench/lib/api-bare-server.ts';
export const BENCH_API_KEY = 'bench-admin-key-0123456789';

export type Dialect = 'sqlite' | 'postgres';

export interface BenchDatabase {
  url: string;
  dialect: Dialect;
  cleanup(): Promise<void>;
}

/** A fresh, migrated database; migrating here means N cluster copies never race to migrate. */
export async function benchDatabase(dialect: Dialect): Promise<BenchDatabase> {
  const target =
    dialect === 'sqlite'
      ? (() => {
          const file = tempSqliteUrl('bench.db');
          return { url: file.url, cleanup: async () => file.cleanup() };
        })()
      : await createPgSchema().then((schema) => ({ url: schema.url, cleanup: () => schema.drop() }));
  const db = await createDatabase({ url: target.url });
  try {
    await db.migrate();
  } finally {
    await db.close();
  }
  return { ...target, dialect };
}

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** SIGTERM (graceful shutdown), SIGKILL after 15 s. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  script: string;
  /** 1: the script itself; more: bench/lib/api-cluster.ts forks that many copies on one port. */
  processes: number;
  env?: Record<string, string>;
  /** Writes a .cpuprofile per process into this directory when it exits. */
  cpuProfDir?: string;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const cluster = options.processes > 1;
  const profile = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  // A bundle runs as production runs it; TypeScript (the baseline, the cluster primary) through tsx.
  const bundle = options.script.endsWith('.js');
  if (bundle) buildProcessBundles();
  const runner = bundle && !cluster ? ['--enable-source-maps'] : ['--import', 'tsx'];
  const child = spawn(
    process.execPath,
    [...runner, ...profile, cluster ? 'bench/lib/api-cluster.ts' : options.script],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...options.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        CLUSTER_SCRIPT: options.script,
        CLUSTER_SIZE: String(options.processes),
      },
      // stdout (the pino log) goes to /dev/null: it is still formatted and written, as in production.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const exited = once(child, 'exit');
  const ready = cluster
    ? once(child, 'message').then(() => undefined)
    : waitForPort(port, () => child.exitCode !== null);
  await Promise.race([
    ready,
    exited.then(([code]) => {
      throw new Error(`${options.script} exited with ${code} before listening`);
    }),
  ]);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls a TCP connect every 100 ms for up to 60 s (tsx compiles the baseline on its first start). */
async function waitForPort(port: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !gaveUp()) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on port ${port}`);
}

/**
 * The API settings of the benchmark: production defaults (LOG_LEVEL=info, request logging on)
 * except two limits that exist to refuse exactly this kind of load. The per-key rate limit is kept
 * but raised to its maximum (its Redis round trip is still paid on every request); load shedding is
 * off, or a saturated loop would answer 503 instead of being measured.
 */
export function apiEnv(db: BenchDatabase, prefix: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    API_KEY: BENCH_API_KEY,
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: prefix,
    RATE_LIMIT_PER_MINUTE: '1000000',
    MAX_EVENT_LOOP_UTILIZATION: '0',
    MAX_EVENT_LOOP_DELAY: '0',
  };
}

/** Creates a session through the API (as a client would) and returns its id. */
export async function createSession(url: string, name: string): Promise<string> {
  const res = await fetch(`${url}/api/sessions`, {
    method: 'POST',
    headers: { 'x-api-key': BENCH_API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ name, start: false }),
  });
  if (res.status !== 201) throw new Error(`POST /api/sessions: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Deletes every key under `prefix:` (the queued jobs the benchmark left; no worker consumes them). */
export async function cleanRedisPrefix(prefix: string): Promise<number> {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}

/**
 * CPU time (user + system, ms) used so far by `pid` and its direct children (a cluster's copies),
 * from /proc. Per request it is a figure the other load on a shared machine barely moves, unlike
 * requests per second.
 */
export function treeCpuMs(pid: number): number {
  const ticksToMs = 1000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the parenthesised command: state ppid ... utime(14) stime(15), 1-based overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    if (Number(entry) !== pid && ppid !== pid) continue;
    total += (Number(fields[11]) + Number(fields[12])) * ticksToMs;
  }
  return total;
}
