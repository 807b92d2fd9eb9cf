import { stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { AppError } from '@wagw/errors';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { findUp } from './find-up.js';

/** Where the dashboard is served; public (the page loads before sign-in, its API calls do not). */
export const DASHBOARD_PATH = '/dashboard';

/**
 * The build of apps/dashboard in this checkout (`vite build`, run by the root postinstall): found
 * from the repo root above this module, which runs from source or from the bundle in apps/api/dist.
 * The dist folder itself may not exist yet (the routes answer 404 until it does), so the search is
 * for apps/dashboard; without one, the path the source layout implies.
 */
const repoRoot = findUp(import.meta.url, join('apps', 'dashboard'));
export const DEFAULT_DASHBOARD_DIST = repoRoot
  ? `${join(repoRoot, 'apps', 'dashboard', 'dist')}${sep}`
  : fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));

export interface DashboardStaticOptions {
  /** The built dashboard: index.html and assets/ with content-hashed names. */
  distDir: string;
}

/**
 * The page's Content-Security-Policy: everything from this origin only, no inline script or style,
 * no plugins, no framing, no <base> rewriting. Images also from data: and blob: (the QR code, media
 * previews). Written out in full rather than on top of helmet's defaults: those add
 * upgrade-insecure-requests, which would break a dashboard served over plain HTTP on a LAN.
 */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
};

/** Assets carry a content hash in their name: a changed file is a new URL, so cache for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html (and anything else unhashed) is revalidated on every load, so a deploy shows at once. */
const REVALIDATE = 'no-cache';

/**
 * A path below the dist directory, or null for anything that could leave it or name it oddly
 * (`..`, `.`, empty segments, backslashes, NUL). @fastify/send refuses those too; checking here
 * first keeps such a request from falling back to index.html.
 */
function safeRelativePath(raw: string): string | null {
  if (raw.includes('\\') || raw.includes('\0')) return null;
  const segments = raw.split('/');
  return segments.every((s) => s !== '' && s !== '.' && s !== '..') ? raw : null;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves apps/dashboard/dist at /dashboard: `/dashboard` and any path that is not a file give
 * index.html (the page routes by hash, but a reload of a deep link must not 404), files are served
 * as they are, `/dashboard/assets/*` cached for a year. Helmet is registered inside this plugin's
 * own scope, so its CSP and other headers apply to these routes only: /docs (Swagger UI, which needs
 * inline scripts), Bull Board and the JSON API keep their headers.
 */
export async function registerDashboardStatic(
  app: FastifyInstance,
  options: DashboardStaticOptions,
): Promise<void> {
  const root = options.distDir;
  const index = join(root, 'index.html');
  // Said once at start; the routes check again on every request, so a build made while the API
  // runs is served without a restart.
  if (!(await isFile(index))) {
    app.log.warn(
      { distDir: root },
      'dashboard not built: /dashboard answers 404 until `npm run build -w @wagw/dashboard`',
    );
  }

  await app.register(async (scope) => {
    await scope.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
      xFrameOptions: { action: 'deny' },
      // HSTS belongs to whoever terminates TLS: sent from here over HTTPS it would also pin every
      // subdomain of the operator's domain (includeSubDomains) for half a year.
      strictTransportSecurity: false,
    });
    // No routes of its own: only reply.sendFile (ranges, ETag, Last-Modified, content types). No
    // root either: the directory may not exist yet, and every call names it.
    await scope.register(fastifyStatic, { serve: false });

    async function sendIndex(reply: FastifyReply): Promise<FastifyReply> {
      if (!(await isFile(index))) {
        throw new AppError(
          'DASHBOARD_NOT_BUILT',
          'the dashboard is not built: run `npm run build -w @wagw/dashboard` (npm install runs it)',
        );
      }
      return reply.header('cache-control', REVALIDATE).sendFile('index.html', root, { cacheControl: false });
    }

    const hidden = { schema: { hide: true } };
    scope.get(DASHBOARD_PATH, hidden, (_request, reply) => sendIndex(reply));
    scope.get(`${DASHBOARD_PATH}/*`, hidden, async (request, reply) => {
      const raw = (request.params as { '*': string })['*'];
      if (raw === '' || raw === 'index.html') return sendIndex(reply);
      const path = safeRelativePath(raw);
      if (path !== null && (await isFile(join(root, path)))) {
        const cacheControl = path.startsWith('assets/') ? IMMUTABLE : REVALIDATE;
        return reply.header('cache-control', cacheControl).sendFile(path, root, { cacheControl: false });
      }
      // A missing script or stylesheet answered with the page would fail in the browser in a
      // confusing way (wrong MIME type); a 404 says what is wrong.
      if (path === null || path.startsWith('assets/')) {
        throw new AppError('NOT_FOUND', `no dashboard file ${raw}`);
      }
      return sendIndex(reply);
    });
  });
}
