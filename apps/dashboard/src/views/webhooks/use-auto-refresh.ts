import { useEffect, useRef } from 'preact/hooks';
import { useCatchUp } from '../../live-events.js';

/**
 * Calls `load` now, every `intervalMs` while the tab is visible, when it becomes visible again, and
 * after the event stream reconnects. For what the stream does not announce (delivery attempts,
 * health, throughput): those change without an event, so they are re-read on a timer instead.
 */
export function useAutoRefresh(load: () => void, intervalMs: number, key: string = ''): void {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    const run = () => {
      if (!document.hidden) latest.current();
    };
    latest.current();
    const timer = setInterval(run, intervalMs);
    document.addEventListener('visibilitychange', run);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', run);
    };
  }, [intervalMs, key]);
  useCatchUp(() => latest.current());
}
