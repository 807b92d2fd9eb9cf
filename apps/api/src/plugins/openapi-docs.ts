import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { findUp } from './find-up.js';

/** Public: the interactive docs (UI) and the spec they load (`/docs/json`). */
export const DOCS_PATH = '/docs';

/**
 * The API package's version, written into `info.version`: from the nearest package.json above this
 * module, apps/api's both from source (src/plugins/) and from the bundle (dist/main.js).
 */
function apiVersion(): string {
  const dir = findUp(import.meta.url, 'package.json');
  if (!dir) throw new Error('no package.json above the API module: cannot tell the API version');
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

export interface OpenApiOptions {
  /** Documented as needing no credentials (`security: []`), like the auth hook's public prefixes. */
  publicPrefixes: readonly string[];
}

const DESCRIPTION = [
  'Self-hosted WhatsApp gateway. Every route except health and these docs needs an API key,',
  'sent as `X-API-Key: <key>` or `Authorization: Bearer <key>`: the admin key (API_KEY) may do',
  'anything; a per-session key (POST /api/keys) only acts on its own session (403 FORBIDDEN',
  'otherwise). Errors are `{ statusCode, code, message, requestId }`; 429 RATE_LIMITED carries',
  'Retry-After and X-RateLimit-* headers.',
].join(' ');

/**
 * OpenAPI 3 generated from the routes' zod schemas. Registered before any route: @fastify/swagger
 * collects routes through an onRoute hook, so later plugins' routes are included automatically.
 * The committed openapi.json is this document (`npm run openapi`; a test keeps it in sync).
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  const isPublic = (url: string) =>
    options.publicPrefixes.some((prefix) => url === prefix || url.startsWith(`${prefix}/`));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'wagw API', version: apiVersion(), description: DESCRIPTION },
      components: {
        securitySchemes: {
          ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          Bearer: { type: 'http', scheme: 'bearer', description: 'the same API key as a bearer token' },
        },
      },
      // Either scheme: two alternatives, not both at once.
      security: [{ ApiKey: [] }, { Bearer: [] }],
    },
    transform(document) {
      const transformed = jsonSchemaTransform(document);
      if (isPublic(document.url) && !transformed.schema.hide) {
        return { ...transformed, schema: { ...transformed.schema, security: [] } };
      }
      return transformed;
    },
    transformObject: jsonSchemaTransformObject,
  });

  await app.register(swaggerUi, { routePrefix: DOCS_PATH });
}
