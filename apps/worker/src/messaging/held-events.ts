import type { WASocket } from '@whiskeysockets/baileys';

/** How long after a send's server ack the events Baileys still holds are released. */
const HELD_EVENTS_RELEASE_MS = 100;

type ReleaseSocket = {
  ev: Pick<WASocket['ev'], 'isBuffering' | 'flush'>;
  ws: Pick<WASocket['ws'], 'on' | 'off'>;
};

/**
 * Releases the events Baileys rc14 holds back while a session sends and nothing comes in.
 *
 * Baileys buffers the `messages.upsert` of every message it sends and flushes it 100 ms later, but
 * only when no other buffer is open: right after pairing it holds every event for its initial
 * history sync (up to 20 s), and its debounce can keep the handle of a timer that already fired
 * (event-buffer.js, `flushPendingTimeout`), after which only an incoming node (receipt, message) or
 * its 30 s auto-flush releases the buffer. A bulk to contacts that send no receipts then holds every
 * own upsert (and the statuses folded into them) for 20-30 s, and each send copies the whole buffer
 * (`Object.values`) to check its type, quadratic in the bulk: in a `bench:delivery` profile the
 * buffer reached 3,000 messages and that copy took 1.1 s of the worker's 15.5 s of busy time.
 *
 * So each server ack of a sent message schedules one flush 100 ms later, the delay Baileys
 * intended; a flush is what Baileys does after every receipt or message it processes anyway.
 * One timer per socket at most, and only while Baileys is buffering.
 */
export function releaseHeldEvents(sock: ReleaseSocket, delayMs = HELD_EVENTS_RELEASE_MS) {
  let timer: NodeJS.Timeout | undefined;
  const onAck = () => {
    if (timer || !sock.ev.isBuffering()) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (sock.ev.isBuffering()) sock.ev.flush();
    }, delayMs);
  };
  sock.ws.on('CB:ack,class:message', onAck);
  return {
    stop(): void {
      sock.ws.off('CB:ack,class:message', onAck);
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
