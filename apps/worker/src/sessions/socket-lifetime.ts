import type { Logger } from '@wagw/logger';
import type {
  AuthenticationState,
  BaileysEventMap,
  ConnectionState,
  WASocket,
} from '@whiskeysockets/baileys';
import type { SocketFactory } from './socket-factory.js';

export interface WatchdogSettings {
  /** A socket that shows neither a QR nor `open` within this many ms is restarted. */
  openTimeoutMs: number;
  /** An open socket with no inbound frame for this many ms is restarted. */
  silenceTimeoutMs: number;
}

export interface SocketEnd {
  /** Baileys' status code (`lastDisconnect.error.output.statusCode`), ours for watchdog closes. */
  code: number | undefined;
  reason: string;
}

export interface SocketLifetimeOptions {
  sessionId: string;
  logger: Logger;
  factory: SocketFactory;
  auth: AuthenticationState;
  watchdog: WatchdogSettings;
  /** Fencing: checked before every outgoing frame. False stops the socket without sending anything. */
  canSend: () => boolean;
  onQr: (qr: string) => Promise<void>;
  onOpen: (sock: WASocket) => Promise<void>;
  onCreds: () => Promise<void>;
  /** Further Baileys events (messages, receipts, contacts) wired by later features. */
  extraHandlers?: Partial<{
    [K in keyof BaileysEventMap]: (arg: BaileysEventMap[K]) => Promise<void> | void;
  }>;
}

/** A close we initiate carries a status code the way Baileys' own Boom errors do. */
function closeError(code: number, reason: string): Error {
  return Object.assign(new Error(reason), { output: { statusCode: code } });
}

/**
 * One Baileys socket from creation to close. Every event handler is isolated (a throw is logged
 * with the session id and never reaches Baileys or the process), every listener and timer is removed
 * when the socket ends, and a watchdog covers the cases where Baileys itself never reports a close.
 */
export function startSocketLifetime(options: SocketLifetimeOptions) {
  const { logger, sessionId } = options;
  const sock = options.factory(options.auth, logger);
  const cleanups: Array<() => void> = [];
  let settled = false;
  let lastFrameAt = performance.now();
  let resolveEnded!: (end: SocketEnd) => void;
  const ended = new Promise<SocketEnd>((resolve) => {
    resolveEnded = resolve;
  });

  function isolate<A>(event: string, handler: (arg: A) => Promise<void> | void) {
    return (arg: A) => {
      Promise.resolve()
        .then(() => handler(arg))
        .catch((err) => logger.error({ err, sessionId, event }, 'session event handler failed'));
    };
  }

  function on<K extends keyof BaileysEventMap>(
    event: K,
    handler: (arg: BaileysEventMap[K]) => Promise<void> | void,
  ) {
    const wrapped = isolate(event, handler);
    sock.ev.on(event, wrapped);
    cleanups.push(() => sock.ev.off(event, wrapped));
  }

  function finish(end: SocketEnd) {
    if (settled) return;
    settled = true;
    connectionClosed = true;
    for (const cleanup of cleanups.splice(0)) cleanup();
    resolveEnded(end);
  }

  // Baileys goes on decrypting the frames it had already read after its connection closed, and
  // each one's receipt then fails, so it never hands the message over. Key writes are refused from
  // here on (auth-state.store.ts), so those messages stay decryptable for the next connection,
  // which WhatsApp delivers them to again since nothing acknowledged them. A frame refused for a
  // lost lease ends the connection the same way.
  let connectionClosed = false;
  guardOutgoingFrames(sock, options.canSend, () => {
    connectionClosed = true;
  });

  const closeListener = () => {
    connectionClosed = true;
  };
  sock.ws.on('close', closeListener);
  cleanups.push(() => sock.ws.off('close', closeListener));

  const frameListener = () => {
    lastFrameAt = performance.now();
  };
  sock.ws.on('frame', frameListener);
  cleanups.push(() => sock.ws.off('frame', frameListener));

  let opened = false;
  const openTimer = setTimeout(
    () => close(408, `watchdog: no QR and no open within ${options.watchdog.openTimeoutMs} ms`),
    options.watchdog.openTimeoutMs,
  );
  cleanups.push(() => clearTimeout(openTimer));
  const silenceTimer = setInterval(
    () => {
      if (opened && performance.now() - lastFrameAt > options.watchdog.silenceTimeoutMs) {
        close(408, `watchdog: no traffic for ${options.watchdog.silenceTimeoutMs} ms`);
      }
    },
    Math.max(100, Math.floor(options.watchdog.silenceTimeoutMs / 4)),
  );
  cleanups.push(() => clearInterval(silenceTimer));

  on('creds.update', () => options.onCreds());
  on('connection.update', async (update: Partial<ConnectionState>) => {
    if (update.qr) {
      clearTimeout(openTimer);
      await options.onQr(update.qr);
    }
    if (update.connection === 'open') {
      opened = true;
      lastFrameAt = performance.now();
      clearTimeout(openTimer);
      await options.onOpen(sock);
    }
    if (update.connection === 'close') {
      const error = update.lastDisconnect?.error as
        | (Error & { output?: { statusCode?: number } })
        | undefined;
      finish({ code: error?.output?.statusCode, reason: error?.message ?? 'connection closed' });
    }
  });
  for (const [event, handler] of Object.entries(options.extraHandlers ?? {})) {
    on(event as keyof BaileysEventMap, handler as (arg: unknown) => Promise<void>);
  }

  /**
   * Ends the socket with our own code (`terminate`: reset the connection instead of closing it). Baileys normally answers with a close event; when the
   * WebSocket never finished its upgrade it may not, so the lifetime is settled after 5 s regardless.
   */
  function close(code: number, reason: string, options: { terminate?: boolean } = {}): void {
    if (settled) return;
    logger.info({ sessionId, code, reason }, 'closing socket');
    // Without the lease we may not even say goodbye: drop the TCP connection, no close frame.
    if (options.terminate) rawSocket(sock)?.terminate();
    sock.end(closeError(code, reason));
    const fallback = setTimeout(() => {
      rawSocket(sock)?.terminate();
      finish({ code, reason });
    }, 5000);
    fallback.unref();
    void ended.then(() => clearTimeout(fallback));
  }

  return {
    sock,
    ended,
    close,
    isOpen: () => opened && !settled,
    /** The WebSocket closed (whatever Baileys is still processing from it). */
    connectionClosed: () => connectionClosed,
  };
}

export type SocketLifetime = ReturnType<typeof startSocketLifetime>;

type RawWebSocket = { send: (...args: unknown[]) => void; terminate: () => void };

function rawSocket(sock: WASocket): RawWebSocket | null {
  return (sock.ws as unknown as { socket: RawWebSocket | null }).socket;
}

/**
 * Fencing at the wire: every frame Baileys writes goes through the underlying `ws` socket's `send`,
 * so checking the lease there means a worker that lost its lease (paused past its TTL, cut off from
 * Redis) sends not one more byte on this session's behalf; it terminates the socket instead.
 */
function guardOutgoingFrames(sock: WASocket, canSend: () => boolean, onRefused: () => void): void {
  const raw = rawSocket(sock);
  if (!raw) return;
  const send = raw.send.bind(raw);
  raw.send = (...args: unknown[]) => {
    if (canSend()) {
      send(...args);
      return;
    }
    onRefused();
    raw.terminate();
    const callback = args.findLast((arg) => typeof arg === 'function') as ((err: Error) => void) | undefined;
    callback?.(new Error('session lease lost: frame not sent'));
  };
}
