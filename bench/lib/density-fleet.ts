/**
 * Shared by the density and recovery benches: many linked sessions for a gateway, and the
 * worker environment with the production defaults (the test harness starts workers with short test
 * timings; a bench that measures recovery or idle memory must not inherit those).
 */
import { loadWorkerConfig } from '@wagw/config';
import type { Session } from '@wagw/db';
import { BufferJSON, Curve, initAuthCreds, type KeyPair } from '@whiskeysockets/baileys';
import type { Gateway } from '../../apps/worker/test/harness.js';

/**
 * Takeover timings a bench run may set in its own environment, to measure what they buy
 * (`LEASE_TTL=5000 npm run bench:recovery`); unset, they are the production defaults.
 */
export function benchTimings(): Record<string, string | undefined> {
  return { LEASE_TTL: process.env.LEASE_TTL, RECONCILE_INTERVAL: process.env.RECONCILE_INTERVAL };
}

/**
 * The production defaults of every timing the harness shortens for tests, read from the config
 * schema (so they follow a default that changes), except the takeover timings a run overrides
 * (benchTimings). Logging stays at warn: at info 1,000 sessions print thousands of lines into the
 * bench's output.
 */
export function productionWorkerEnv(): Record<string, string> {
  const c = loadWorkerConfig(benchTimings());
  return {
    LOG_LEVEL: 'warn',
    WA_LOG_LEVEL: c.whatsapp.logLevel,
    LEASE_TTL: String(c.leaseTtlMs),
    RECONCILE_INTERVAL: String(c.reconcileIntervalMs),
    HEARTBEAT_INTERVAL: String(c.heartbeatIntervalMs),
    RECONNECT_BASE_DELAY: String(c.reconnect.baseMs),
    RECONNECT_CONCURRENCY: String(c.reconnect.concurrency),
    WA_KEEPALIVE_INTERVAL: String(c.whatsapp.keepAliveIntervalMs),
    WA_CONNECT_TIMEOUT: String(c.whatsapp.connectTimeoutMs),
    WA_QUERY_TIMEOUT: String(c.whatsapp.defaultQueryTimeoutMs),
    WATCHDOG_OPEN_TIMEOUT: String(c.watchdog.openTimeoutMs),
    WATCHDOG_SILENCE_TIMEOUT: String(c.watchdog.silenceTimeoutMs),
  };
}

/** One-time pre-keys per provisioned session: more than Baileys' MIN_PREKEY_COUNT (5), so no upload. */
const PRE_KEYS = 10;
let preKeyPool: KeyPair[] | undefined;

/**
 * Creates `count` sessions (status `stopped`) whose credentials are already linked in the simulator
 * (`sim.provision`: the pair-success a QR scan would bring, answered by Baileys' own pairing code),
 * with their pre-keys stored as the worker stores keys. What the benches measure is holding and
 * recovering sessions; a QR pairing (a socket, a 515 restart, an 812-key upload on both sides) costs
 * three logins' worth of CPU each, which at 1,000 sessions would be most of the run.
 */
export async function provisionSessions(gw: Gateway, count: number, name: string): Promise<Session[]> {
  preKeyPool ??= Array.from({ length: PRE_KEYS }, () => Curve.generateKeyPair());
  const sessions: Session[] = [];
  for (let i = 0; i < count; i++) {
    const session = await gw.db.repos.sessions.create({ name: `${name}-${i}` });
    const creds = initAuthCreds();
    // As after a first login's history sync: Baileys does not hold events for its 20 s sync wait.
    creds.accountSyncCounter = 1;
    const first = creds.nextPreKeyId;
    const keys = preKeyPool.map((pair, j) => ({ id: first + j, pair }));
    await gw.db.repos.authState.setKeys(
      session.id,
      keys.map((k) => ({
        type: 'pre-key',
        id: String(k.id),
        value: JSON.stringify(k.pair, BufferJSON.replacer),
      })),
    );
    creds.nextPreKeyId = first + keys.length;
    creds.firstUnuploadedPreKeyId = first + keys.length;
    gw.sim.provision(creds, { preKeys: keys.map((k) => ({ id: k.id, publicKey: k.pair.public })) });
    await gw.db.repos.authState.saveCreds(session.id, JSON.stringify(creds, BufferJSON.replacer));
    sessions.push(session);
  }
  return sessions;
}

/** Sets the desired state of many sessions (no owner is told: the caller nudges). */
export async function setDesired(gw: Gateway, sessions: Session[], desired: 'running' | 'stopped') {
  for (const s of sessions) await gw.db.repos.sessions.requestCommand(s.id, { desired });
}

/** Resolves when `count` live sessions are open (polling the database every 100 ms). */
export async function waitForOpen(gw: Gateway, count: number, timeoutMs: number) {
  await gw.waitFor(
    `${count} sessions open`,
    async () => (await gw.db.repos.sessions.countByStatus()).open >= count,
    timeoutMs,
  );
}
