import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import { AppError } from '@wagw/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../lib/http-schemas.js';
import { mediaIdParams, mediaLinkQuery, storedMediaResponse } from './media.schemas.js';
import type { MediaService, StoredMedia } from './media.service.js';
import { ifRangeAllows, matchesIfNoneMatch, parseRangeHeader } from './range-header.js';

export interface MediaRoutesDeps {
  /** Absent when the app was built without a media store (the OpenAPI generator): every call is 503. */
  media: MediaService | undefined;
}

/** The documented shape of a download: a stream of the stored bytes, whatever their type. */
const bytes = z.instanceof(Readable).describe('the bytes (the type is the stored one, not necessarily this)');

/** Room for the multipart framing (boundaries, part headers, small fields) around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** Multipart limits errors of @fastify/multipart (and busboy) that mean "too much". */
const TOO_MUCH = new Set([
  'FST_PARTS_LIMIT',
  'FST_FILES_LIMIT',
  'FST_FIELDS_LIMIT',
  'FST_REQ_FILE_TOO_LARGE',
]);

/**
 * The file part's bytes must never reach memory whole: @fastify/multipart hands the part over as a
 * stream, and the store spools it to disk while hashing. A declared length that cannot fit is
 * refused before a byte of the body is read.
 */
function assertDeclaredLengthFits(request: FastifyRequest, maxBytes: number): void {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) {
    throw new AppError('PAYLOAD_TOO_LARGE', `media exceeds the limit of ${maxBytes} bytes`, {
      details: { maxBytes },
    });
  }
}

/** Streams the first file part of a multipart request into the store. */
async function receiveUpload(media: MediaService, request: FastifyRequest): Promise<StoredMedia> {
  assertDeclaredLengthFits(request, media.maxBytes);
  if (!request.isMultipart()) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'upload the file as multipart/form-data');
  }
  // One byte over the cap: busboy truncates a file at `fileSize` without failing, so the store
  // must see the byte past the limit to refuse the upload rather than keep a truncated file.
  const part = await request
    .file({ limits: { fileSize: media.maxBytes + 1, files: 1, parts: 20 } })
    .catch((err: unknown) => {
      const code = (err as { code?: string }).code ?? '';
      if (TOO_MUCH.has(code)) throw new AppError('PAYLOAD_TOO_LARGE', 'too many parts in the upload');
      throw new AppError('VALIDATION_FAILED', 'the body is not valid multipart/form-data', {
        cause: err,
      });
    });
  if (!part) throw new AppError('MEDIA_FILE_MISSING', 'the multipart body has no file part');
  let broken: Error | undefined;
  part.file.once('error', (err: Error) => {
    broken = err;
  });
  request.raw.once('close', () => {
    if (!request.raw.complete) broken ??= new Error('the client closed the upload before its end');
  });
  // `errored` too: when the whole body had arrived before this point (a small one), busboy may
  // already have failed the part ("Unexpected end of multipart data": no closing boundary) before
  // the listener above existed, and the store's error would otherwise read as the store's own (503).
  return media.upload(part.file, () => broken ?? part.file.errored ?? undefined);
}

/**
 * POST /api/media (multipart upload) and GET /api/media/:id (download with ETag and one Range).
 * Media is not tied to a session, so any valid key may upload and read (docs/media.md); a signed
 * link opens one file without a key.
 */
export function mediaRoutes(deps: MediaRoutesDeps) {
  const service = (): MediaService => {
    if (!deps.media) throw new AppError('MEDIA_STORE_UNAVAILABLE', 'this API has no media store');
    return deps.media;
  };

  return async function register(app: FastifyInstance): Promise<void> {
    // Scoped to this plugin: only the media routes accept multipart bodies.
    await app.register(multipart);
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.post(
      '/api/media',
      {
        config: { sessionAccess: 'any' },
        schema: {
          tags: ['media'],
          description:
            'Stores one file by content address. The body is multipart/form-data; its first file part (any field name, e.g. `curl -F file=@photo.jpg`) is streamed to the store and the type is sniffed from the bytes. Larger than MEDIA_MAX_BYTES: 413, nothing stored.',
          consumes: ['multipart/form-data'],
          response: {
            201: storedMediaResponse,
            400: errorResponse,
            413: errorResponse,
            415: errorResponse,
            503: errorResponse,
          },
        },
      },
      async (request, reply) => {
        try {
          return reply.code(201).send(await receiveUpload(service(), request));
        } catch (err) {
          // Refused with body bytes still unread: close the connection after the answer, or Node
          // would read (and discard) the rest of a body of any size to keep the connection alive.
          if (!request.raw.complete) void reply.header('connection', 'close');
          throw err;
        }
      },
    );

    routes.get(
      '/api/media/:id',
      {
        config: {
          sessionAccess: 'any',
          // No key needed with a signed link; a link with a bad signature or past its time is 403.
          signedLink: (request) => {
            const query = request.query as { expires?: unknown; signature?: unknown };
            if (query.expires === undefined && query.signature === undefined) return false;
            service().verifyLink(String((request.params as { id?: unknown }).id), query);
            return true;
          },
        },
        schema: {
          tags: ['media'],
          description:
            'Streams a stored file with ETag (If-None-Match: 304) and one byte range (Range: bytes=a-b, a-, -n: 206); several ranges get the whole file. With `expires` and `signature` (a signed link) no API key is needed.',
          params: mediaIdParams,
          querystring: mediaLinkQuery,
          security: [{ ApiKey: [] }, { Bearer: [] }, {}],
          response: {
            200: {
              description: 'the whole file, with its stored Content-Type, Content-Length and ETag',
              content: { 'application/octet-stream': { schema: bytes } },
            },
            206: {
              description: 'the requested range, with Content-Range',
              content: { 'application/octet-stream': { schema: bytes } },
            },
            304: z.null().describe('the client’s copy (If-None-Match) is current'),
            403: errorResponse,
            404: errorResponse,
            416: errorResponse,
            503: errorResponse,
          },
        },
      },
      async (request, reply) => {
        const media = service();
        const { id } = request.params;
        const info = await media.stat(id);
        // The store's entity tag, known before opening the bytes: the quoted SHA-256 on every backend.
        const etag = `"${info.sha256}"`;
        // Bytes under a content address never change: any cache may keep them, but only for this caller.
        void reply.headers({
          etag,
          'accept-ranges': 'bytes',
          'cache-control': 'private, max-age=31536000, immutable',
          // Uploaded bytes are untrusted: never let a browser run them as a page of the API's origin.
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; sandbox",
        });
        if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send(null);

        const asked = parseRangeHeader(request.headers.range);
        const ifRange = request.headers['if-range'];
        const honoured = ifRangeAllows(typeof ifRange === 'string' ? ifRange : undefined, etag);
        const range = honoured ? asked : { kind: 'none' as const };
        const got = await media.open(id, range, info.size).catch((err: unknown) => {
          if (err instanceof AppError && err.code === 'MEDIA_RANGE_NOT_SATISFIABLE') {
            void reply.header('content-range', `bytes */${info.size}`);
          }
          throw err;
        });
        void reply.type(got.mimetype);
        if (!got.range) return reply.header('content-length', got.size).send(got.stream);
        const { start, end } = got.range;
        return reply
          .code(206)
          .header('content-range', `bytes ${start}-${end}/${got.size}`)
          .header('content-length', end - start + 1)
          .send(got.stream);
      },
    );
  };
}
