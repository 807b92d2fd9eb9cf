import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createPgSchema,
  createTempDir,
  redisUrl,
  tempSqliteUrl,
  testDatabaseUrl,
  uniquePrefix,
} from '../src/index.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('temp dirs', () => {
  it('createTempDir makes a unique dir under os.tmpdir() and cleanup removes it', () => {
    const a = createTempDir();
    const b = createTempDir();
    expect(a.path.startsWith(tmpdir())).toBe(true);
    expect(a.path).not.toBe(b.path);
    writeFileSync(join(a.path, 'f.txt'), 'x');
    a.cleanup();
    a.cleanup();
    b.cleanup();
    expect(existsSync(a.path)).toBe(false);
  });

  it('tempSqliteUrl gives a file: URL inside its own dir', () => {
    const t = tempSqliteUrl();
    expect(t.url).toBe(`file:${t.file}`);
    expect(t.file.startsWith(t.path)).toBe(true);
    t.cleanup();
    expect(existsSync(t.path)).toBe(false);
  });
});

describe('redis', () => {
  it('uniquePrefix is unique, names its owner and is key-safe', () => {
    const a = uniquePrefix('queue test:1');
    expect(a).toMatch(/^wagw-test-queue-test-1-[0-9a-f]{12}$/);
    expect(uniquePrefix('queue test:1')).not.toBe(a);
  });

  it('redisUrl defaults to localhost and honours TEST_REDIS_URL', () => {
    vi.stubEnv('TEST_REDIS_URL', undefined);
    expect(redisUrl()).toBe('redis://127.0.0.1:6379');
    vi.stubEnv('TEST_REDIS_URL', 'redis://other:6380');
    expect(redisUrl()).toBe('redis://other:6380');
  });
});

describe('createPgSchema', () => {
  it('creates a t_<random> schema and drop removes it (idempotently)', async () => {
    const s = await createPgSchema();
    expect(s.schema).toMatch(/^t_[0-9a-f]{12}$/);
    expect(s.url).toContain('search_path');
    const client = new pg.Client(testDatabaseUrl());
    await client.connect();
    const exists = async () =>
      (await client.query('select 1 from pg_namespace where nspname = $1', [s.schema])).rowCount === 1;
    try {
      expect(await exists()).toBe(true);
      await s.drop();
      await s.drop();
      expect(await exists()).toBe(false);
    } finally {
      await client.end();
    }
  });

  it('fails loudly (never skips) when PostgreSQL is unreachable', async () => {
    await expect(createPgSchema('postgres://postgres@127.0.0.1:1/test')).rejects.toThrow(/unreachable/);
  });

  it('TEST_DATABASE_URL overrides the default server', () => {
    vi.stubEnv('TEST_DATABASE_URL', undefined);
    expect(testDatabaseUrl()).toBe('postgres://postgres@127.0.0.1:5432/test');
    vi.stubEnv('TEST_DATABASE_URL', 'postgres://x@h:1/y');
    expect(testDatabaseUrl()).toBe('postgres://x@h:1/y');
  });
});
