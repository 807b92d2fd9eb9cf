import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './api-test-app.js';

/** Issue #18: request ids and malformed URLs from a black-box review. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('x-request-id', () => {
  it('echoes a safe incoming id in the header and the error envelope', async () => {
    const id = 'trace-01HZX.abc:42_Z';
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: { 'x-request-id': id } });
    expect(res.headers['x-request-id']).toBe(id);
    expect(res.json().requestId).toBe(id);
  });

  it.each([
    ['1000 characters', 'a'.repeat(1000)],
    ['129 characters', 'a'.repeat(129)],
    ['spaces', 'id with spaces'],
    ['a tab', 'id\twith-tab'],
    ['markup', '<script>alert(1)</script>'],
    ['quotes and slashes', '"id"/../x'],
    ['non-ASCII', 'idé'],
  ])('replaces an id with %s by a generated one', async (_name, id) => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: { 'x-request-id': id } });
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.json().requestId).toBe(res.headers['x-request-id']);
  });

  it.each([
    ['a newline', 'id\nforged-log-line'],
    ['a control character', 'id\u0001x'],
  ])('replaces an id with %s by a generated one', async (_name, id) => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: { 'x-request-id': id } });
    expect(res.headers['x-request-id']).toMatch(UUID);
  });
});

describe('malformed URL encoding', () => {
  it.each([
    ['/api/sessions/%zz', 'path'],
    ['/api/sessions/%E0%A4%A', 'cut sequence in the path'],
    ['/api/%zz/anything', 'unknown route'],
  ])('%s (%s) is 400 BAD_URL in the envelope', async (url) => {
    const res = await t.app.inject({ method: 'GET', url, headers: AUTH });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      statusCode: 400,
      code: 'BAD_URL',
      message: expect.any(String),
      requestId: res.headers['x-request-id'],
    });
  });

  it.each([
    '/api/sessions?status=%zz',
    '/api/sessions?%zz=1',
    '/api/sessions?name=%C3%28',
    '/api/sessions?name=100%',
  ])('%s: a malformed query string is 400 BAD_URL in the envelope', async (url) => {
    const res = await t.app.inject({ method: 'GET', url, headers: AUTH });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      statusCode: 400,
      code: 'BAD_URL',
      requestId: res.headers['x-request-id'],
    });
  });

  it('leaves well-formed encodings alone', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions?limit=%35', headers: AUTH });
    expect(res.statusCode).toBe(200);
  });

  it('answers an unknown route with ROUTE_NOT_FOUND in the envelope', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      statusCode: 404,
      code: 'ROUTE_NOT_FOUND',
      message: expect.any(String),
      requestId: res.headers['x-request-id'],
    });
  });
});
