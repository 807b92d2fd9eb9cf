import { useCallback, useRef, useState } from 'preact/hooks';

/**
 * A button's or form's request: `busy` while it runs (to disable the control and avoid double
 * submits), `error` when it failed (shown with ErrorText), cleared on the next run.
 */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const latest = useRef(action);
  latest.current = action;
  const run = useCallback(async (...args: A): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await latest.current(...args);
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, setError };
}
