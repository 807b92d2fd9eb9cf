export { AppError, isAppError } from './app-error.js';
export type { ErrorCode } from './codes.js';
