export { AppError, type AppErrorOptions, isAppError } from './app-error.js';
export { ERROR_CODES, type ErrorCode, statusForCode } from './codes.js';
