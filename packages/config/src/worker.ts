import { commonConfig, commonEnv } from './common.js';
import { int, optionalString, url } from './fields.js';
import { parseEnv } from './load.js';

/** Variables of the worker process (apps/worker), which owns WhatsApp sockets. */
export const workerEnv = {
  ...commonEnv,
  // Most sessions one worker owns at once; placement never exceeds it.
  MAX_SESSIONS_PER_WORKER: int(50, { min: 1, max: 10_000 }),
  // Lease time-to-live in ms: how long a dead worker's sessions wait before another takes them.
  LEASE_TTL: int(15_000, { min: 1000 }),
  // Consecutive send failures that open a session's send circuit breaker.
  MSG_FAILURE_THRESHOLD: int(5, { min: 1, max: 1000 }),
  // How long a send breaker stays open before a half-open probe, in ms.
  MSG_RESET_TIMEOUT: int(60_000, { min: 100 }),
  // WhatsApp Web socket URL; point it at the simulator (`npm run sim`) to run without WhatsApp.
  WA_WS_URL: url('wss://web.whatsapp.com/ws/chat', ['ws:', 'wss:']),
  // Base64 of the 32-byte Noise root public key to trust; unset trusts WhatsApp's own root.
  WA_ROOT_PUBLIC_KEY: optionalString(),
} as const;

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = parseEnv(workerEnv, env);
  return {
    ...commonConfig(parsed, 'worker'),
    maxSessions: parsed.MAX_SESSIONS_PER_WORKER,
    leaseTtlMs: parsed.LEASE_TTL,
    sendBreaker: { failureThreshold: parsed.MSG_FAILURE_THRESHOLD, resetTimeoutMs: parsed.MSG_RESET_TIMEOUT },
    whatsapp: { wsUrl: parsed.WA_WS_URL, rootPublicKey: parsed.WA_ROOT_PUBLIC_KEY },
  };
}

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;
