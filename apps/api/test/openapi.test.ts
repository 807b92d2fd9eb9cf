import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiSpec, formatOpenApiSpec } from '../src/openapi-spec.js';
import { createTestApp, type TestApp } from './api-test-app.js';

// openapi.json is generated, never edited by hand. Whoever adds or changes a route (or a schema)
// runs `npm run openapi` and commits the result; this test compares the file with the app as it is
// built right now, so it fails as soon as a route exists that the committed file does not describe.
const specFile = fileURLToPath(new URL('../../../openapi.json', import.meta.url));
const OUT_OF_DATE = 'openapi.json is out of date: run npm run openapi and commit the file';

type Paths = Record<string, Record<string, unknown>>;

/** "GET /api/sessions/{id}"-style lines, sorted: what the document says exists. */
function operations(spec: Record<string, unknown>): string[] {
  return Object.entries(spec.paths as Paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('openapi.json', () => {
  it('is exactly what `npm run openapi` writes for the current routes', async () => {
    const generated = formatOpenApiSpec(await buildOpenApiSpec());
    expect(readFileSync(specFile, 'utf8'), OUT_OF_DATE).toBe(generated);
  });

  it('describes every route the running app serves, and no other', async () => {
    const committed = JSON.parse(readFileSync(specFile, 'utf8')) as Record<string, unknown>;
    await t.app.ready();
    expect(operations(committed), OUT_OF_DATE).toEqual(
      operations(t.app.swagger() as Record<string, unknown>),
    );
  });

  it('is a valid OpenAPI 3 document', async () => {
    const committed = JSON.parse(readFileSync(specFile, 'utf8'));
    // validate() dereferences in place: give it a copy.
    const api = await SwaggerParser.validate(structuredClone(committed));
    expect(api.info.title).toBe('wagw API');
    expect(committed.openapi).toMatch(/^3\./);
  });

  it('declares both API key schemes and marks health public', () => {
    const committed = JSON.parse(readFileSync(specFile, 'utf8'));
    expect(committed.components.securitySchemes).toEqual({
      ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      Bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(committed.security).toEqual([{ ApiKey: [] }, { Bearer: [] }]);
    expect(committed.paths['/api/health'].get.security).toEqual([]);
    expect(committed.paths['/api/keys'].post.security).toBeUndefined();
    // Bull Board and the docs' own routes are not part of the API.
    expect(
      Object.keys(committed.paths).some((path) => path.startsWith('/admin') || path.startsWith('/docs')),
    ).toBe(false);
  });
});

describe('/docs', () => {
  it('serves the UI and the JSON without credentials', async () => {
    const ui = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    const json = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(operations(json.json())).toEqual(operations(JSON.parse(readFileSync(specFile, 'utf8'))));
  });
});
