import { commonConfig, commonEnv } from './common.js';
import { int } from './fields.js';
import { parseEnv } from './load.js';

/** Variables of the scheduler process (apps/scheduler). */
export const schedulerEnv = {
  ...commonEnv,
  // How often stale-session cleanup runs, in ms (the spec's 30 minutes).
  CLEANUP_INTERVAL: int(1_800_000, { min: 1000 }),
} as const;

export function loadSchedulerConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = parseEnv(schedulerEnv, env);
  return { ...commonConfig(parsed, 'scheduler'), cleanupIntervalMs: parsed.CLEANUP_INTERVAL };
}

export type SchedulerConfig = ReturnType<typeof loadSchedulerConfig>;
