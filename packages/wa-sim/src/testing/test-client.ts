import makeWASocket, {
  type AuthenticationState,
  type ConnectionState,
  type UserFacingSocketConfig,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import { type SimulatorEndpoint, simulatorSocketConfig } from '../client/trust-simulator.js';
import { createMemoryAuthState } from './memory-auth-state.js';

export type TestSocket = ReturnType<typeof makeWASocket>;

export interface TestClientOptions {
  /** Default: fresh in-memory creds (so the client registers and shows a QR). */
  auth?: AuthenticationState;
  /** Extra Baileys config; wins over the helper's defaults (silent logger, simulator URL). */
  config?: Partial<UserFacingSocketConfig>;
  /**
   * Sets `creds.accountSyncCounter` to at least 1, as every reconnect after a first sync has it,
   * so Baileys does not hold events for its 20 s initial-history-sync wait (and leave that
   * timer running after the test). Default true.
   */
  skipInitialSyncWait?: boolean;
}

export interface ClosedInfo {
  /** `lastDisconnect.error.output.statusCode` (Boom), the number gateways branch on. */
  statusCode: number | undefined;
  message: string | undefined;
  error: Error | undefined;
}

export interface TestClient {
  readonly sock: TestSocket;
  readonly auth: AuthenticationState;
  /** `Date.now()` just before the socket was created. */
  readonly createdAt: number;
  /** Every `connection.update` so far, in order. */
  readonly updates: Partial<ConnectionState>[];
  /** Resolves with the first update (past or future) the predicate accepts. */
  waitForUpdate(
    predicate: (update: Partial<ConnectionState>) => boolean,
    timeoutMs?: number,
  ): Promise<Partial<ConnectionState>>;
  waitForQr(timeoutMs?: number): Promise<string>;
  /** Resolves with the milliseconds from socket creation to `connection: 'open'`. */
  waitForOpen(timeoutMs?: number): Promise<number>;
  waitForClose(timeoutMs?: number): Promise<ClosedInfo>;
  /** Ends the socket (idempotent); always call it, also after a close, to stop Baileys' timers. */
  end(): Promise<void>;
}

/** Creates a Baileys socket pointed at the simulator and records its connection updates. */
export function createTestClient(sim: SimulatorEndpoint, options: TestClientOptions = {}): TestClient {
  const auth = options.auth ?? createMemoryAuthState();
  if (options.skipInitialSyncWait !== false) {
    auth.creds.accountSyncCounter = Math.max(1, auth.creds.accountSyncCounter ?? 0);
  }
  const updates: Partial<ConnectionState>[] = [];
  const waiters = new Set<() => void>();
  const createdAt = Date.now();
  const sock = makeWASocket({
    logger: pino({ level: 'silent' }),
    ...simulatorSocketConfig(sim),
    ...options.config,
    auth,
  });
  sock.ev.on('connection.update', (update) => {
    updates.push(update);
    for (const wake of [...waiters]) wake();
  });

  const waitForUpdate = (predicate: (update: Partial<ConnectionState>) => boolean, timeoutMs = 10_000) =>
    new Promise<Partial<ConnectionState>>((resolve, reject) => {
      let seen = 0;
      const check = () => {
        for (; seen < updates.length; seen++) {
          const update = updates[seen];
          if (update && predicate(update)) {
            finish();
            resolve(update);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no matching connection.update within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  let ended: Promise<void> | undefined;
  return {
    sock,
    auth,
    createdAt,
    updates,
    waitForUpdate,
    async waitForQr(timeoutMs) {
      const update = await waitForUpdate((u) => typeof u.qr === 'string', timeoutMs);
      return update.qr as string;
    },
    async waitForOpen(timeoutMs) {
      await waitForUpdate((u) => u.connection === 'open', timeoutMs);
      return Date.now() - createdAt;
    },
    async waitForClose(timeoutMs) {
      const update = await waitForUpdate((u) => u.connection === 'close', timeoutMs);
      const error = update.lastDisconnect?.error;
      const statusCode = (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
      return { statusCode, message: error?.message, error };
    },
    end() {
      ended ??= sock.end(undefined).catch(() => undefined);
      return ended;
    },
  };
}
