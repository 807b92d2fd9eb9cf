import type { SessionStatus } from '@wagw/db';

/**
 * What to do when a Baileys socket closes, decided from the status code Baileys reports
 * (`lastDisconnect.error.output.statusCode`). The codes and their meaning were verified against
 * Baileys rc14 with the simulator (packages/wa-sim):
 *   515 restart required (the normal second step of pairing, or a server-requested restart)
 *   401 logged out / device removed, 403 forbidden, 440 replaced by another connection,
 *   411 multi-device mismatch, 408 timed out / connection lost, 428 closed, 500 bad session,
 *   503 service unavailable.
 */
export type DisconnectAction =
  /** Reconnect now without counting an attempt. */
  | { kind: 'restart'; status: SessionStatus }
  /** Reconnect after the backoff delay for the next attempt; `failed` once attempts run out. */
  | { kind: 'backoff'; status: SessionStatus }
  /** Never retry blindly: a person (or the scheduler's revival) must act. */
  | { kind: 'terminal'; status: SessionStatus; clearAuth: boolean };

export function decideOnDisconnect(code: number | undefined): DisconnectAction {
  switch (code) {
    case 515:
      return { kind: 'restart', status: 'connecting' };
    case 401:
      // The device was unlinked on the phone or by logout: the credentials are dead, keep none.
      return { kind: 'terminal', status: 'logged_out', clearAuth: true };
    case 403:
      // Banned or forbidden: retrying risks the number; the credentials may still be valid later.
      return { kind: 'terminal', status: 'failed', clearAuth: false };
    case 440:
      // Another connection took over this device. Fighting back causes a replace storm.
      return { kind: 'terminal', status: 'conflict', clearAuth: false };
    case 411:
      return { kind: 'terminal', status: 'needs_pairing', clearAuth: false };
    default:
      // 408, 428, 500, 503, network errors, our own watchdog, and anything unknown.
      return { kind: 'backoff', status: 'reconnecting' };
  }
}

export interface BackoffSchedule {
  /**
   * First delay in ms. Default 3000: with factor 2 and 3 attempts, 3 s, 6 s, 12 s, about 20 s in
   * all, enough for a network blip or a server restart without hammering WhatsApp (docs/sessions.md).
   */
  baseMs: number;
  /** Growth per attempt. Default 2. */
  factor: number;
  /** Attempts before the session is `failed`. Default 3. */
  maxAttempts: number;
  /** Random spread, as a fraction of the delay (0.2 = ±20 %), so sessions do not retry in lockstep. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffSchedule = { baseMs: 3000, factor: 2, maxAttempts: 3, jitter: 0.2 };

/**
 * Delay before reconnect attempt `attempt` (1-based), or undefined when attempts are exhausted.
 * The count lives with the session (reset on `open`), not in a retry loop, because each attempt
 * is a new socket and may even run on another worker after a failover.
 */
export function backoffDelay(
  attempt: number,
  schedule: BackoffSchedule,
  random = Math.random,
): number | undefined {
  if (attempt < 1 || attempt > schedule.maxAttempts) return undefined;
  const nominal = schedule.baseMs * schedule.factor ** (attempt - 1);
  const spread = nominal * schedule.jitter * (random() * 2 - 1);
  return Math.round(nominal + spread);
}
