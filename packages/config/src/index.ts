export { type ApiConfig, apiEnv, loadApiConfig } from './api.js';
export { type CommonConfig, commonEnv } from './common.js';
export { type DatabaseDialect, DEFAULT_DATABASE_URL, dialectOf } from './database-url.js';
export { loadConfigOrExit } from './exit.js';
export { redactUrl } from './fields.js';
export { ConfigError, parseEnv } from './load.js';
export { loadSchedulerConfig, type SchedulerConfig, schedulerEnv } from './scheduler.js';
export { loadWorkerConfig, type WorkerConfig, workerEnv } from './worker.js';
