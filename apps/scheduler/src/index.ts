export { type MaintenanceSchedule, maintenanceSchedules } from './maintenance-schedules.js';
export { type Scheduler, type SchedulerOptions, startScheduler } from './scheduler.js';
