import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('deeply nested bodies', () => {
  it('a 12,000-deep array in a bulk send is a 400, not a 500 (found by the fuzzer)', async () => {
    const session = await t.db.repos.sessions.create({ name: 'deep' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/messages/bulk`,
      headers: { ...AUTH, 'content-type': 'application/json', 'idempotency-key': 'deep-1' },
      payload: `{"messages":[${'['.repeat(12_000)}${']'.repeat(12_000)}]}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
