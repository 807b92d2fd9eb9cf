import type { OutboxEvent, Repositories, Session, SessionStatus } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import { sleep } from '@wagw/resilience';
import type { WASocket } from '@whiskeysockets/baileys';
import { loadDbAuthState } from './auth-state.store.js';
import { type BackoffSchedule, backoffDelay, decideOnDisconnect } from './disconnect-policy.js';
import type { HandOver } from './message-turns.js';
import { createRunnerOwnership } from './runner-ownership.js';
import {
  nextState,
  type RunnerEnd,
  type RunnerEvent,
  type RunnerState,
  type StopMode,
  socketOf,
} from './runner-state.js';
import type { SocketFactory } from './socket-factory.js';
import {
  type SocketEnd,
  type SocketLifetimeOptions,
  startSocketLifetime,
  type WatchdogSettings,
} from './socket-lifetime.js';

export interface SessionRunnerDeps {
  sessionId: string;
  workerId: string;
  logger: Logger;
  repos: Pick<Repositories, 'sessions' | 'authState'>;
  /** Database.canWrite: lets Signal key writes held while the database is unavailable wait cheaply. */
  canWrite?: () => Promise<void>;
  factory: SocketFactory;
  backoff: BackoffSchedule;
  watchdog: WatchdogSettings;
  /** Fencing: true while this worker may act for the session. */
  holdsLease: () => boolean;
  /**
   * The lease generation this runner was claimed under. With it, status writes are fenced in the
   * database too: a runner whose lease was taken over before its own clock noticed (Redis lost its
   * data and another worker claimed the session) cannot overwrite the new owner's status, and stops.
   */
  generation?: number;
  /** Limits how many sockets this worker has connecting at once (thundering-herd guard). */
  connectSlot: <T>(attempt: () => Promise<T>) => Promise<T>;
  /**
   * Builds the `session.status` event of a change, written to the event outbox with it, so the
   * change is announced even if this process dies right after the commit. Absent: none is stored.
   */
  statusEvent?: (session: Session, previous: SessionStatus) => OutboxEvent;
  /** Publishes a status change (event stream, metrics); `event` is its stored outbox event. */
  onStatus: (session: Session, previous: SessionStatus | null, event?: OutboxEvent) => Promise<void>;
  onQr: (qr: string) => Promise<void>;
  /** Pairing by code instead of QR: takes a pending request's phone number, stores the code. */
  pairing: { take: () => Promise<string | null>; store: (code: string) => Promise<void> };
  /** Phone-number ↔ LID pairs as Baileys stores them (its `lid-mapping` keys), to mirror into contacts. */
  onLidMappings?: (pairs: Array<{ pn: string; lid: string }>) => void;
  /** Called once when the runner has ended for good (lease released or lost). */
  onFinished: (end: RunnerEnd) => Promise<void>;
  /** Messaging on each socket: further Baileys handlers, and delivery while the socket is open. */
  messaging?: {
    handlers: SocketLifetimeOptions['extraHandlers'];
    opened: (sock: WASocket) => Promise<void>;
    closed: () => Promise<void>;
    /** Stores inbound messages as Baileys upserts them (message-turns.ts). */
    handOver?: HandOver;
    /** Before a deliberate close: lets the send in hand finish (bounded). */
    draining?: (ms: number) => Promise<void>;
  };
}

/** How long a deliberate stop waits for the send in hand (its server ack takes well under 1 s). */
const DRAIN_SEND_MS = 5000;

/**
 * Runs one session on this worker: connects, reconnects by the disconnect policy (3 s, 6 s, 12 s,
 * then `failed`; 515 at once; 401/403/440/411 never blindly), records every transition, and ends in
 * exactly one deliberate way. Only one socket exists at a time per runner, and only while the lease
 * is held.
 */
export function createSessionRunner(deps: SessionRunnerDeps) {
  const { sessionId, logger } = deps;
  let state: RunnerState = { kind: 'idle' };
  const { holdsLease, ownsRow, record, superseded } = createRunnerOwnership(deps);
  const dispatch = (event: RunnerEvent) => {
    state = nextState(state, event);
  };
  // Read through a function: `state` changes under the loop's feet while it awaits.
  const current = (): RunnerState => state;

  /**
   * A phone number waiting for a pairing code is served by the socket that is showing a QR (an
   * unregistered socket): Baileys generates the code and announces it to WhatsApp.
   */
  async function servePairingRequest(): Promise<void> {
    const showing = current();
    if (showing.kind !== 'qr' || !holdsLease()) return;
    const phone = await deps.pairing.take();
    if (!phone) return;
    const code = await showing.lifetime.sock.requestPairingCode(phone);
    await deps.pairing.store(code);
    logger.info({ sessionId }, 'pairing code issued');
  }

  /**
   * The database refused an auth write because another worker claimed the session (its clock still
   * vouched for a lease Redis had lost): stop at once, as on a lost lease, without touching it.
   */
  function stepAside(): void {
    void ownsRow()
      .then((owns) => (owns ? undefined : runner.stop('lease-lost')))
      .catch((err) => logger.warn({ err, sessionId }, 'stepping aside failed'));
  }

  /** One socket from auth load to close; `stopped` when a stop came while waiting for a slot. */
  async function connectOnce(why: {
    reason: string;
    code?: number;
  }): Promise<SocketEnd | 'needs-pairing' | 'stopped'> {
    // Set once the socket exists: its key writes stop when its connection closes.
    let connectionClosed = () => false;
    const auth = await loadDbAuthState(
      deps.repos.authState,
      sessionId,
      {
        logger: deps.logger,
        canWrite: deps.canWrite,
        holdsLease,
        // A lost lease ends the connection too (no frame leaves without it): the same reasoning.
        connectionClosed: () => connectionClosed() || !holdsLease(),
        fence:
          deps.generation === undefined
            ? undefined
            : { generation: deps.generation, onSuperseded: stepAside },
      },
      deps.onLidMappings,
    );
    if (!auth.ok) {
      await record('needs_pairing', auth.reason);
      return 'needs-pairing';
    }
    // Serialised: Baileys may emit creds.update in bursts and the last write must win.
    let credsWrite: Promise<void> = Promise.resolve();
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
    const lifetime = await deps.connectSlot(async () => {
      await record('connecting', auth.paired ? why.reason : `${why.reason} (new pairing)`, why.code);
      // A stop that came while this waited for the slot: no socket would be there to close.
      if (current().kind === 'stopping' || superseded()) return undefined;
      const created = startSocketLifetime({
        sessionId,
        logger,
        factory: deps.factory,
        auth: auth.state,
        watchdog: deps.watchdog,
        canSend: holdsLease,
        onCreds: saveCreds,
        extraHandlers: deps.messaging?.handlers,
        onQr: async (qr) => {
          releaseSlot();
          dispatch({ type: 'qr' });
          await deps.onQr(qr);
          await record('qr', 'waiting for QR scan');
          await servePairingRequest();
        },
        onOpen: async (sock: WASocket) => {
          releaseSlot();
          dispatch({ type: 'open' });
          await saveCreds();
          const me = sock.user;
          if (me) {
            await deps.repos.sessions.setIdentity(sessionId, {
              meJid: me.id,
              meLid: me.lid ?? null,
              pushName: me.name ?? null,
            });
          }
          await record('open', 'connected');
          await deps.messaging?.opened(sock);
        },
      });
      connectionClosed = created.connectionClosed;
      // Before the first frame can arrive: each inbound message is stored, and its keys written,
      // before Baileys goes on to the next (message-turns.ts).
      auth.messageTurns.install(created.sock, deps.messaging?.handOver);
      dispatch({ type: 'socket-created', lifetime: created });
      void created.ended.then(() => {
        dispatch({ type: 'socket-ended' });
        releaseSlot();
      });
      await slotReleased;
      return created;
    });
    if (!lifetime) return 'stopped';
    const end = await lifetime.ended;
    await deps.messaging
      ?.closed()
      .catch((err) => logger.warn({ err, sessionId }, 'stopping messaging failed'));
    await credsWrite;
    return end;
  }

  /** Connects, and after every close decides by the disconnect policy until the runner must end. */
  async function loop(): Promise<RunnerEnd> {
    let why: { reason: string; code?: number } = { reason: 'connecting' };
    while (current().kind !== 'stopping') {
      if (!holdsLease()) return 'lease-lost';
      const end = await connectOnce(why);
      if (superseded()) return 'lease-lost';
      if (end === 'needs-pairing') return 'terminal';
      if (end === 'stopped' || current().kind === 'stopping') break;
      if (current().kind === 'restarting') {
        why = { reason: 'restarting on request' };
        continue;
      }
      const action = decideOnDisconnect(end.code);
      logger.info({ sessionId, code: end.code, reason: end.reason, action: action.kind }, 'socket closed');
      if (action.kind === 'restart') {
        if (!(await ownsRow())) return 'lease-lost';
        why = { reason: `reconnecting at once: ${end.reason}`, code: end.code };
        continue;
      }
      if (action.kind === 'terminal') {
        // A 440 (replaced) or 401 may be the new owner's doing, not WhatsApp's verdict on ours.
        if (!(await ownsRow())) return 'lease-lost';
        if (action.clearAuth && holdsLease()) await deps.repos.authState.clear(sessionId);
        await record(action.status, end.reason, end.code);
        return superseded() ? 'lease-lost' : 'terminal';
      }
      // The attempt count lives on the row (it survives failovers) and resets on `open`.
      const attempt = ((await deps.repos.sessions.getById(sessionId))?.reconnectAttempts ?? 0) + 1;
      const delay = backoffDelay(attempt, deps.backoff);
      if (delay === undefined) {
        await record(
          'failed',
          `gave up after ${deps.backoff.maxAttempts} reconnect attempts: ${end.reason}`,
          end.code,
        );
        return superseded() ? 'lease-lost' : 'terminal';
      }
      const session = await record('reconnecting', end.reason, end.code);
      if (!session) return 'lease-lost';
      if (current().kind === 'stopping') break;
      logger.info({ sessionId, attempt: session.reconnectAttempts, delay }, 'reconnecting after backoff');
      const wake = new AbortController();
      dispatch({ type: 'backing-off', wake });
      await sleep(delay, wake.signal);
      why = { reason: `reconnect attempt ${session.reconnectAttempts} of ${deps.backoff.maxAttempts}` };
    }
    const stopping = current();
    return stopping.kind === 'stopping' ? stopping.mode : 'stop';
  }

  /** Leaves the session in the state its stop mode promises (see `StopMode`). */
  async function finishStop(end: RunnerEnd): Promise<void> {
    if (end === 'stop') await record('stopped', 'stopped on request');
    if (end === 'shutdown') await record('starting', 'worker shutting down: handing over');
    if (end === 'logout') {
      if (holdsLease()) await deps.repos.authState.clear(sessionId);
      await record('logged_out', 'logged out on request', 401);
    }
  }

  const done = loop()
    .catch((err) => {
      logger.error({ err, sessionId }, 'session runner failed');
      return 'terminal' as const;
    })
    .then(async (end) => {
      await finishStop(end);
      dispatch({ type: 'finished', end });
      await deps.onFinished(end);
      return end;
    });

  const runner = {
    sessionId,
    done,
    isOpen: () => socketOf(current())?.isOpen() ?? false,

    /** The socket while the session is open (session RPCs run on it); undefined otherwise. */
    openSocket(): WASocket | undefined {
      const now = current();
      return now.kind === 'open' && now.lifetime.isOpen() ? now.lifetime.sock : undefined;
    },

    /** Serves a pairing-code request if the socket is waiting to be paired. */
    checkPairing: () =>
      servePairingRequest().catch((err) => logger.warn({ err, sessionId }, 'pairing code request failed')),

    /** Closes the socket and reconnects at once (status and attempts start afresh). */
    restart(): void {
      const before = current();
      dispatch({ type: 'restart' });
      if (before.kind === 'backing-off') before.wake.abort();
      else if (current().kind === 'restarting') socketOf(before)?.close(428, 'restart requested');
    },

    async stop(mode: StopMode): Promise<void> {
      const before = current();
      if (before.kind === 'stopping' || before.kind === 'stopped') return void (await done);
      dispatch({ type: 'stop', mode });
      if (before.kind === 'backing-off') before.wake.abort();
      const lifetime = socketOf(before);
      if (mode === 'logout' && lifetime?.isOpen() && holdsLease()) {
        // Sends remove-companion-device so the phone drops the device too; Baileys then closes (401).
        await lifetime.sock.logout('logged out through the API').catch((err) => {
          logger.warn({ err, sessionId }, 'logout request failed; clearing auth state anyway');
          lifetime.close(401, 'logout');
        });
      } else {
        // A lost lease means another owner may already be sending: close at once, never drain.
        if (mode !== 'lease-lost' && lifetime?.isOpen()) await deps.messaging?.draining?.(DRAIN_SEND_MS);
        lifetime?.close(428, `stopping: ${mode}`, { terminate: mode === 'lease-lost' });
      }
      await done;
    },
  };
  return runner;
}

export type SessionRunner = ReturnType<typeof createSessionRunner>;
