import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { type GatewayEvent, useCatchUp, useGatewayEvent } from '../../live-events.js';
import { applyMessageStatus } from './apply-live-event.js';
import type { Message, MessageStatus, Page } from './session-types.js';

const LIMIT = 20;
/** Events for messages not on the page yet come in bursts (a bulk send): one reload per burst. */
const RELOAD_DEBOUNCE_MS = 300;

/**
 * The newest messages of a session, both ways. Statuses follow `message.status` events; a message
 * the page does not show yet (received, or sent elsewhere) makes it reload the page of messages.
 */
export function useRecentMessages(id: string) {
  const [items, setItems] = useState<Message[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(() => {
    api<Page<Message>>('GET', `/api/sessions/${encodeURIComponent(id)}/messages?limit=${LIMIT}`).then(
      (page) => {
        setItems(page.items);
        setError(undefined);
      },
      (err: unknown) => setError(err),
    );
  }, [id]);
  const reloadSoon = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      load();
    }, RELOAD_DEBOUNCE_MS);
  }, [load]);
  useEffect(() => {
    load();
    return () => clearTimeout(timer.current);
  }, [load]);
  useCatchUp(load);

  useGatewayEvent(['message.status', 'message.received'], (event: GatewayEvent) => {
    if (event.sessionId !== id) return;
    const data = event.data as { messageId?: string; status?: MessageStatus; reason?: string | null };
    const known = items.some((m) => m.id === data.messageId);
    if (event.event === 'message.status' && known && data.status) {
      const status = data.status;
      setItems((list) =>
        list.map((m) => (m.id === data.messageId ? applyMessageStatus(m, status, data.reason ?? null) : m)),
      );
      return;
    }
    if (!known) reloadSoon();
  });

  return { items, error, reload: reloadSoon };
}
