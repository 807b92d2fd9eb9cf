/**
 * `npm run openapi`: writes openapi.json at the repository root from the API's route schemas.
 * Builds the app without listening and without Redis or a real database. Re-run it whenever a
 * route or schema changes; apps/api/test/openapi.test.ts fails until the file matches.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildOpenApiSpec, formatOpenApiSpec } from '../apps/api/src/openapi-spec.js';

const file = resolve(import.meta.dirname, '..', 'openapi.json');
const spec = await buildOpenApiSpec();
writeFileSync(file, formatOpenApiSpec(spec));
const paths = Object.keys((spec.paths ?? {}) as Record<string, unknown>).length;
process.stdout.write(`openapi: wrote ${file} (${paths} paths)\n`);
