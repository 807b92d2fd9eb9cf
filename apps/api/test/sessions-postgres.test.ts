import { createPgSchema, type PgSchema } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

// The unique-violation mapping differs per driver (SQLSTATE 23505 here, SQLITE_CONSTRAINT_UNIQUE
// on SQLite), so the duplicate-name path is checked on PostgreSQL as well.
let schema: PgSchema;
let t: TestApp;
beforeAll(async () => {
  schema = await createPgSchema();
  t = await createTestApp({ databaseUrl: schema.url });
});
afterAll(async () => {
  await t?.close();
  await schema?.drop();
});

describe('sessions on PostgreSQL', () => {
  it('a duplicate live name is 409 SESSION_NAME_TAKEN, not a 500', async () => {
    const create = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: AUTH,
        payload: { name: 'pg', start: false },
      });
    expect((await create()).statusCode).toBe(201);
    const again = await create();
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'SESSION_NAME_TAKEN' });
  });
});
