import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, type Session } from '@wagw/db';
import { createProducerConnection, redisKeys, scanKeys, waitUntilReady } from '@wagw/queue';
import { createPgSchema, freePort, redisUrl, tempSqliteUrl, uniquePrefix } from '@wagw/testing';
import { type SimulatorOptions, startSimulator } from '@wagw/wa-sim';
import type { ApiEndpoint, Gateway } from './gateway-types.js';
import { type Balancer, startBalancer } from './nginx-balancer.js';
import { seedPreKeys } from './seed-prekeys.js';

const E2E_API_KEY = 'e2e-admin-key-0123456789';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// Extra node flags for every spawned role, for profiling an end-to-end run, e.g.
// E2E_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/cpuprof". A profile is written only on a clean exit,
// so close() then ends the processes with SIGTERM (a graceful drain) instead of SIGKILL.
const EXTRA_NODE_ARGS = process.env.E2E_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
// E2E_API_REPLICAS=N (N > 1): every startApi() starts N API processes behind nginx (deploy/nginx.conf
// rewritten for loopback, as the topology tests run it) and answers with nginx's address, so every
// end-to-end suite runs through the load balancer and replicas (`npm run test:e2e:balanced`).
export const API_REPLICAS = Math.max(1, Math.trunc(Number(process.env.E2E_API_REPLICAS ?? 1)) || 1);
// E2E_WORKERS=N (N > 1): a suite's first startWorker() also starts N - 1 peer workers with the same
// settings, so every end-to-end suite runs with sessions spread over N workers, as deployed
// (`npm run test:e2e:balanced`). Suites whose subject is one worker's own limits opt out.
const WORKER_PEERS = Math.max(0, (Math.trunc(Number(process.env.E2E_WORKERS ?? 1)) || 1) - 1);

export type { ApiEndpoint, Gateway } from './gateway-types.js';

/** A fetch helper for the API at `url` with the admin key (JSON body when given). */
function apiCall(url: string): ApiEndpoint['call'] {
  return (method, path, body) =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        'x-api-key': E2E_API_KEY,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}

/** Worker settings tuned for tests: short leases, fast reconcile, short backoff. Each is overridable. */
const FAST_WORKER_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  WA_LOG_LEVEL: 'silent',
  LEASE_TTL: '3000',
  RECONCILE_INTERVAL: '500',
  HEARTBEAT_INTERVAL: '500',
  RECONNECT_BASE_DELAY: '300',
  // Six attempts, not production's three: with these compressed timings three failed connects
  // (5 s each, 0.3/0.6/1.2 s apart) fit in ~17 s, which a 2-core machine running the full suite
  // can spend starved of CPU; the session then ends `failed` and, with no scheduler in most suites,
  // stays so. Six ride out ~50 s. failed-revival.e2e sets three, the production figure it proves.
  RECONNECT_MAX_ATTEMPTS: '6',
  WA_KEEPALIVE_INTERVAL: '2000',
  WA_CONNECT_TIMEOUT: '5000',
  WA_QUERY_TIMEOUT: '5000',
  WATCHDOG_OPEN_TIMEOUT: '8000',
  WATCHDOG_SILENCE_TIMEOUT: '8000',
  SHUTDOWN_TIMEOUT: '30000',
  // A killed worker's message in flight is sent by the next owner within ~10 s, not ~30 s.
  SEND_LOCK_DURATION: '5000',
  // Test receivers listen on loopback, which the SSRF guard refuses unless allowed explicitly.
  WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
};

export async function startGateway(
  options: {
    sim?: SimulatorOptions;
    workerEnv?: Record<string, string>;
    /**
     * SQLite (a temp file) or PostgreSQL (a schema of its own on the test server). Default: the
     * E2E_DATABASE variable (`npm run test:e2e:pg` runs every end-to-end suite on PostgreSQL), else SQLite.
     */
    database?: 'sqlite' | 'postgres';
    /** REDIS_URL of every process and of the test's own connection. Default: the local Redis. */
    redisUrl?: string;
    /** API processes behind nginx per startApi() (1: no nginx). Default: E2E_API_REPLICAS, else 1. */
    apiReplicas?: number;
    /**
     * Workers started beside the suite's first one, with its settings. Default: E2E_WORKERS - 1,
     * else 0; a suite about one worker's own capacity or memory passes 0.
     */
    peerWorkers?: number;
  } = {},
) {
  const sim = await startSimulator(options.sim);
  const sqlite = tempSqliteUrl();
  const database = options.database ?? (process.env.E2E_DATABASE === 'postgres' ? 'postgres' : 'sqlite');
  const pgSchema = database === 'postgres' ? await createPgSchema() : undefined;
  const databaseUrl = pgSchema?.url ?? sqlite.url;
  // Every role shares one media directory, as they share a volume in docker-compose.
  const mediaDir = mkdtempSync(join(tmpdir(), 'wagw-media-'));
  // Small pools on PostgreSQL: four test files at once, each with an API, up to three workers and a
  // scheduler, at the default 10 connections each would pass the server's 100 (E2E_DATABASE=postgres);
  // the test's own pool keeps 6, as it seeds many sessions at once.
  const poolMax = pgSchema ? 3 : undefined;
  const db = await createDatabase({ url: databaseUrl, poolMax: pgSchema ? 6 : undefined });
  await db.migrate();
  const redisAddress = options.redisUrl ?? redisUrl();
  // On a Redis Cluster the prefix must be a hash tag (configuration refuses any other).
  const prefix = redisAddress.startsWith('redis+cluster://')
    ? `{${uniquePrefix('gateway')}}`
    : uniquePrefix('gateway');
  const redis = createProducerConnection(redisAddress);
  // Tests that stop Redis on purpose would otherwise print ioredis' "Unhandled error event".
  redis.on('error', () => {});
  await waitUntilReady(redis);
  const keys = redisKeys(prefix);
  const workers = new Map<string, ChildProcess>();
  const balancers: Balancer[] = [];

  async function waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined | false>,
    timeoutMs = 20_000,
    lastSeen?: () => string,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}${lastSeen ? `: ${lastSeen()}` : ''}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  function spawnRole(role: 'api' | 'worker' | 'scheduler', env: Record<string, string>): ChildProcess {
    // The bundle vitest's global setup built from the current sources (scripts/test/build-bundles.setup.ts).
    return spawn(
      process.execPath,
      [...EXTRA_NODE_ARGS, '--enable-source-maps', `apps/${role}/dist/main.js`],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          // The same key for every role: workers derive the media link secret from it, as the API does.
          API_KEY: E2E_API_KEY,
          MEDIA_DIR: mediaDir,
          ...(poolMax ? { DB_POOL_MAX: String(poolMax) } : {}),
          ...env,
          // A test may put a proxy between one process and the database (worker env DATABASE_URL).
          DATABASE_URL: env.DATABASE_URL ?? databaseUrl,
          REDIS_URL: redisAddress,
          QUEUE_PREFIX: prefix,
          WA_WS_URL: sim.url,
          WA_ROOT_PUBLIC_KEY: Buffer.from(sim.rootPublicKey).toString('base64'),
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
  }

  async function startOneWorker(id: string, env: Record<string, string>) {
    const child = spawnRole('worker', {
      ...FAST_WORKER_ENV,
      // Media goes to the simulator's CDN, whose certificate a test CA issued.
      WA_MEDIA_ORIGIN_OVERRIDE: sim.media.origin,
      NODE_EXTRA_CA_CERTS: sim.media.caFile,
      ...options.workerEnv,
      ...env,
      INSTANCE_ID: id,
    });
    workers.set(id, child);
    workerIds.add(id);
    await waitFor(
      `worker ${id} heartbeat`,
      async () => (await redis.exists(keys.heartbeat('worker', id))) === 1,
    );
    return child;
  }
  let peersStarted = false;
  const workerIds = new Set<string>();

  const gateway: Gateway = {
    sim,
    db,
    databaseUrl,
    redis,
    prefix,
    mediaDir,
    workers,
    waitFor,

    async startWorker(id, env = {}) {
      const peers = peersStarted ? 0 : (options.peerWorkers ?? WORKER_PEERS);
      peersStarted = true;
      const [child] = await Promise.all([
        startOneWorker(id, env),
        ...Array.from({ length: peers }, (_, k) => startOneWorker(`${id}-peer${k + 1}`, env)),
      ]);
      return child;
    },

    async startApi(env = {}) {
      const count = options.apiReplicas ?? API_REPLICAS;
      if (count <= 1) return gateway.startApiReplica(env);
      const replicas = await Promise.all(Array.from({ length: count }, () => gateway.startApiReplica(env)));
      const balancer = await startBalancer(replicas.map(({ url }) => new URL(url).host));
      balancers.push(balancer);
      return { url: balancer.url, call: apiCall(balancer.url) };
    },

    async startApiReplica(env = {}) {
      // A given PORT restarts a replica where it was (a load balancer lists it by address).
      const port = env.PORT ? Number(env.PORT) : await freePort();
      const apiKey = E2E_API_KEY;
      const child = spawnRole('api', {
        LOG_LEVEL: 'warn',
        WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
        ...env,
        PORT: String(port),
        API_KEY: apiKey,
      });
      workers.set(`api-${port}`, child);
      const url = `http://127.0.0.1:${port}`;
      await waitFor('api health', async () => (await fetch(`${url}/api/health`).catch(() => undefined))?.ok);
      return { url, call: apiCall(url) };
    },

    async startScheduler(env = {}) {
      const id = `scheduler-${workers.size}`;
      const child = spawnRole('scheduler', {
        LOG_LEVEL: 'warn',
        HEARTBEAT_INTERVAL: '500',
        ...env,
        INSTANCE_ID: id,
      });
      workers.set(id, child);
      await waitFor(
        `${id} heartbeat`,
        async () => (await redis.exists(keys.heartbeat('scheduler', id))) === 1,
      );
      return child;
    },

    async createSession(name, createOptions = {}) {
      const session = await db.repos.sessions.create({ name, settings: createOptions.settings });
      if (createOptions.linked) await seedPreKeys(db, session.id, sim);
      else if (createOptions.seedPreKeys) await seedPreKeys(db, session.id);
      const running = await db.repos.sessions.requestCommand(session.id, { desired: 'running' });
      await gateway.nudge(session.id);
      return running!;
    },

    async pair(sessionId, timeoutMs = 20_000) {
      // Like a person with a phone: if the socket showing the QR went away before the scan
      // completed, scan the next QR the session shows.
      let lastQr: string | undefined;
      for (let attempt = 1; ; attempt++) {
        const qr = await waitFor(
          `QR of ${sessionId}`,
          async () => {
            const current = await redis.get(keys.qr(sessionId));
            return current && current !== lastQr ? current : undefined;
          },
          timeoutMs,
        );
        lastQr = qr;
        try {
          await sim.scan(qr);
          break;
        } catch (err) {
          if (attempt >= 3) throw err;
        }
      }
      await gateway.waitForStatus(sessionId, 'open', timeoutMs);
    },

    async waitForStatus(sessionId, statuses, timeoutMs = 20_000) {
      const wanted = Array.isArray(statuses) ? statuses : [statuses];
      // The last row seen goes into the timeout's message: CI shows only the failure, not the logs.
      let last: Session | undefined;
      return waitFor(
        `${sessionId} to be ${wanted.join('/')}`,
        async () => {
          last = (await db.repos.sessions.getById(sessionId)) ?? undefined;
          return last && wanted.includes(last.status) ? last : undefined;
        },
        timeoutMs,
        () =>
          `last seen ${last?.status} (${last?.statusReason ?? 'no reason'}, code ${last?.lastDisconnectCode}), ` +
          `owner ${last?.ownerWorkerId}, generation ${last?.leaseGeneration}`,
      );
    },

    async nudge(sessionId = '*') {
      await redis.publish(keys.reconcileChannel, sessionId);
    },

    async ownerOf(sessionId) {
      const value = await redis.get(keys.lease(sessionId));
      return value ? (value.split('|')[0] ?? null) : null;
    },

    workerIds() {
      return [...workerIds];
    },

    async ownerWorker(sessionId, timeoutMs = 20_000) {
      const id = await waitFor(
        `an owner of ${sessionId}`,
        async () => {
          const owner = await gateway.ownerOf(sessionId);
          return owner && workers.has(owner) ? owner : undefined;
        },
        timeoutMs,
      );
      return { id, process: workers.get(id)! };
    },

    async close() {
      await Promise.all(
        [...workers.values()].map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGCONT');
          child.kill(EXTRA_NODE_ARGS.length > 0 ? 'SIGTERM' : 'SIGKILL');
          await once(child, 'exit');
        }),
      );
      for (const balancer of balancers.splice(0)) await balancer.close();
      await sim.close();
      await db.close();
      await pgSchema?.drop();
      for await (const stale of scanKeys(redis, `${prefix}:*`, 500)) await redis.del(...stale);
      redis.disconnect();
      sqlite.cleanup();
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
  return gateway;
}

/** Sends a signal and resolves with the exit code (null when killed by a signal). */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals, timeoutMs = 35_000) {
  const started = Date.now();
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, elapsedMs: Date.now() - started };
}
