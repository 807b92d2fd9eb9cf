import { TimeoutError, withTimeout } from '@wagw/resilience';
export interface HealthResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/**
 * Runs `ping` and answers within `timeoutMs` whatever happens: a hung server (accepts TCP, never
 * answers) must turn a readiness probe red, not hang it. The abandoned ping is left to its own
 * driver timeout; `withTimeout` does not wait for it.
 */
export async function measureHealth(ping: () => Promise<unknown>, timeoutMs: number): Promise<HealthResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    await withTimeout(async () => ping(), timeoutMs);
    return { ok: true, latencyMs: elapsed() };
  } catch (err) {
    const error =
      err instanceof TimeoutError
        ? `health check timed out after ${timeoutMs} ms`
        : err instanceof Error
          ? err.message
          : String(err);
    return { ok: false, latencyMs: elapsed(), error };
  }
}

/**
 * Health of any `Database` (or anything with the same `health`), guarded again so a faulty
 * implementation can neither throw nor exceed `timeoutMs`.
 */
export function checkDatabaseHealth(
  db: { health(timeoutMs: number): Promise<HealthResult> },
  timeoutMs: number,
): Promise<HealthResult> {
  return measureHealth(async () => {
    const result = await db.health(timeoutMs);
    if (!result.ok) throw new Error(result.error ?? 'database unhealthy');
  }, timeoutMs);
}
