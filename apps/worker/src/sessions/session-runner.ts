import type { Repositories, Session, SessionStatus } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import type { WASocket } from '@whiskeysockets/baileys';
import { loadDbAuthState } from './auth-state.store.js';
import { type BackoffSchedule, backoffDelay, decideOnDisconnect } from './disconnect-policy.js';
import type { SocketFactory } from './socket-factory.js';
import {
  type SocketEnd,
  type SocketLifetime,
  type SocketLifetimeOptions,
  startSocketLifetime,
  type WatchdogSettings,
} from './socket-lifetime.js';

/** How a runner is asked to end. Each leaves the session in a different, deliberate state. */
export type StopMode =
  /** Desired state went to `stopped`: close (still linked), status `stopped`, release the lease. */
  | 'stop'
  /** This worker is shutting down: close without logging out, hand the session over at once. */
  | 'shutdown'
  /** The lease is gone: touch nothing (another worker may own the session now). */
  | 'lease-lost'
  /** Unlink the device from the account, clear auth state, status `logged_out`. */
  | 'logout';

export interface SessionRunnerDeps {
  sessionId: string;
  workerId: string;
  logger: Logger;
  repos: Pick<Repositories, 'sessions' | 'authState'>;
  factory: SocketFactory;
  backoff: BackoffSchedule;
  watchdog: WatchdogSettings;
  /** Fencing: true while this worker may act for the session. */
  holdsLease: () => boolean;
  /** Limits how many sockets this worker has connecting at once (thundering-herd guard). */
  connectSlot: <T>(attempt: () => Promise<T>) => Promise<T>;
  /** Publishes a status change (event stream, metrics). */
  onStatus: (session: Session, previous: SessionStatus | null) => Promise<void>;
  onQr: (qr: string) => Promise<void>;
  /** Pairing by code instead of QR: takes a pending request's phone number, stores the code. */
  pairing: { take: () => Promise<string | null>; store: (code: string) => Promise<void> };
  /** Called once when the runner has ended for good (lease released or lost). */
  onFinished: (mode: StopMode | 'terminal') => Promise<void>;
  /** Messaging on each socket: further Baileys handlers, and delivery while the socket is open. */
  messaging?: {
    handlers: SocketLifetimeOptions['extraHandlers'];
    opened: (sock: WASocket) => Promise<void>;
    closed: () => Promise<void>;
  };
}

/**
 * Runs one session on this worker: connects, reconnects by the disconnect policy (3 s, 6 s, 12 s,
 * then `failed`; 515 at once; 401/403/440/411 never blindly), records every transition, and ends in
 * exactly one deliberate way. Only one socket exists at a time per runner, and only while the lease
 * is held.
 */
export function createSessionRunner(deps: SessionRunnerDeps) {
  const { sessionId, logger } = deps;
  let lifetime: SocketLifetime | undefined;
  let stopMode: StopMode | undefined;
  let restartRequested = false;
  let wakeUp: (() => void) | undefined;
  let credsWrite: Promise<void> = Promise.resolve();
  let showingQr = false;

  /**
   * A phone number waiting for a pairing code is served by the socket that is showing a QR (an
   * unregistered socket): Baileys generates the code and announces it to WhatsApp.
   */
  async function servePairingRequest(): Promise<void> {
    const current = lifetime;
    if (!showingQr || !current || !deps.holdsLease()) return;
    const phone = await deps.pairing.take();
    if (!phone) return;
    const code = await current.sock.requestPairingCode(phone);
    await deps.pairing.store(code);
    logger.info({ sessionId }, 'pairing code issued');
  }

  async function transition(to: SessionStatus, reason: string, code?: number): Promise<Session | null> {
    if (!deps.holdsLease()) return null;
    const before = await deps.repos.sessions.getById(sessionId);
    const after = await deps.repos.sessions.transitionStatus(sessionId, {
      to,
      reason,
      disconnectCode: code ?? null,
      workerId: deps.workerId,
    });
    if (after) await deps.onStatus(after, before?.status ?? null);
    return after;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function connectOnce(why: { reason: string; code?: number }): Promise<SocketEnd | 'needs-pairing'> {
    const auth = await loadDbAuthState(deps.repos.authState, sessionId);
    if (!auth.ok) {
      await transition('needs_pairing', auth.reason);
      return 'needs-pairing';
    }
    // Serialised: Baileys may emit creds.update in bursts and the last write must win.
    const saveCreds = () => {
      credsWrite = credsWrite
        .then(auth.saveCreds)
        .catch((err) => logger.error({ err, sessionId }, 'saving creds failed'));
      return credsWrite;
    };
    let releaseSlot!: () => void;
    const slotReleased = new Promise<void>((resolve) => {
      releaseSlot = resolve;
    });
    // The slot is held from socket creation until a QR shows, the socket opens, or it closes.
    const started = deps.connectSlot(async () => {
      await transition('connecting', auth.paired ? why.reason : `${why.reason} (new pairing)`, why.code);
      const current = startSocketLifetime({
        sessionId,
        logger,
        factory: deps.factory,
        auth: auth.state,
        watchdog: deps.watchdog,
        canSend: deps.holdsLease,
        onCreds: saveCreds,
        extraHandlers: deps.messaging?.handlers,
        onQr: async (qr) => {
          releaseSlot();
          showingQr = true;
          await deps.onQr(qr);
          await transition('qr', 'waiting for QR scan');
          await servePairingRequest();
        },
        onOpen: async (sock: WASocket) => {
          releaseSlot();
          showingQr = false;
          await saveCreds();
          const me = sock.user;
          if (me) {
            await deps.repos.sessions.setIdentity(sessionId, {
              meJid: me.id,
              meLid: me.lid ?? null,
              pushName: me.name ?? null,
            });
          }
          await transition('open', 'connected');
          await deps.messaging?.opened(sock);
        },
      });
      lifetime = current;
      void current.ended.then(() => {
        showingQr = false;
        releaseSlot();
      });
      await slotReleased;
      return current;
    });
    const current = await started;
    const end = await current.ended;
    await deps.messaging
      ?.closed()
      .catch((err) => logger.warn({ err, sessionId }, 'stopping messaging failed'));
    await credsWrite;
    return end;
  }

  async function loop(): Promise<StopMode | 'terminal'> {
    let why: { reason: string; code?: number } = { reason: 'connecting' };
    while (!stopMode) {
      if (!deps.holdsLease()) return 'lease-lost';
      const end = await connectOnce(why);
      if (end === 'needs-pairing') return 'terminal';
      if (stopMode) break;
      if (restartRequested) {
        restartRequested = false;
        why = { reason: 'restarting on request' };
        continue;
      }
      const action = decideOnDisconnect(end.code);
      logger.info({ sessionId, code: end.code, reason: end.reason, action: action.kind }, 'socket closed');
      if (action.kind === 'restart') {
        why = { reason: `reconnecting at once: ${end.reason}`, code: end.code };
        continue;
      }
      if (action.kind === 'terminal') {
        if (action.clearAuth && deps.holdsLease()) await deps.repos.authState.clear(sessionId);
        await transition(action.status, end.reason, end.code);
        return 'terminal';
      }
      // The attempt count lives on the row (it survives failovers) and resets on `open`.
      const attempt = ((await deps.repos.sessions.getById(sessionId))?.reconnectAttempts ?? 0) + 1;
      const delay = backoffDelay(attempt, deps.backoff);
      if (delay === undefined) {
        await transition(
          'failed',
          `gave up after ${deps.backoff.maxAttempts} reconnect attempts: ${end.reason}`,
          end.code,
        );
        return 'terminal';
      }
      const session = await transition('reconnecting', end.reason, end.code);
      if (!session) return 'lease-lost';
      logger.info({ sessionId, attempt: session.reconnectAttempts, delay }, 'reconnecting after backoff');
      await sleep(delay);
      why = { reason: `reconnect attempt ${session.reconnectAttempts} of ${deps.backoff.maxAttempts}` };
    }
    return stopMode ?? 'stop';
  }

  const done = loop()
    .catch((err) => {
      logger.error({ err, sessionId }, 'session runner failed');
      return 'terminal' as const;
    })
    .then(async (mode) => {
      await finishStop(mode);
      await deps.onFinished(mode);
      return mode;
    });

  async function finishStop(mode: StopMode | 'terminal'): Promise<void> {
    if (mode === 'stop') await transition('stopped', 'stopped on request');
    if (mode === 'shutdown') await transition('starting', 'worker shutting down: handing over');
    if (mode === 'logout') {
      if (deps.holdsLease()) await deps.repos.authState.clear(sessionId);
      await transition('logged_out', 'logged out on request', 401);
    }
  }

  return {
    sessionId,
    done,
    isOpen: () => lifetime?.isOpen() ?? false,

    /** Serves a pairing-code request if the socket is waiting to be paired. */
    checkPairing: () =>
      servePairingRequest().catch((err) => logger.warn({ err, sessionId }, 'pairing code request failed')),

    /** Closes the socket and reconnects at once (status and attempts start afresh). */
    restart(): void {
      restartRequested = true;
      lifetime?.close(428, 'restart requested');
      wakeUp?.();
    },

    async stop(mode: StopMode): Promise<void> {
      if (stopMode) return void (await done);
      stopMode = mode;
      wakeUp?.();
      const current = lifetime;
      if (mode === 'logout' && current?.isOpen() && deps.holdsLease()) {
        // Sends remove-companion-device so the phone drops the device too; Baileys then closes (401).
        await current.sock.logout('logged out through the API').catch((err) => {
          logger.warn({ err, sessionId }, 'logout request failed; clearing auth state anyway');
          current.close(401, 'logout');
        });
      } else {
        current?.close(428, `stopping: ${mode}`, { terminate: mode === 'lease-lost' });
      }
      await done;
    },
  };
}

export type SessionRunner = ReturnType<typeof createSessionRunner>;
