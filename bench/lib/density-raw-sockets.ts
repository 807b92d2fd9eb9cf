/**
 * The baseline of the session-density bench: a plain Node script holding N raw Baileys sockets, no
 * gateway around them. It logs in with the credentials the gateway paired (given as a file of
 * BufferJSON creds texts), each socket with an in-memory auth state and an empty in-memory key store
 * (an idle login needs only the creds), and the Baileys options the worker's socket factory sets
 * (apps/worker/src/sessions/socket-factory.ts). It connects at most 10 at a time, the worker's
 * default RECONNECT_CONCURRENCY.
 *
 * Driven over IPC by bench/session-density.bench.ts: `{ open: n }` opens sockets until n are open
 * and answers `{ opened: n, ms }`; `{ end: true }` ends every socket and exits.
 * Environment: WA_WS_URL, WA_ROOT_PUBLIC_KEY (base64), RAW_CREDS_FILE; RAW_SHARED_ASYNC_STORAGE=1
 * builds each socket the way the worker does, inside withSharedAsyncStorage.
 *
 * Why that option: Baileys 7.0.0-rc14 creates one AsyncLocalStorage per socket
 * (addTransactionCapability) and Node 20 copies every enabled AsyncLocalStorage's slot onto every new
 * promise and timer (`_propagate`). With N plain sockets each live async resource carries N
 * properties, so a plain script's memory per socket grows with N (measured: 215 KiB/socket at 100,
 * 619 at 1,000, heap). The worker avoids this (apps/worker/src/sessions/shared-async-storage.ts);
 * with the option, the baseline is Baileys' per-socket cost without that quadratic term.
 */
import { readFileSync } from 'node:fs';
import {
  type AuthenticationCreds,
  Browsers,
  BufferJSON,
  makeWASocket,
  WA_CERT_DETAILS,
  type WASocket,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import { withSharedAsyncStorage } from '../../apps/worker/src/sessions/shared-async-storage.js';

const CONCURRENCY = 10;
const OPEN_TIMEOUT_MS = 120_000;

const wsUrl = process.env.WA_WS_URL as string;
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(process.env.WA_ROOT_PUBLIC_KEY as string, 'base64');
type Material = { creds: string; preKey: { id: string; value: string } };
const material = JSON.parse(readFileSync(process.env.RAW_CREDS_FILE as string, 'utf8')) as Material[];
// The worker's Baileys logger runs at WA_LOG_LEVEL (default 'error').
const logger = pino({ level: 'error' });
const sockets: WASocket[] = [];
const build: <R>(make: () => R) => R =
  process.env.RAW_SHARED_ASYNC_STORAGE === '1' ? withSharedAsyncStorage : (make) => make();

function openOne({ creds: credsText, preKey }: Material): Promise<void> {
  const creds = JSON.parse(credsText, BufferJSON.reviver) as AuthenticationCreds;
  const keys = new Map<string, unknown>([
    [`pre-key:${preKey.id}`, JSON.parse(preKey.value, BufferJSON.reviver)],
  ]);
  const sock = build(() =>
    makeWASocket({
      auth: {
        creds,
        keys: {
          get: (type, ids) =>
            Object.fromEntries(
              ids.flatMap((id) => (keys.has(`${type}:${id}`) ? [[id, keys.get(`${type}:${id}`)]] : [])),
            ) as never,
          set: (data) => {
            for (const [type, entries] of Object.entries(data))
              for (const [id, value] of Object.entries(entries ?? {}))
                if (value == null) keys.delete(`${type}:${id}`);
                else keys.set(`${type}:${id}`, value);
          },
        },
      },
      logger: logger as never,
      waWebSocketUrl: wsUrl,
      browser: Browsers.macOS('Chrome'),
      keepAliveIntervalMs: 30_000,
      connectTimeoutMs: 60_000,
      defaultQueryTimeoutMs: 60_000,
      retryRequestDelayMs: 250,
      maxMsgRetryCount: 3,
      markOnlineOnConnect: false,
      syncFullHistory: false,
      printQRInTerminal: false,
    }),
  );
  sockets.push(sock);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw socket not open in time')), OPEN_TIMEOUT_MS);
    sock.ev.on('connection.update', (update) => {
      if (update.connection === 'open') {
        clearTimeout(timer);
        resolve();
      }
      if (update.connection === 'close') {
        clearTimeout(timer);
        reject(new Error(`raw socket closed: ${update.lastDisconnect?.error?.message}`));
      }
    });
  });
}

async function openUntil(count: number): Promise<void> {
  const queue = material.slice(sockets.length, count);
  if (queue.length < count - sockets.length) throw new Error(`only ${material.length} creds given`);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await openOne(next);
    }),
  );
}

process.on('message', (message: { open?: number; end?: boolean }) => {
  if (message.end) {
    for (const sock of sockets) sock.end(undefined);
    process.disconnect?.();
    setTimeout(() => process.exit(0), 500).unref();
    return;
  }
  const started = performance.now();
  openUntil(message.open ?? 0).then(
    () => process.send?.({ opened: sockets.length, ms: performance.now() - started }),
    (err: Error) => process.send?.({ error: err.message }),
  );
});
process.send?.({ ready: true });
