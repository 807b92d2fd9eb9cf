/**
 * `npm start`: runs the whole gateway (API, worker, scheduler) on its embedded defaults: a SQLite
 * file under ./data/ and Redis at 127.0.0.1:6379, starting a local redis-server when none answers.
 * Ctrl-C or SIGTERM stops every process gracefully; the exit code is 0 when all stopped cleanly.
 * `npm start` runs this launcher's bundle (dist/start.js) and the roles' bundles; `npm run dev` runs
 * it from source, and the roles too (scripts/start/processes.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createDatabase } from '@wagw/db';
import { ensureApiKey } from './start/api-key.js';
import { isLocalRedis, redisAnswers, redisServerInstalled, startLocalRedis } from './start/local-redis.js';
import { missingBuilds, ROLES, ROOT, runsCompiled, spawnRole, waitForExit } from './start/processes.js';
import { buildIsStale } from './start/stale-build.js';

const say = (line: string) => process.stdout.write(`[wagw] ${line}\n`);
const fail = (line: string): never => {
  process.stderr.write(`[wagw] ${line}\n`);
  process.exit(1);
};

const missing = missingBuilds();
if (missing.length > 0)
  fail(`not built: ${missing.join(', ')}. Run \`npm run build\` (npm install runs it).`);
if (
  runsCompiled &&
  buildIsStale(
    ROOT,
    ROLES.map((role) => `apps/${role}/dist/main.js`),
  )
) {
  say(
    'warning: sources changed since the last build; `npm run build` to run them (`npm run dev` runs the sources)',
  );
}

if (existsSync('.env')) process.loadEnvFile('.env');
const dataDir = resolve('data');
mkdirSync(dataDir, { recursive: true });

const env: NodeJS.ProcessEnv = { ...process.env };
env.DATABASE_URL ||= 'file:./data/wagw.db';
env.REDIS_URL ||= 'redis://127.0.0.1:6379';
env.PORT ||= '3000';
env.HOST ||= '127.0.0.1';
if (!env.API_KEY) {
  const { key, file, created } = ensureApiKey(dataDir);
  env.API_KEY = key;
  say(`${created ? 'generated an admin API key' : 'using the admin API key'} in ${file}`);
}

let redisChild: ChildProcess | undefined;
if (!(await redisAnswers(env.REDIS_URL))) {
  if (!isLocalRedis(env.REDIS_URL))
    fail(`nothing answers at REDIS_URL (${env.REDIS_URL}); start Redis there first.`);
  if (!redisServerInstalled()) {
    fail(
      'Redis is not running at 127.0.0.1:6379 and redis-server is not installed. Install it ' +
        '(Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`) or run ' +
        '`docker compose up -d redis`, then run `npm start` again.',
    );
  }
  say(`no Redis answered at ${env.REDIS_URL}: starting redis-server (data in ./data/redis, AOF on)`);
  redisChild = await startLocalRedis(env.REDIS_URL, dataDir).catch((err: Error) => fail(err.message));
}

// Migrate once before the processes start, so three processes do not race to create tables.
const db = await createDatabase({ url: env.DATABASE_URL });
await db.migrate();
await db.close();

const children = ROLES.map((role) => ({ role, child: spawnRole(role, env) }));
let stopping = false;

async function stopAll(reason: string, exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${reason}: stopping api, worker and scheduler`);
  for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
  const codes = await Promise.all(children.map(({ child }) => waitForExit(child)));
  if (redisChild) {
    redisChild.kill('SIGTERM');
    await waitForExit(redisChild);
  }
  const clean = codes.every((code) => code === 0);
  say(
    clean
      ? 'stopped cleanly'
      : `stopped; exit codes ${children.map((c, i) => `${c.role}=${codes[i]}`).join(' ')}`,
  );
  process.exit(clean ? exitCode : 1);
}

process.on('SIGINT', () => void stopAll('SIGINT', 0));
process.on('SIGTERM', () => void stopAll('SIGTERM', 0));
for (const { role, child } of children) {
  child.once('exit', (code) => {
    if (!stopping) void stopAll(`${role} exited unexpectedly (code ${code})`, 1);
  });
}

const base = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
say(`API:    ${base}/api  (send the key as X-API-Key)`);
say(`Docs:   ${base}/docs`);
say(`Health: ${base}/api/health`);
say('Press Ctrl-C to stop.');
