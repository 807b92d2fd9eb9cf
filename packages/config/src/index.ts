export { type ApiConfig, apiEnv, loadApiConfig } from './api-env.js';
export { type DashboardConfig, defaultDashboardConfig } from './dashboard-env.js';
export { DEFAULT_DATABASE_URL, type ParsedDatabaseUrl, parseDatabaseUrl } from './database-url.js';
export { loadConfigOrExit } from './exit.js';
export { redactUrl } from './fields.js';
export { ConfigError } from './load.js';
export type { MediaConfig } from './media-env.js';
export { loadSchedulerConfig, type SchedulerConfig, schedulerEnv } from './scheduler-env.js';
export { loadWorkerConfig, type WorkerConfig, workerEnv } from './worker-env.js';
