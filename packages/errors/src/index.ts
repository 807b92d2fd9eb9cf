export { AppError, isAppError } from './app-error.js';
export type { ErrorCode } from './codes.js';
// The registry itself: tests check that every error answer carries a registered code.
export { ERROR_CODES } from './codes.js';
