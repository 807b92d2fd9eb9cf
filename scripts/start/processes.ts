import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROLES = ['api', 'worker', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

/**
 * How the roles run, decided by how this launcher runs. Compiled (`npm start`: dist/start.js): each
 * role's bundle, apps/<role>/dist/main.js, with plain node and source-mapped stack traces; nothing
 * of TypeScript is loaded. From source (`npm run dev`: tsx scripts/start.ts): apps/<role>/src/main.ts
 * through tsx, so an edit shows on the next start without a build.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The repo root: the nearest folder above this module holding apps/api (from dist/ or scripts/start/). */
export const ROOT = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'apps', 'api'))) return dir;
  }
  throw new Error('the launcher is not inside a wagw checkout: no apps/api above it');
})();

function roleArgs(role: Role): string[] {
  return FROM_SOURCE
    ? ['--import', 'tsx', `apps/${role}/src/main.ts`]
    : ['--enable-source-maps', `apps/${role}/dist/main.js`];
}

/** The compiled roles that are missing, so the launcher can say `npm run build` instead of crashing. */
export function missingBuilds(): string[] {
  if (FROM_SOURCE) return [];
  return ROLES.map((role) => `apps/${role}/dist/main.js`).filter((file) => !existsSync(join(ROOT, file)));
}

/** Whether the roles run from their bundles (and a stale build is worth a warning). */
export const runsCompiled = !FROM_SOURCE;

/**
 * Each role runs as its own Node process, as in production. Detached (own process group) so a
 * terminal's Ctrl-C reaches only this launcher, which then sends exactly one SIGTERM to each child:
 * a second signal would make a child skip its graceful shutdown.
 */
export function spawnRole(role: Role, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, roleArgs(role), {
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
