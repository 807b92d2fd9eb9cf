import type { WAMessage, WAMessageUpdate } from '@whiskeysockets/baileys';
import type { TestSocket } from '../src/index.js';

/**
 * Records a Baileys socket's `messages.upsert` and `messages.update` and waits on them. A message status can
 * arrive in either (Baileys merges a receipt processed before its ~100 ms upsert flush into the upsert).
 */
export function recordMessageEvents(sock: TestSocket) {
  const upserts: Array<{ type: string; message: WAMessage }> = [];
  const updates: WAMessageUpdate[] = [];
  const wakers = new Set<() => void>();
  sock.ev.on('messages.upsert', ({ messages, type }) => {
    for (const message of messages) upserts.push({ type, message });
    for (const wake of [...wakers]) wake();
  });
  sock.ev.on('messages.update', (batch) => {
    updates.push(...batch);
    for (const wake of [...wakers]) wake();
  });

  function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        wakers.delete(check);
      };
      wakers.add(check);
      check();
    });
  }

  /** Highest status seen for a message id, from upserts and updates alike. */
  const statusOf = (id: string): number | undefined => {
    const statuses = [
      ...upserts.filter((u) => u.message.key.id === id).map((u) => u.message.status),
      ...updates.filter((u) => u.key.id === id).map((u) => u.update.status),
    ].filter((s): s is number => typeof s === 'number');
    return statuses.length ? Math.max(...statuses) : undefined;
  };

  return {
    upserts,
    updates,
    waitForUpsert(match: (m: WAMessage, type: string) => boolean, timeoutMs = 5_000) {
      return until(
        () => upserts.find((u) => match(u.message, u.type))?.message,
        timeoutMs,
        'messages.upsert',
      );
    },
    waitForUpdate(match: (u: WAMessageUpdate) => boolean, timeoutMs = 5_000) {
      return until(() => updates.find(match), timeoutMs, 'messages.update');
    },
    /** `messageStubParameters` of an ERROR status for `id`, from an update or merged into the upsert. */
    waitForError(id: string, timeoutMs = 5_000) {
      return until(
        () =>
          updates.find((u) => u.key.id === id && u.update.status === 0)?.update.messageStubParameters ??
          upserts.find((u) => u.message.key.id === id && u.message.status === 0)?.message
            .messageStubParameters ??
          undefined,
        timeoutMs,
        `error status for ${id}`,
      );
    },
    waitForStatus(id: string, atLeast: number, timeoutMs = 5_000) {
      return until(
        () => {
          const status = statusOf(id);
          return status !== undefined && status >= atLeast ? status : undefined;
        },
        timeoutMs,
        `status ${atLeast} for ${id}`,
      );
    },
  };
}
