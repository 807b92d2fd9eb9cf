import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createPgSchema, testDatabaseUrl } from '@wagw/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMigrationsFolder } from '../src/client/options.js';
import { checkDatabaseHealth, createDatabase } from '../src/index.js';

describe('postgres client', () => {
  // Accepts TCP connections and never answers: what a hung or half-dead server looks like.
  let silent: Server;
  const sockets: Socket[] = [];
  let silentUrl = '';
  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    silentUrl = `postgres://postgres@127.0.0.1:${address.port}/test`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('health on an unreachable server answers ok:false fast', async () => {
    const db = await createDatabase({ url: 'postgres://postgres@127.0.0.1:1/test' });
    const started = Date.now();
    const result = await db.health(1_000);
    expect(result.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    await db.close();
  });

  it('health on a hung server answers ok:false within the timeout', async () => {
    const db = await createDatabase({ url: silentUrl, connectTimeoutMs: 10_000 });
    const started = Date.now();
    const result = await db.health(300);
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('timed out') });
    expect(elapsed).toBeLessThan(800);
    const guarded = await checkDatabaseHealth(db, 200);
    expect(guarded.ok).toBe(false);
    for (const s of sockets) s.destroy();
    await db.close();
  });

  it('two processes migrating a fresh schema at once both succeed (advisory lock)', async () => {
    const schema = await createPgSchema();
    const a = await createDatabase({ url: schema.baseUrl, schema: schema.schema });
    const b = await createDatabase({ url: schema.baseUrl, schema: schema.schema });
    try {
      await Promise.all([a.migrate(), b.migrate()]);
      const client = new pg.Client(testDatabaseUrl());
      await client.connect();
      const { rows } = await client.query(
        `select count(*)::int as n from "${schema.schema}".__drizzle_migrations`,
      );
      await client.end();
      expect(rows[0].n).toBe(
        readdirSync(defaultMigrationsFolder('pg')).filter((f) => f.endsWith('.sql')).length,
      );
    } finally {
      await a.close();
      await b.close();
      await schema.drop();
    }
  });

  it('a URL from createPgSchema selects its schema by itself', async () => {
    const schema = await createPgSchema();
    const db = await createDatabase({ url: schema.url });
    try {
      await db.migrate();
      const s = await db.repos.sessions.create({ name: 'via-url' });
      const client = new pg.Client(testDatabaseUrl());
      await client.connect();
      const { rows } = await client.query(`select name from "${schema.schema}".sessions where id = $1`, [
        s.id,
      ]);
      await client.end();
      expect(rows).toEqual([{ name: 'via-url' }]);
    } finally {
      await db.close();
      await schema.drop();
    }
  });

  it('an idle client error is handed to onPoolError instead of crashing the process', async () => {
    const errors: Error[] = [];
    const appName = `wagw-pool-error-${process.pid}-${Date.now()}`;
    const url = new URL(testDatabaseUrl());
    url.searchParams.set('application_name', appName);
    const db = await createDatabase({ url: url.toString(), onPoolError: (err) => errors.push(err) });
    expect((await db.health(2_000)).ok).toBe(true);
    const admin = new pg.Client(testDatabaseUrl());
    await admin.connect();
    // Kill our idle pooled connection (and only ours: unique application_name) from the server side.
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
      appName,
    ]);
    await admin.end();
    await expect.poll(() => errors.length, { timeout: 2_000 }).toBeGreaterThan(0);
    expect((await db.health(2_000)).ok).toBe(true);
    await db.close();
  });

  it('committed pg migrations are schema-agnostic (run db:generate, which strips "public".)', () => {
    const folder = defaultMigrationsFolder('pg');
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.sql'))) {
      expect(readFileSync(join(folder, file), 'utf8'), file).not.toContain('"public".');
    }
  });
});
