import { type ErrorCode, statusForCode } from './codes.js';

export interface AppErrorOptions {
  /** Structured, client-safe detail (e.g. per-field validation issues). Never secrets. */
  details?: unknown;
  /** The underlying error, kept for logs; never serialised to clients. */
  cause?: unknown;
  /** Overrides the registry status in the rare case one code is answered two ways. */
  statusCode?: number;
  /** Seconds a client should wait before retrying (sent as Retry-After on 429/503). */
  retryAfter?: number;
}

/** The one error type of the project: a stable code, an HTTP status and a client-safe message. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details?: unknown;
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.statusCode = options.statusCode ?? statusForCode(code);
    this.details = options.details;
    this.retryAfter = options.retryAfter;
  }

  /** True for errors the client caused (4xx): logged at info, not error. */
  get isClientError(): boolean {
    return this.statusCode >= 400 && this.statusCode < 500;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
