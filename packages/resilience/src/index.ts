export {
  type Breaker,
  type BreakerOptions,
  type BreakerState,
  createBreaker,
  isBrokenCircuit,
} from './breaker.js';
export { type Bulkhead, createBulkhead } from './bulkhead.js';
export { type GracefulShutdownOptions, installGracefulShutdown } from './graceful-shutdown.js';
export { LazyBreaker } from './lazy-breaker.js';
export { sleep } from './sleep.js';
export { TimeoutError, withTimeout } from './timeout.js';
