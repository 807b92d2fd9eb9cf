/**
 * Waits `ms`, or less if `signal` aborts first. Resolves `true` when the full time passed and
 * `false` when the wait was cut short (at once if the signal is already aborted); it never rejects,
 * so a loop can write `if (!(await sleep(ms, signal))) return;` instead of catching an AbortError.
 * The timer and the abort listener are both removed whichever way the wait ends.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
