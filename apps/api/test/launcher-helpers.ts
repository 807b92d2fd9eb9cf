import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { listHeartbeats } from '@wagw/queue';
import type { Redis } from 'ioredis';

/** The repo root: `npm start` and the builds run from there. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Starts `node <args>` in the repo root with stdout and stderr piped, logs at warn. */
export function runNode(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The exit code and stderr of `child`, SIGKILLed if it has not exited within `timeoutMs`. */
export async function exitOf(child: ChildProcess, timeoutMs: number) {
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stderr };
}

/**
 * Polls /api/health until it says `ok` (it says `degraded`, also 200, until the worker's first
 * heartbeat lands), for up to 30 s. Returns the last response's status and body.
 */
export async function waitForHealthOk(port: number): Promise<{ status?: number; body: { status?: string } }> {
  let status: number | undefined;
  let body: { status?: string } = {};
  for (let i = 0; i < 150 && body.status !== 'ok'; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
    status = health?.status;
    body = health?.ok ? ((await health.json()) as { status?: string }) : {};
  }
  return { status, body };
}

/** The roles with a live heartbeat under `prefix`, sorted, once api, worker and scheduler beat (≤ 10 s). */
export async function waitForBeatingRoles(redis: Redis, prefix: string): Promise<string[]> {
  let roles: string[] = [];
  for (let i = 0; i < 50 && roles.length < 3; i++) {
    roles = (await listHeartbeats(redis, prefix)).map((beat) => beat.role).sort();
    if (roles.length < 3) await new Promise((r) => setTimeout(r, 200));
  }
  return roles;
}
