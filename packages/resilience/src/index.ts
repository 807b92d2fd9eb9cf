export {
  type Breaker,
  type BreakerOptions,
  type BreakerState,
  createBreaker,
  isBrokenCircuit,
} from './breaker.js';
export { type GracefulShutdownOptions, installGracefulShutdown } from './graceful-shutdown.js';
