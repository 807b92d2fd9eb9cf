import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const ROLES = ['api', 'worker', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Each role runs as its own Node process, as in production. Detached (own process group) so a
 * terminal's Ctrl-C reaches only this launcher, which then sends exactly one SIGTERM to each child:
 * a second signal would make a child skip its graceful shutdown.
 */
export function spawnRole(role: Role, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', `apps/${role}/src/main.ts`], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
    detached: true,
  });
}

export function waitForExit(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(1);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}
