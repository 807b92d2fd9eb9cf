export { type Scheduler, type SchedulerOptions, startScheduler } from './scheduler.js';
