import { useEffect, useRef, useState } from 'preact/hooks';
import { type GatewayEvent, useCatchUp, useGatewayEvent } from '../../live-events.js';
import { countMessages, type MessageCounts } from './count-messages.js';

/** Recounted at most this often per session while its messages flow (one cheap request each). */
const RECOUNT_AFTER_MS = 5000;
/** Sessions counted at once, so a long list does not burst the key's rate limit. */
const CONCURRENCY = 2;

export type CountState = MessageCounts | 'loading' | { error: unknown };

/**
 * 24 h sent/received per session: counted when the list loads and after each stream reconnect,
 * and recounted (debounced) when a session's messages move, so the numbers follow traffic without
 * polling.
 */
export function useMessageCounts(sessionIds: readonly string[]): ReadonlyMap<string, CountState> {
  const [counts, setCounts] = useState<ReadonlyMap<string, CountState>>(new Map());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const key = sessionIds.join(',');

  async function countAll(ids: readonly string[]): Promise<void> {
    const queue = [...ids];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const target = id;
        const state: CountState = await countMessages(target).catch((error: unknown) => ({ error }));
        setCounts((prev) => new Map(prev).set(target, state));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }

  useEffect(() => {
    const ids = key ? key.split(',') : [];
    setCounts((prev) => {
      const next = new Map<string, CountState>();
      for (const id of ids) next.set(id, prev.get(id) ?? 'loading');
      return next;
    });
    void countAll(ids.filter((id) => !counts.has(id)));
    // Only sessions new to the list are counted here; the rest are kept and recounted on events.
  }, [key]);

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) clearTimeout(timer);
    };
  }, []);

  useCatchUp(() => void countAll(key ? key.split(',') : []));

  useGatewayEvent(['message.received', 'message.status'], (event: GatewayEvent) => {
    const id = event.sessionId;
    if (!id || !sessionIds.includes(id) || timers.current.has(id)) return;
    timers.current.set(
      id,
      setTimeout(() => {
        timers.current.delete(id);
        void countAll([id]);
      }, RECOUNT_AFTER_MS),
    );
  });

  return counts;
}
