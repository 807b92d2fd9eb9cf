import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from './api-test-app.js';
import { cookieOf, signIn } from './dashboard-api-helpers.js';

// The sign-in budget per client address (routes/dashboard/dashboard.routes.ts).
const SIGN_IN_BUDGET = 30;

describe('rate limiting of the dashboard', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { rateLimitPerMinute: 600 } });
  });
  afterAll(() => t.close());

  it('a flood of bad keys from one address gets 429 after the sign-in budget, the right key too', async () => {
    const answers: number[] = [];
    for (let i = 0; i < SIGN_IN_BUDGET; i++)
      answers.push((await signIn(t, `bad-key-${i}-0123456789`)).statusCode);
    expect(answers).toEqual(Array(SIGN_IN_BUDGET).fill(401));
    const limited = await signIn(t, 'bad-key-one-more-0123456789');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('RATE_LIMITED');
    expect(limited.headers['x-ratelimit-limit']).toBe(String(SIGN_IN_BUDGET));
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The budget is per address: guessing stays blocked even with the right key in the batch.
    expect((await signIn(t, TEST_API_KEY)).statusCode).toBe(429);
    // Another address (here told by the socket address light-my-request fakes) has its own budget.
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/dashboard/sign-in',
      payload: { apiKey: TEST_API_KEY },
      remoteAddress: '192.0.2.10',
    });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('requests made with the cookie draw from the budget of the key that signed in', async () => {
    // From yet another address: 127.0.0.1 spent its sign-in budget above.
    const signedInRes = await t.app.inject({
      method: 'POST',
      url: '/api/dashboard/sign-in',
      payload: { apiKey: TEST_API_KEY },
      remoteAddress: '192.0.2.11',
    });
    const cookie = cookieOf(signedInRes);
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBe('600');
  });
});
