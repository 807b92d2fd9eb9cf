import { AppError, type ErrorCode, isAppError } from '@wagw/errors';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/** The one error envelope every failure is answered with. */
interface ErrorBody {
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
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
  // A route outran its handlerTimeout (REQUEST_TIMEOUT, plugins/request-timeout.ts).
  FST_ERR_HANDLER_TIMEOUT: 'REQUEST_TIMEOUT',
};

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

export function sendError(reply: FastifyReply, request: FastifyRequest, err: AppError): FastifyReply {
  const body: ErrorBody = {
    statusCode: err.statusCode,
    code: err.code,
    message: err.message,
    requestId: String(request.id),
  };
  if (err.details !== undefined) body.details = err.details;
  if (err.retryAfter !== undefined) void reply.header('retry-after', String(err.retryAfter));
  return reply.code(err.statusCode).send(body);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error);
    if (appError.statusCode >= 500) {
      request.log.error({ err: error, code: appError.code }, 'request failed');
    } else {
      request.log.info({ code: appError.code, reason: error.message }, 'request rejected');
    }
    return sendError(reply, request, appError);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      request,
      new AppError('ROUTE_NOT_FOUND', `route ${request.method} ${request.url} not found`),
    ),
  );
}
