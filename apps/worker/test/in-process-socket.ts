import { createDatabase, type Database } from '@wagw/db';
import { tempSqliteUrl } from '@wagw/testing';
import type { WaSimulator } from '@wagw/wa-sim';
import { startSimulator } from '@wagw/wa-sim';
import { afterAll, beforeAll } from 'vitest';
import { createSocketFactory, type SocketFactory } from '../src/sessions/socket-factory.js';

/** A socket factory for a session runner in the test process, connecting to `sim`. */
export function simSocketFactory(sim: WaSimulator): SocketFactory {
  return createSocketFactory(
    {
      wsUrl: sim.url,
      rootPublicKey: Buffer.from(sim.rootPublicKey).toString('base64'),
      logLevel: 'silent',
      keepAliveIntervalMs: 30_000,
      connectTimeoutMs: 10_000,
      defaultQueryTimeoutMs: 10_000,
      retryRequestDelayMs: 250,
      maxMsgRetryCount: 3,
    },
    undefined,
  );
}

/**
 * A simulator and a migrated SQLite file for the whole test file, closed and removed after it.
 * The simulator shares the process: its transcript is kept short so its memory does not count.
 */
export function useSimAndSqlite(): { sim: WaSimulator; db: Database } {
  // Filled in before the file's tests run.
  const fixture = {} as { sim: WaSimulator; db: Database };
  const sqlite = tempSqliteUrl();
  beforeAll(async () => {
    fixture.sim = await startSimulator({ transcriptLimit: 100 });
    fixture.db = await createDatabase({ url: sqlite.url });
    await fixture.db.migrate();
  });
  afterAll(async () => {
    await fixture.sim?.close();
    await fixture.db?.close();
    sqlite.cleanup();
  });
  return fixture;
}
