import { isDatabaseUnavailable } from '@wagw/db';
import { AppError, type ErrorCode, isAppError } from '@wagw/errors';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/** The one error envelope every failure is answered with. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  requestId: string;
  details?: unknown;
}

// Fastify's own errors for malformed requests, mapped to our stable codes so clients never see FST_*.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  // Fastify 5 wraps JSON.parse's SyntaxError (and a forbidden __proto__ / constructor key) in this.
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
  // A route outran its handlerTimeout (REQUEST_TIMEOUT, plugins/request-timeout.ts).
  FST_ERR_HANDLER_TIMEOUT: 'REQUEST_TIMEOUT',
};

/** Seconds a client is told to wait (Retry-After) when the database is unavailable. */
const DATABASE_RETRY_AFTER_S = 5;

function toAppError(error: FastifyError | Error): AppError {
  if (isAppError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    return new AppError('VALIDATION_FAILED', error.message, {
      details: error.validation.map((issue) => ({
        path: issue.instancePath,
        message: issue.message,
      })),
    });
  }
  // Locked SQLite file (after busy_timeout), PostgreSQL refusing or not answering: the same request
  // may succeed shortly, and the next request tries the database again (recovery needs no restart).
  if (isDatabaseUnavailable(error)) {
    return new AppError('DATABASE_UNAVAILABLE', 'database unavailable, retry later', {
      cause: error,
      retryAfter: DATABASE_RETRY_AFTER_S,
    });
  }
  const fastifyError = error as FastifyError;
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new AppError(mapped, error.message, { cause: error });
  // JSON.parse failures surface as a 400 SyntaxError from the content-type parser.
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return new AppError('INVALID_JSON', 'request body is not valid JSON', { cause: error });
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) {
    return new AppError('VALIDATION_FAILED', error.message, { cause: error, statusCode: status });
  }
  return new AppError('INTERNAL_ERROR', 'internal server error', { cause: error });
}

/** Sets the status and Retry-After of `err` on the reply and returns its envelope, unsent. */
export function errorReply(reply: FastifyReply, request: FastifyRequest, err: AppError): ErrorBody {
  const body: ErrorBody = {
    statusCode: err.statusCode,
    code: err.code,
    message: err.message,
    requestId: String(request.id),
  };
  if (err.details !== undefined) body.details = err.details;
  if (err.retryAfter !== undefined) void reply.header('retry-after', String(err.retryAfter));
  void reply.code(err.statusCode);
  return body;
}

export function sendError(reply: FastifyReply, request: FastifyRequest, err: AppError): FastifyReply {
  return reply.send(errorReply(reply, request, err));
}

function logAndSend(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const appError = toAppError(error);
  if (appError.statusCode >= 500) {
    request.log.error({ err: error, code: appError.code }, 'request failed');
  } else {
    request.log.info({ code: appError.code, reason: error.message }, 'request rejected');
  }
  return sendError(reply, request, appError);
}

/**
 * Fastify's `frameworkErrors`: failures found before routing (a path that does not decode), which
 * no hook sees, so the request id header is set here.
 */
export function onFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-request-id', request.id);
  const known =
    error.code === 'FST_ERR_BAD_URL'
      ? new AppError('BAD_URL', 'the path is not valid percent-encoding', { cause: error })
      : error;
  logAndSend(known, request, reply);
}

/**
 * A query string that is not valid percent-encoding, which Fastify's parser would pass on as
 * literal text (`?x=%zz` reads as "%zz"): 400 BAD_URL, like a malformed path.
 */
function hasMalformedQuery(url: string): boolean {
  const start = url.indexOf('?');
  if (start === -1 || !url.includes('%', start)) return false;
  try {
    decodeURIComponent(url.slice(start + 1));
    return false;
  } catch {
    return true;
  }
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(logAndSend);

  app.addHook('onRequest', async (request, reply) => {
    if (!hasMalformedQuery(request.url)) return;
    request.log.info({ code: 'BAD_URL' }, 'request rejected');
    // Answered here rather than thrown: Bull Board's own error handler would change the envelope.
    return sendError(
      reply,
      request,
      new AppError('BAD_URL', 'the query string is not valid percent-encoding'),
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      request,
      new AppError('ROUTE_NOT_FOUND', `route ${request.method} ${request.url} not found`),
    ),
  );
}
