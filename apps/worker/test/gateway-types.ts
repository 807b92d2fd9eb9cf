import type { ChildProcess } from 'node:child_process';
import type { Database, Session, SessionSettings, SessionStatus } from '@wagw/db';
import type { RedisConnection } from '@wagw/queue';
import type { WaSimulator } from '@wagw/wa-sim';

/** The API as a test reaches it: its base URL and a fetch helper with the admin key. */
export interface ApiEndpoint {
  url: string;
  call: (method: string, path: string, body?: unknown) => Promise<Response>;
}

/**
 * The gateway's worker topology with real parts: worker processes (spawned exactly as `npm start`
 * and docker-compose run them), a real SQLite file shared by all of them, the local Redis under a
 * unique prefix, and the WhatsApp simulator in this process that every worker connects to.
 */
export interface Gateway {
  sim: WaSimulator;
  db: Database;
  /** The DATABASE_URL the processes get (unless their env names another, e.g. through a proxy). */
  databaseUrl: string;
  redis: RedisConnection;
  prefix: string;
  /** The media store directory every role of this gateway shares (MEDIA_DIR). */
  mediaDir: string;
  workers: Map<string, ChildProcess>;
  /**
   * Starts a worker. With E2E_WORKERS=N (or `peerWorkers`), the first call also starts the peers
   * `<id>-peer1`… with the same settings, so sessions spread over several workers as deployed.
   */
  startWorker(id: string, env?: Record<string, string>): Promise<ChildProcess>;
  /**
   * The API as clients reach it; resolves with its base URL and a fetch helper. One process on a
   * free loopback port, or with E2E_API_REPLICAS=N, N processes behind nginx (see API_REPLICAS).
   */
  startApi(env?: Record<string, string>): Promise<ApiEndpoint>;
  /** Exactly one API process (a given PORT restarts a replica where it was), never balanced. */
  startApiReplica(env?: Record<string, string>): Promise<ApiEndpoint>;
  /** The scheduler process (revival, stale cleanup), as npm start runs it. */
  startScheduler(env?: Record<string, string>): Promise<ChildProcess>;
  /**
   * Creates a session that should run. `seedPreKeys` stores ready-made one-time pre-keys with its
   * fresh credentials (from one pool per process), so its first login uploads them instead of
   * generating 812 key pairs (~0.3 s of CPU each): what makes 200-session tests affordable.
   * `linked` goes further: the session is already linked in the simulator (`sim.provision`, as a QR
   * scan would have linked it) and opens by itself, for tests about what happens to open sessions.
   * `settings` are the session's settings (pacing, webhooks), as the API stores them.
   */
  createSession(
    name: string,
    options?: { seedPreKeys?: boolean; linked?: boolean; settings?: SessionSettings },
  ): Promise<Session>;
  /** Runs a session through QR pairing with the simulated phone; resolves when it is open. */
  pair(sessionId: string, timeoutMs?: number): Promise<void>;
  waitForStatus(
    sessionId: string,
    statuses: SessionStatus | SessionStatus[],
    timeoutMs?: number,
  ): Promise<Session>;
  /** `lastSeen` describes the last probe for the timeout's message. */
  waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined | false>,
    timeoutMs?: number,
    lastSeen?: () => string,
  ): Promise<T>;
  nudge(sessionId?: string): Promise<void>;
  ownerOf(sessionId: string): Promise<string | null>;
  /** Every worker this gateway started: the suite's own and their peers (E2E_WORKERS), live or not. */
  workerIds(): string[];
  /**
   * The worker that owns the session (waits for one), with its process: what a test about "the
   * owner" kills or pauses, whichever of several workers took the session.
   */
  ownerWorker(sessionId: string, timeoutMs?: number): Promise<{ id: string; process: ChildProcess }>;
  close(): Promise<void>;
}
