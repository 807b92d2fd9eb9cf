export { type CreateLoggerOptions, createLogger, type Logger, loggerOptions } from './logger.js';
export { maskPhone, REDACT_PATHS, REDACTED } from './redaction.js';
