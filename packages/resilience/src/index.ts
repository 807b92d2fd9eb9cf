export { type GracefulShutdownOptions, installGracefulShutdown } from './graceful-shutdown.js';
