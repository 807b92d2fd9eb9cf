import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDbOutage } from './db-outage-scenario.js';
import { type Gateway, startGateway } from './harness.js';

let gw: Gateway;
let holder: ChildProcess | undefined;
beforeAll(async () => {
  // The scenario locks the SQLite file: SQLite whatever E2E_DATABASE says.
  gw = await startGateway({ database: 'sqlite' });
});
afterAll(async () => {
  holder?.kill('SIGKILL');
  await gw?.close();
});

/** Another process holding the SQLite file's write lock (BEGIN EXCLUSIVE) until its stdin closes. */
async function lockSqlite(file: string): Promise<ChildProcess> {
  const script = `const db = new (require('better-sqlite3'))(process.argv[1]);
db.exec('BEGIN EXCLUSIVE'); console.log('locked');
process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); }); process.stdin.resume();`;
  const child = spawn(process.execPath, ['-e', script, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  if (!line.toString().includes('locked')) throw new Error(`lock holder said ${line}`);
  return child;
}

describe('the SQLite file locked by another process', () => {
  it('inbound messages and receipts that arrive meanwhile are spooled and written once it is released', async () => {
    const file = gw.databaseUrl.replace(/^file:/, '');
    const started = performance.now();
    const figures = await runDbOutage(gw, {
      start: async () => {
        holder = await lockSqlite(file);
      },
      end: async () => {
        const exited = once(holder!, 'exit');
        holder!.stdin!.end();
        await exited;
        holder = undefined;
      },
    });
    expect(figures.receipts).toBeGreaterThanOrEqual(5);
    console.info(
      `sqlite lock: ${figures.inbound} inbound + ${figures.receipts} receipts spooled, all written ${figures.drainMs} ms after release; test ${Math.round(performance.now() - started)} ms`,
    );
  }, 240_000);
});
